import type * as Y from 'yjs'
import { deviceTag, openEntry, parseEntry, toBase64url, type EntryCrypto } from '../crypto/index.ts'
import { CONTENT_KINDS, type AuthorLogs, type Verified } from './author-log.ts'
import type { Circle } from './circle.ts'
import type { Diagnostics, Rejection } from './diagnostics.ts'
import { PROOF_PREFIX, proofKey, seqOfKey, tagOfKey } from './entry-key.ts'
import { check as checkEquivocation, encodeProof, verifyProof } from './equivocation.ts'
import { decodeControl } from './membership/ops.ts'
import { entryHash } from './payloads.ts'
import type { BoardKeys } from './keys.ts'
import { SEALED_ORIGIN } from './origins.ts'
import { sameBytes, screenEntry, type Screened } from './screen.ts'
import type { SharedEntries } from './shared-entries.ts'
import { Slices } from './yield.ts'

/** Entries whose signatures are being checked at once while a batch is ingested. */
const SCREEN_AHEAD = 64

/** A key's value and writing connection as seen when a transaction changed it. */
export interface Seen {
  readonly value: unknown
  readonly via: string | null
}

/** What admitting entries from the shared map needs from the engine. */
export interface AdmissionContext {
  readonly boardId: Uint8Array
  readonly myTag: string
  /** A relay: other devices' entries are carried, not judged. */
  readonly carrier: boolean
  /** Largest number of entries waiting (for a gap, a key or an admission) per author and in all. */
  readonly pendingLimits: { readonly perAuthor: number; readonly total: number }
  readonly logs: AuthorLogs
  readonly entries: SharedEntries
  readonly circle: Circle
  readonly keys: BoardKeys
  /** Where signatures are checked (entry-crypto.ts). */
  readonly crypto: EntryCrypto
  readonly diagnostics: Diagnostics
  reject(reason: Rejection, key: string, author: string | null, detail?: string | null, via?: string | null): void
  /** Handles every entry whose turn has come. */
  pump(): Promise<void>
  /** A carrier's way with another device's entry (carrier.ts). */
  carry(key: string, bytes: Uint8Array, entry: Verified['entry']): Promise<void>
  /** A verdict already given may be wrong now: the readable doc is to be built again. */
  rebuild(): void
  notifyCircle(): void
}

/**
 * Admission: what reaches the shared map, from anyone, becomes entries
 * waiting in their author's log — or is refused. It decides, entry by
 * entry: held already, equivocation (two signed versions: proof against
 * the author), an erasure (put back), a replay, a failure that is the same
 * for every device (removed from the shared map), or "wait for your turn".
 * It also caps what may wait, and reports what still waits after a batch.
 */
export class Admission {
  readonly #ctx: AdmissionContext
  readonly #reportedPending = new Set<string>()
  /**
   * The strongest proof this device holds against each author (the earliest
   * sequence number it voids from), written back whenever the shared map's
   * is taken away, weaker, or not a proof: anyone in the room can write that
   * key, and a device that arrives later must learn what every other learnt.
   */
  readonly #proofs = new Map<string, { readonly from: number; readonly bytes: Uint8Array }>()

  constructor(ctx: AdmissionContext) {
    this.#ctx = ctx
  }

