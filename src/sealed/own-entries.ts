import * as Y from 'yjs'
import { boundClientId, fromBase64url, keyId, MAX_ENTRY_BYTES, parseEntry, sealEntry, type ContentCipher, type DeviceSigner, type EntryHeader, type EntryKind, type TransportSecret } from '../crypto/index.ts'
import type { AuthorLog, Verified } from './author-log.ts'
import type { ClockRange } from './authority.ts'
import type { Circle } from './circle.ts'
import { compactOwn, contentEntries, isOneRun, lastRun, updateOf } from './compaction.ts'
import { KeptHistory, Refusals } from './compaction-memory.ts'
import type { ContentRules } from './content-rules.ts'
import { coveredBy, foldableDeletions, foldableRanges } from './deletions.ts'
import { entryKey } from './entry-key.ts'
import type { BoardKeys } from './keys.ts'
import { encodeControl, type Op } from './membership/ops.ts'
import { encodeContent, entryHash, entryHashNative } from './payloads.ts'
import { placeholderUpdate } from './placeholder.ts'
import { keepTypes } from './readable.ts'
import { readColumns } from './update-reader.ts'
import { structsOf } from './update-encoder.ts'
import type { SharedEntries } from './shared-entries.ts'

/** Largest payload sealed as an update entry: the entry's limit less its header, nonce, tag and signature (under 200 bytes), with room to spare. */
const MAX_UPDATE_PAYLOAD = MAX_ENTRY_BYTES.update - 1024

/** From this size an entry's hash is taken by the platform (asynchronous, off this thread) rather than in script. */
const NATIVE_HASH_FROM = 64 * 1024

/** How long the replay of this device's last whole rewrite is kept for the next (compaction.ts, KeptHistory). */
const KEEP_HISTORY_MS = 60_000

/** What sealing this device's entries needs from the engine. */
export interface OwnEntriesContext {
  readonly boardId: Uint8Array
  readonly signer: DeviceSigner
  readonly myTag: string
  readonly rules: ContentRules
  readonly circle: Circle
  readonly keys: BoardKeys
  readonly entries: SharedEntries
  /** Largest snapshot this device writes (bytes of Yjs update). */
  readonly snapshotBytes: number
  /** This device's own log. */
  log(): AuthorLog
  /** The readable doc: what was deleted of this device's structs, folded into its compactions. */
  readable(): Y.Doc
  /** Whether this device's snapshot from `from` to `seq`, built on `heads`, would be accepted now (entry-handler.ts). */
  admits(from: number, seq: number, heads: readonly string[], update: Uint8Array): Promise<boolean>
  /** Handles every entry whose turn has come. */
  pump(): Promise<void>
  /** Null when what this device writes goes to the room of the epoch of key id `id` only; else settles once it may (SealedBoardOptions.inRoom). */
  enterRoom(id: string): Promise<void> | null
}

export interface SealOptions {
  /** First sequence number a snapshot stands for. */
  readonly from?: number
  /** A snapshot's sequence number (the last it stands for) instead of the next one. */
  readonly seq?: number
  /** This device's readable doc holds the change already. */
  readonly speculative?: boolean
}

/**
 * This device's own entries: which epoch's key it writes with, its sequence
 * numbers, sealing and signing, and compacting its content entries. What it
 * seals is not trusted either: it waits in this device's log and goes
 * through the very same judgement as anyone's entries (the pump).
 */
export class OwnEntries {
  readonly #ctx: OwnEntriesContext
  readonly #history = new KeptHistory(KEEP_HISTORY_MS)
  readonly #refusals = new Refusals()
  #seq = 0
  /** Entries sealed within together(), written when it ends. */
  #held: Verified[] | null = null

  constructor(ctx: OwnEntriesContext) {
    this.#ctx = ctx
  }

  /** The last sequence number this device signed. */
  get seq(): number {
    return this.#seq
  }

  /** Plain update entries of this device not yet compacted. */
  get loose(): number {
    return this.#ctx.log().done.updates
  }

  /** Whether this device has written board content that is still in its history (loose, or in a snapshot). */
  get holdsContent(): boolean {
    const done = this.#ctx.log().done
    return done.updates > 0 || done.snapshots().length > 0
  }

