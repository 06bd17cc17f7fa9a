import { deviceTag, openEntry, parseEntry, type ParsedEntry } from '../crypto/index.ts'
import type { AuthorLogs, Verified } from './author-log.ts'
import type { BoardKeys } from './keys.ts'
import { entryHash } from './payloads.ts'
import type { SharedEntries } from './shared-entries.ts'
import type { SideEntries } from './side-entries.ts'

/** What carrying needs from the engine. */
export interface CarrierContext {
  readonly keys: BoardKeys
  readonly entries: SharedEntries
  readonly logs: AuthorLogs
  readonly side: SideEntries
}

/**
 * A carrier (a relay) holds the board without reading it: it keeps other
 * devices' entries in the shared doc as they are and reads only welcomes and
 * rotations, the entries sealed under a room's public-entry key: they may
 * hold its next transport secret. Rotations are kept as handled, so
 * `handoff` can point stragglers on. One sealed in a room whose key it does
 * not hold yet is read once that key comes.
 */
export class Carrier {
  readonly #ctx: CarrierContext
  /** Welcomes and rotations it could not open yet (their room's key comes with a later rotation). */
  readonly #unread = new Set<string>()

  constructor(ctx: CarrierContext) {
    this.#ctx = ctx
  }

  /** Another device's entry, signature checked: kept as it is; a welcome or rotation is read when it can be. */
  async carry(key: string, bytes: Uint8Array, entry: ParsedEntry): Promise<void> {
    const kind = entry.header.kind
    if (kind !== 'welcome' && kind !== 'rotate') return
    const cipher = this.#ctx.keys.cipherFor(entry.header.keyId)
    if (!cipher) {
      this.#unread.add(key)
      return
    }
    this.#unread.delete(key)
    const hash = entryHash(bytes)
    if (this.#ctx.side.isSettled(hash)) return
    const plain = await openEntry(entry, cipher)
    if (!plain) return
    const v: Verified = { key, bytes, entry, hash, via: null, plain }
    if (kind === 'rotate') this.#ctx.logs.of(deviceTag(entry.header.author)).done.set(key, { ...v, outcome: 'other' })
    this.#ctx.side.wait(v)
  }

  /** The carrier took a room's key: the welcomes and rotations sealed in that room can be read now. */
  async readUnread(): Promise<void> {
    const { entries } = this.#ctx
    for (const key of [...this.#unread]) {
      const parsed = parseEntry(entries.get(key))
      if (parsed.ok) await this.carry(key, entries.get(key) as Uint8Array, parsed.entry)
      else this.#unread.delete(key)
    }
  }
}