  /**
   * What a transaction on the sealed doc changed in the entries, as each key
   * held it right after: by the time the queue gets to it another peer may
   * have changed it again. Null for this engine's own writes and for none.
   * Anything written outside the entries map is removed at once.
   */
  seen(tr: Y.Transaction): Map<string, Seen> | null {
    if (tr.origin === SEALED_ORIGIN) return null
    const via = tr.local ? 'local' : `session ${[...tr.afterState.keys()].filter((c) => (tr.beforeState.get(c) ?? 0) < tr.afterState.get(c)!).join(',') || '?'}`
    const removed = this.#ctx.entries.removeJunk(tr)
    if (removed > 0) this.#ctx.reject('junk', `${removed} structs outside the entries`, null, null, null)
    const keys = this.#ctx.entries.changedKeys(tr)
    if (keys.size === 0) return null
    const seen = new Map<string, Seen>()
    for (const key of keys) seen.set(key, { value: this.#ctx.entries.get(key), via })
    return seen
  }

  /** An entry reported waiting has left the queue (handled or dropped): its waiting record goes. */
  settle(key: string): void {
    if (this.#reportedPending.delete(key)) this.#ctx.diagnostics.settle(key)
  }

  /**
   * Checks the entries seen under each key, handles everything that became
   * ready, then judges entries that went missing: gone because their author
   * compacted them is fine; otherwise they are put back.
   */
  async ingest(seen: Map<string, Seen>): Promise<void> {
    // Keys with no value now: a sync brings one for every entry ever compacted away (tens of thousands on a large board), and all they need is a look after the batch.
    const missing: string[] = []
    const present: string[] = []
    for (const [key, { value }] of seen) (value === undefined ? missing : present).push(key)
    // Author by author, each in order (a key's author and number read once, not at every comparison of a sync's thousands).
    const order = new Map(present.map((k) => [k, { tag: tagOfKey(k), seq: seqOfKey(k) }]))
    const keys = [...order.keys()].sort((a, b) => {
      const [x, y] = [order.get(a)!, order.get(b)!]
      return x.tag === y.tag ? x.seq - y.seq : a < b ? -1 : 1
    })
    // Screening (parse, signature) touches nothing: the next entries' signatures are checked
    // while this one is handled, instead of one verification after another (a large sync).
    const screens = new Map<string, Promise<Screened>>()
    // Signatures checked long ago answer at once: without slices, a large board's checks run as one long task.
    const slices = new Slices()
    let ahead = 0
    for (const [i, key] of keys.entries()) {
      await slices.breathe()
      // Starting a screening parses, hashes and copies its entry on this thread: no more are started once the slice is spent.
      for (; ahead < keys.length && ahead < i + SCREEN_AHEAD && (ahead <= i || !slices.spent); ahead++) {
        const k = keys[ahead]!
        const value = seen.get(k)!.value
        if (k.startsWith(PROOF_PREFIX) || this.#holds(k, value)) continue
        const screening = this.#screen(k, value)
        // Awaited where its entry is handled; one whose entry turns out to be held by then is not, and must not surface as unhandled.
        screening.catch(() => undefined)
        screens.set(k, screening)
      }
      const { value, via } = seen.get(key)!
      if (key.startsWith(PROOF_PREFIX)) await this.#checkProof(key, value)
      else await this.#check(key, value, via, screens.get(key))
      screens.delete(key)
    }
    await this.#ctx.pump()
    for (const key of missing) this.#judgeMissing(key)
    this.#enforceLimits()
    this.#reportPending()
  }

  /** Entries still waiting after a batch: their author was never let in, an earlier entry is missing, or a key. */
  #reportPending(): void {
    for (const [tag, log] of this.#ctx.logs) {
      for (const v of log.pending.values()) {
        if (this.#reportedPending.has(v.key)) continue
        this.#reportedPending.add(v.key)
        const reason: Rejection = !this.#ctx.keys.cipherFor(v.entry.header.keyId) ? 'pending_key' : !this.#ctx.circle.knows(tag) ? 'pending_author' : 'pending_gap'
        this.#ctx.reject(reason, v.key, tag)
      }
    }
  }

  /**
   * Waiting entries are capped per author and in all: beyond that they are
   * dropped, here and from the shared doc — only those this device can tell
   * are not the board's. A device not let in yet reads nothing (no key, no
   * circle), and a member's entry waiting for a key this device lacks (a
   * rotation's still to come, or a lockbox that did not open) may well be
   * the board's: removing those from the shared doc removed members' posts
   * for everyone, and the members put them back, to be removed again (found
   * on 2026-12-07: a newcomer waiting for approval on a board of more than
   * 4,096 entries). They wait, however many.
   */
  #enforceLimits(): void {
    const { perAuthor, total } = this.#ctx.pendingLimits
    if (this.#ctx.logs.pendingCount() <= total && ![...this.#ctx.logs.values()].some((l) => l.pending.size > perAuthor)) return
    const { circle, keys, myTag } = this.#ctx
    if (circle.standingOf(myTag) !== 'member') return
    const droppable = new Map<string, Verified[]>()
    let all = 0
    for (const [tag, log] of this.#ctx.logs) {
      if (tag === myTag || log.pending.size === 0) continue
      const known = circle.knows(tag)
      const some = [...log.pending.values()].filter((v) => !known || keys.cipherFor(v.entry.header.keyId))
      droppable.set(tag, some)
      all += some.length
    }
    for (const [tag, waiting] of [...droppable].sort((a, b) => b[1].length - a[1].length)) {
      const log = this.#ctx.logs.of(tag)
      const over = Math.max(waiting.length - perAuthor, all > total ? waiting.length : 0)
      if (over <= 0) continue
      const victims = waiting.sort((a, b) => b.entry.header.seq - a.entry.header.seq).slice(0, over)
      for (const v of victims) {
        log.pending.delete(v.key)
        this.settle(v.key)
        all--
        this.#ctx.reject('over_limit', v.key, null, `entries of ${tag}`, v.via)
        this.#ctx.entries.collect(v.key, v.bytes)
      }
    }
  }

  async #checkProof(key: string, value: unknown): Promise<void> {
    const proof = await verifyProof(value, this.#ctx.boardId)
    if (!proof || proofKey(proof.author) !== key) {
      this.#ctx.reject('malformed', key, null)
      if (!this.#restoreProof(key.slice(PROOF_PREFIX.length))) this.#ctx.entries.collect(key, value)
      return
    }
    const held = this.#proofs.get(proof.author)
    // A weaker proof (from a later sequence number) over the one this device holds: the stronger goes back.
    if (held && held.from < proof.from) this.#restoreProof(proof.author)
    else if (!held || proof.from < held.from) this.#proofs.set(proof.author, { from: proof.from, bytes: value as Uint8Array })
    await this.#equivocated(proof.author, proof.from, null)
    await this.#controlVersions(value as Uint8Array)
  }

  /**
   * Both versions of a membership change in a proof go into the circle's
   * graph (void there, as everything of the author from the disputed number
   * on): each may have reached some devices, and their later changes name
   * the one they hold as a head. Without it, a device holding the other
   * version never knew that head, and those changes waited for ever.
   */
  async #controlVersions(proof: Uint8Array): Promise<void> {
    const view = new DataView(proof.buffer, proof.byteOffset, proof.byteLength)
    const la = view.getUint32(0)
    let added = false
    for (const bytes of [proof.subarray(4, 4 + la), proof.subarray(8 + la)]) {
      const parsed = parseEntry(bytes)
      if (!parsed.ok || parsed.entry.header.kind !== 'control') continue
      const cipher = this.#ctx.keys.cipherFor(parsed.entry.header.keyId)
      const plain = cipher ? await openEntry(parsed.entry, cipher) : null
      const control = plain ? decodeControl(plain) : null
      if (!control) continue
      const h = parsed.entry.header
      const hash = entryHash(bytes)
      if (this.#ctx.circle.hasControl(hash)) continue
      this.#ctx.circle.addControl({ hash, author: deviceTag(h.author), authorKey: h.author, seq: h.seq, parents: control.parents.map(toBase64url), op: control.op })
      added = true
    }
    if (added) this.#ctx.notifyCircle()
  }

  /** Writes this device's proof against `tag` back into the shared map, if it holds one; whether it did. */
  #restoreProof(tag: string): boolean {
    const held = this.#proofs.get(tag)
    if (!held) return false
    this.#ctx.entries.set(proofKey(tag), held.bytes)
    return true
  }

  /** An author proven to equivocate: everything from `from` on is void; the proof is kept for devices that arrive later. */
  async #equivocated(tag: string, from: number, proof: Uint8Array | null): Promise<void> {
    const held = this.#proofs.get(tag)
    if (proof && (!held || from < held.from)) this.#proofs.set(tag, { from, bytes: proof })
    const changed = this.#ctx.circle.addEquivocator(tag, from)
    if (proof && changed) this.#ctx.entries.set(proofKey(tag), proof)
    if (!changed) return
    this.#ctx.reject('equivocation', proofKey(tag), tag, `two different entries from sequence number ${from}`)
    const log = this.#ctx.logs.of(tag)
    for (const d of log.done.values()) if (d.entry.header.seq >= from && d.outcome !== 'void') this.#ctx.rebuild()
    for (const [key, v] of log.pending) {
      if (v.entry.header.seq >= from && CONTENT_KINDS.has(v.entry.header.kind)) {
        log.pending.delete(key)
        this.settle(key)
        this.#ctx.entries.collect(key, v.bytes)
      }
    }
    // Whichever version the shared map holds under a disputed key goes: the proof keeps both.
    const disputed = this.#ctx.entries.keys().filter((key) => {
      if (tagOfKey(key) !== tag || key.startsWith(PROOF_PREFIX) || seqOfKey(key) < from) return false
      const parsed = parseEntry(this.#ctx.entries.get(key))
      return parsed.ok && CONTENT_KINDS.has(parsed.entry.header.kind)
    })
    this.#ctx.entries.delete(disputed)
    this.#ctx.notifyCircle()
  }

  /** Whether this device already holds exactly these bytes under this key (nothing to check again). */
  #holds(key: string, value: unknown): boolean {
    const previously = this.#held(key)
    return !!previously && value instanceof Uint8Array && sameBytes(previously.bytes, value)
  }

  /** The entry this device already has under `key` (handled or waiting), if any. */
  #held(key: string): { readonly bytes: Uint8Array; readonly entry: Verified['entry'] } | undefined {
    const tag = tagOfKey(key)
    const log = tag ? this.#ctx.logs.get(tag) : undefined
    return log?.done.get(key) ?? log?.pending.get(key)
  }