  /**
   * Whether a loose content entry of this device deletes some of its own
   * structs: text edited away or deleted that its next compaction would take
   * out of the history (a session that ended before its quiet compaction).
   */
  looseDeletions(): boolean {
    const client = boundClientId(this.#ctx.signer.publicKey)
    for (const d of this.#ctx.log().done.values()) {
      if (d.entry.header.kind !== 'update') continue
      const update = updateOf(d)
      if (update && Y.decodeUpdate(update).ds.clients.has(client)) return true
    }
    return false
  }

  /**
   * Whether this device's history still holds text deleted since it was last
   * rewritten: a loose entry deletes some of its own structs, or the
   * readable doc holds deletions of its structs that its snapshots do not (a
   * post a moderator took down, heard just before the board closed). Of a
   * history that is one run, all of it; otherwise its last run (after its
   * latest membership or profile entry), if nothing of its author came after
   * that run: the part a fold can write again (compaction.ts). Read once
   * quiet after the board opens.
   */
  unfolded(): boolean {
    if (this.looseDeletions()) return true
    const log = this.#ctx.log()
    const all = contentEntries(log)
    const run = isOneRun(all) ? all : lastRun(all)
    const end = run[run.length - 1]
    // A run closed by a membership or profile entry is never written again.
    if (!end || (run !== all && end.entry.header.seq !== this.#seq)) return false
    const { readable, rules, myTag } = this.#ctx
    const client = boundClientId(this.#ctx.signer.publicKey)
    const start = run === all ? 0 : (run[0]!.range?.from ?? 0)
    const cover: { clock: number; len: number }[] = []
    // What a snapshot deletes of its own structs is collected in it; what it deletes of those before it (one sealed on
    // top of the history restates what was deleted there) may still be held by the one that holds them.
    for (const d of run) {
      const update = d.entry.header.kind === 'snapshot' ? updateOf(d) : null
      if (update && d.range) cover.push(...within(readColumns(update).ds.get(client) ?? [], d.range))
    }
    // Its structs in loose entries too: one another device deleted is in no snapshot's delete set.
    const doc = readable()
    return !coveredBy(atOrAfter(start, foldableRanges(doc, rules, client, myTag, Y.getState(doc.store, client))), cover)
  }

  /** Goes on after the last entry of this device handled (what a restart read from disk). */
  continueLog(): void {
    this.#seq = Math.max(this.#seq, this.#ctx.log().frontier)
  }

  /** The key id of the epoch this device writes in: the circle's current one, or the newest it holds. */
  currentKeyId(): string | null {
    const { circle, keys } = this.#ctx
    if (circle.managed) {
      const current = circle.membership().current?.key ?? null
      if (current && keys.hasContentKey(current)) return current
      // The rotation has not reached this device: write with the newest key it holds.
      const held = [...circle.membership().epochs.keys()].filter((k) => keys.hasContentKey(k))
      return held[held.length - 1] ?? keys.first
    }
    return keys.first
  }

  /** Seals an entry under the content key of the epoch this device writes in, once this device is in that epoch's room. */
  async seal(kind: EntryKind, payload: Uint8Array, opts: SealOptions = {}): Promise<string> {
    let id = this.currentKeyId()
    for (let moving = id ? this.#ctx.enterRoom(id) : null; moving; moving = id ? this.#ctx.enterRoom(id) : null) {
      await moving
      id = this.currentKeyId()
    }
    const raw = id ? this.#ctx.keys.contentKey(id) : null
    if (!id || !raw) throw new Error('This device holds no content key for this board')
    return this.sealWith(kind, payload, keyId(raw), this.#ctx.keys.cipherFor(keyId(raw))!, opts)
  }

  /**
   * A change to the readable doc, with the membership heads it was made on.
   * One change too large for an update entry (a script's burst of posts in
   * one task: local-writes.ts splits only between changes) is sealed as a
   * snapshot of itself, under a snapshot's larger limit: every device
   * handles a snapshot of one entry as that entry.
   */
  async sealUpdate(update: Uint8Array, speculative: boolean): Promise<string> {
    const payload = encodeContent(this.#ctx.circle.heads(), update)
    return this.seal(payload.length > MAX_UPDATE_PAYLOAD ? 'snapshot' : 'update', payload, { speculative })
  }

  /** A membership change, built on every head this device knows. */
  async control(op: Op): Promise<string> {
    const heads = this.#ctx.circle.heads()
    return this.seal('control', encodeControl({ parents: heads.map((h) => fromBase64url(h)!), op }))
  }

  /** Seals under a room's public-entry key (welcomes and rotations, readable by anyone in that room). */
  async sealPublic(kind: 'welcome' | 'rotate', payload: Uint8Array, transport: Uint8Array): Promise<string> {
    const id = await this.#ctx.keys.addPublicKey(transport as TransportSecret)
    return this.sealWith(kind, payload, id, this.#ctx.keys.cipherFor(id)!)
  }

  /** Seals, signs and writes an entry, then handles it in its turn like anyone's. Returns its key. */
  async sealWith(kind: EntryKind, payload: Uint8Array, id: Uint8Array, cipher: ContentCipher, opts: SealOptions = {}): Promise<string> {
    const { boardId, signer, entries } = this.#ctx
    const seq = opts.seq ?? ++this.#seq
    const header: EntryHeader = { kind, boardId, keyId: id, author: signer.publicKey, seq, from: opts.from ?? seq }
    const bytes = await sealEntry(header, payload, cipher, signer)
    const key = entryKey(header)
    // A snapshot is megabytes: hashed in script, it would hold the page for tens of milliseconds.
    const hash = bytes.length >= NATIVE_HASH_FROM ? await entryHashNative(bytes) : entryHash(bytes)
    const parsed = parseEntry(bytes)
    if (!parsed.ok) throw new Error('An entry this device sealed does not parse')
    const sealed: Verified = { key, bytes, entry: parsed.entry, hash, via: null, plain: payload, speculative: opts.speculative ?? false }
    if (this.#held) {
      this.#held.push(sealed)
      return key
    }
    entries.set(key, bytes)
    this.#ctx.log().pending.set(key, sealed)
    await this.#ctx.pump()
    return key
  }

  /**
   * Entries sealed while `work` runs are written together, in one transaction
   * of the shared doc (y-webrtc sends each transaction as it happens: they
   * reach every device in one piece), then handled in turn. If `work`
   * throws, none is written, and their sequence numbers are used again.
   */
  async together(work: () => Promise<void>): Promise<void> {
    if (this.#held) throw new Error('together() does not nest')
    const seq = this.#seq
    const held: Verified[] = []
    this.#held = held
    try {
      await work()
    } catch (e) {
      this.#seq = seq
      throw e
    } finally {
      this.#held = null
    }
    if (held.length === 0) return
    this.#ctx.entries.setAll(held.map((v) => [v.key, v.bytes]))
    for (const v of held) this.#ctx.log().pending.set(v.key, v)
    await this.#ctx.pump()
  }

  /** The hash of an entry sealed within together() and not written yet. */
  heldHash(key: string): string | undefined {
    return this.#held?.find((v) => v.key === key)?.hash
  }

  /**
   * Compacts this device's content entries into snapshots (compaction.ts);
   * `fold`: rewrites the whole history even with nothing loose, if that folds
   * in a deletion. 'on top': what was loose was sealed on top of the history,
   * which may still hold text deleted since it was written whole.
   */
  async compact({ fold = false }: { fold?: boolean } = {}): Promise<'on top' | 'done'> {
    const { signer, snapshotBytes, circle, entries, rules, myTag } = this.#ctx
    const client = boundClientId(signer.publicKey)
    return compactOwn({
      log: this.#ctx.log(),
      snapshotBytes,
      client,
      deletions: (upTo) => foldableDeletions(this.#ctx.readable(), rules, client, myTag, upTo),
      structsOf: (other, from, upTo) => structsOf(this.#ctx.readable(), other, from, upTo),
      admissible: (update, from, seq) => this.#ctx.admits(from, seq, this.#headsUpTo(seq), update),
      placeholder: (range) => placeholderUpdate(client, range.from, range.to),
      seal: (merged, from, seq) => this.seal('snapshot', encodeContent(this.#headsUpTo(seq), merged), { from, ...(seq === null ? {} : { seq }), speculative: true }),
      nextSeq: () => this.#seq + 1,
      drop: (keys) => entries.delete(keys),
      gcFilter: keepTypes,
      history: this.#history,
      refusals: this.#refusals.under(circle.heads().join(' ')),
      fold,
    })
  }

  /**
   * The membership heads a snapshot ending at `seq` names. Under this
   * device's next number, the circle's. Under an earlier one (it stands for
   * entries already written), those its last part was written on: the
   * circle's may hold a membership change this device signed since, under a
   * later number, which a device handling its entries in order cannot know
   * when the snapshot's turn comes (compaction-heads.test.ts).
   */
  #headsUpTo(seq: number | null): string[] {
    const { circle } = this.#ctx
    if (seq === null || seq > this.#seq) return circle.heads()
    for (const d of this.#ctx.log().done.values()) {
      if (d.entry.header.seq === seq && d.heads) return [...d.heads]
    }
    return circle.heads()
  }

  /** Lets go of what compaction keeps between runs (the board is closing). */
  close(): void {
    this.#history.clear()
  }
}

/** Delete-set ranges cut to what lies within `range` (a clock range, `to` excluded). */
function within(ranges: readonly { clock: number; len: number }[], range: ClockRange): { clock: number; len: number }[] {
  const out: { clock: number; len: number }[] = []
  for (const { clock, len } of ranges) {
    const [from, to] = [Math.max(clock, range.from), Math.min(clock + len, range.to)]
    if (to > from) out.push({ clock: from, len: to - from })
  }
  return out
}

/** Ranges (clock and length pairs, in order) cut to what lies at or after `start`. */
function atOrAfter(start: number, ranges: readonly number[]): number[] {
  const out: number[] = []
  for (let i = 0; i < ranges.length; i += 2) {
    const [clock, end] = [Math.max(ranges[i]!, start), ranges[i]! + ranges[i + 1]!]
    if (end > clock) out.push(clock, end - clock)
  }
  return out
}