  async #check(key: string, value: unknown, via: string | null, screening?: Promise<Screened>): Promise<void> {
    if (this.#holds(key, value)) return
    const tag = tagOfKey(key)
    const previously = this.#held(key)
    const screened = await (screening ?? this.#screen(key, value))
    if (previously) {
      // Another version of an entry this device holds: proof of equivocation if its author signed both; otherwise an erasure.
      const proof = screened.ok ? await checkEquivocation(previously.entry, screened.entry, previously.bytes, screened.bytes, this.#ctx.boardId) : null
      if (proof) {
        const bytes = encodeProof(previously.bytes, value as Uint8Array)
        await this.#equivocated(proof.author, proof.from, bytes)
        return this.#controlVersions(bytes)
      }
      return this.#erased(key, previously.bytes, tag)
    }
    if (!screened.ok) return this.#final(screened.reason, key, null, value, via)
    // From here on, a valid signature proves who wrote it.
    const { bytes, entry, author } = screened
    const header = entry.header
    if (this.#ctx.carrier && author !== this.#ctx.myTag) return this.#ctx.carry(key, bytes, entry)
    const authorLog = this.#ctx.logs.of(author)
    for (const other of authorLog.mayConflict(header.from, header.seq, header.kind === 'snapshot')) {
      const proof = await checkEquivocation(other.entry, entry, other.bytes, bytes, this.#ctx.boardId)
      if (proof) {
        const both = encodeProof(other.bytes, bytes)
        await this.#equivocated(author, proof.from, both)
        return this.#controlVersions(both)
      }
    }
    const disputed = this.#ctx.circle.equivocators.get(author)
    if (disputed !== undefined && header.seq >= disputed && CONTENT_KINDS.has(header.kind)) return this.#final('equivocation', key, author, value, via)
    if (header.kind === 'snapshot' ? authorLog.coveredBy(header.from, header.seq) : header.seq <= authorLog.frontier) {
      // Already handled, and no longer at its place: an old entry put back in. Its signature proves
      // who wrote it once, not who put it back: nobody is named.
      this.#ctx.reject('replay', key, null, `an old entry of ${author}`, via)
      if (authorLog.coveredBy(header.from, header.seq)) this.#ctx.entries.collect(key, value)
      return
    }
    authorLog.pending.set(key, { key, bytes, entry, hash: screened.hash, via, opening: screened.opening ?? undefined })
  }

  /** Screens an entry (screen.ts), decrypting it meanwhile if this device holds its key and reads others' entries (a carrier does not). */
  #screen(key: string, value: unknown): Promise<Screened> {
    const { keys, carrier, boardId, crypto } = this.#ctx
    return screenEntry(key, value, boardId, crypto, (entry) => {
      if (carrier && deviceTag(entry.header.author) !== this.#ctx.myTag) return null
      return keys.cipherFor(entry.header.keyId)
    })
  }

  #erased(key: string, bytes: Uint8Array, tag: string | null): void {
    // Someone overwrote or deleted an entry this device holds: put it back. A Yjs write does not prove who did it.
    this.#ctx.reject('erased', key, null, tag ? `an entry of ${tag}` : null)
    this.#ctx.entries.set(key, bytes)
  }

  /** A rejection that is the same for every peer: report it and remove the entry from the shared doc. */
  #final(reason: Rejection, key: string, author: string | null, value: unknown, via: string | null = null, detail: string | null = null): void {
    this.#ctx.reject(reason, key, author, detail, author ? null : via)
    this.#ctx.entries.collect(key, value)
  }

  #judgeMissing(key: string): void {
    // A proof taken away: the one this device holds goes back.
    if (key.startsWith(PROOF_PREFIX)) {
      this.#restoreProof(key.slice(PROOF_PREFIX.length))
      return
    }
    const tag = tagOfKey(key)
    const log = tag ? this.#ctx.logs.get(tag) : undefined
    const done = log?.done.get(key)
    if (!log || !done) return
    const h = done.entry.header
    if (log.coveredBy(h.from, h.seq, key) || done.outcome === 'void') {
      log.done.delete(key)
      return
    }
    if (this.#ctx.entries.holds(key, done.bytes)) return
    this.#erased(key, done.bytes, tag)
  }
}
