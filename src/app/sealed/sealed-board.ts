import * as Y from 'yjs'
import {
  boundClientId,
  deviceTag,
  parseEntry,
  sealEntry,
  openEntry,
  verifyEntry,
  type ContentCipher,
  type DeviceSigner,
  type EntryHeader,
  type EntryKind,
  type ParsedEntry,
} from '../../crypto/index.ts'
import { Diagnostics, type Rejection } from './diagnostics.ts'
import { decodeJoin, encodeJoin, Roster } from './roster.ts'

/**
 * A sealed board: the shared, replicated document holds only signed, encrypted
 * entries; the readable board doc lives in memory and is built from the
 * entries that pass every check.
 *
 *   sealed doc (y-webrtc, y-indexeddb)          readable doc (memory only)
 *   Y.Map 'entries': key → entry bytes   ──▶    the board as core/ knows it
 *                                        ◀──    local changes, sealed as entries
 *
 * Keys are `<author tag>.<seq>` and, for snapshots, `<author tag>.<from>-<seq>`.
 *
 * Any room member can write anything into the sealed doc, so nothing there is
 * trusted: every entry is parsed, checked against the board id and key epoch,
 * its author's signature verified, its sequence number checked for replays and
 * gaps, decrypted, and its Yjs update checked to create content only under the
 * author's own client id. Entries this device has accepted are remembered, so
 * that when someone deletes or overwrites one in the shared doc it is put back
 * (and the writer named where it can be told). Each device compacts its own
 * entries into signed snapshots; deleting entries a snapshot covers is the only
 * deletion honest peers accept.
 */

/** Transaction origin for changes this engine applies (never re-sealed, never re-checked). */
export const SEALED_ORIGIN = Symbol('hearth-sealed')

export interface SealedBoardOptions {
  /** Raw 16-byte board id (binds every entry to this board). */
  readonly boardId: Uint8Array
  readonly epoch?: number
  readonly cipher: ContentCipher
  readonly signer: DeviceSigner
  readonly founder?: Uint8Array
  readonly now?: () => number
  /** Compact own entries once this many are not covered by a snapshot. */
  readonly compactAfter?: number
  /** Largest snapshot this device writes (bytes of Yjs update). */
  readonly snapshotBytes?: number
  /**
   * Whether `legacy` entries (a whole pre-sealed-boards doc, which may hold
   * anyone's client ids) are accepted. Only boards from before sealed boards
   * have them; on any other board such an entry could forge authorship.
   */
  readonly allowLegacy?: boolean
}

interface Accepted {
  readonly bytes: Uint8Array
  readonly kind: EntryKind
  readonly from: number
  readonly seq: number
}

/** A key's value and writing client as seen when a transaction changed it. */
interface Seen {
  readonly value: unknown
  readonly client: number | null
}

/** A verified entry waiting for its turn, with the exact bytes that were verified. */
interface Candidate {
  readonly entry: ParsedEntry
  readonly key: string
  readonly bytes: Uint8Array
}

interface AuthorState {
  /** Highest sequence number applied with no gap before it. */
  frontier: number
  /** Entries waiting for a gap to fill: seq/from → parsed entry and its key. */
  readonly pending: Map<string, Candidate>
  /** Accepted entries still present in the shared doc, by key. */
  readonly accepted: Map<string, Accepted>
}

const ENTRIES = 'entries'
/** Never a bound client id (those are never 0): used while applying entries. */
const PARKED_CLIENT = 0
const MAX_KEY_LENGTH = 64

export function entryKey(header: Pick<EntryHeader, 'author' | 'kind' | 'from' | 'seq'>): string {
  const tag = deviceTag(header.author)
  return header.kind === 'snapshot' ? `${tag}.${header.from}-${header.seq}` : `${tag}.${header.seq}`
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

export class SealedBoard {
  /** What is replicated and persisted: entries only. */
  readonly sealed: Y.Doc
  /** The board, readable, in memory only. */
  readonly readable: Y.Doc
  readonly roster: Roster
  readonly diagnostics = new Diagnostics()
  readonly #entries: Y.Map<unknown>
  readonly #opts: Required<Omit<SealedBoardOptions, 'founder'>> & { founder?: Uint8Array }
  readonly #myTag: string
  readonly #authors = new Map<string, AuthorState>()
  /** Sealed-doc client id → device tag of the member it belongs to (learned from join entries). */
  readonly #writers = new Map<number, string>()
  #mySeq = 0
  readonly #rosterListeners = new Set<() => void>()
  #queue: Promise<void> = Promise.resolve()
  #compacting = false
  #listening = false
  #destroyed = false
  #entriesRead = 0

  constructor(sealed: Y.Doc, opts: SealedBoardOptions) {
    this.sealed = sealed
    this.#entries = sealed.getMap(ENTRIES)
    this.#opts = { epoch: 0, now: Date.now, compactAfter: 200, snapshotBytes: 16 * 1024 * 1024, allowLegacy: false, ...opts }
    this.#myTag = deviceTag(opts.signer.publicKey)
    this.roster = new Roster(opts.founder)
    this.readable = new Y.Doc()
    // The readable doc writes under a client id bound to this device's key; it
    // is never connected to any provider, so Yjs never sees a clash.
    this.readable.clientID = boundClientId(opts.signer.publicKey)
  }

  get myTag(): string {
    return this.#myTag
  }

  /** How many entries the last `load()` read (compaction keeps this bounded). */
  get entriesRead(): number {
    return this.#entriesRead
  }

  /**
   * Reads every entry already in the sealed doc (after it loaded from disk),
   * then follows changes: remote entries are checked and applied, local
   * changes to the readable doc are sealed.
   */
  async start(): Promise<void> {
    const keys = [...this.#entries.keys()]
    this.#entriesRead = keys.length
    await this.#enqueue(() => this.#ingest(new Map(keys.map((k) => [k, this.#see(k)]))))
    // Continue our own sequence after the highest entry of ours anywhere.
    this.#mySeq = Math.max(this.#mySeq, this.#author(this.#myTag).frontier)
    this.sealed.on('afterTransaction', this.#onSealedTransaction)
    this.readable.on('update', this.#onReadableUpdate)
    this.#listening = true
  }

  /** Writes this device's join entry (its name on the board) unless the roster already has it with that name. */
  async join(name: string, invitedBy: string | null): Promise<void> {
    const me = this.roster.get(this.#myTag)
    if (me && me.name === name) return
    const payload = encodeJoin({ name, agreePublic: this.#opts.signer.agreePublic, invitedBy, at: this.#opts.now() })
    await this.#enqueue(() => this.#sealOwn('join', payload))
  }

  /** Seals a legacy (pre-sealed-boards) board state, so every member's migration yields the same items. */
  async importLegacy(state: Uint8Array): Promise<void> {
    await this.#enqueue(async () => {
      this.#applyToReadable([state])
      await this.#sealOwn('legacy', state)
    })
  }

  /**
   * Applies verified updates to the readable doc. Yjs treats a remote update
   * that carries structs of the doc's own client id as a clash and picks a new
   * random id, which would make later local changes unverifiable. Our own
   * entries legitimately carry our id (after a restart, or from another tab),
   * so the id is parked while they are applied and restored after.
   */
  #applyToReadable(updates: Uint8Array[]): void {
    const own = this.readable.clientID
    this.readable.clientID = PARKED_CLIENT
    // Yjs encodes every transaction for 'update' listeners; ours ignores these
    // (they are not local), and encoding a 5 MB snapshot again costs real time.
    if (this.#listening) this.readable.off('update', this.#onReadableUpdate)
    try {
      // One update, merged first: entries of several authors depend on each
      // other's structs, and applied one by one Yjs would re-merge and retry
      // its growing set of pending structs after every single one.
      const update = updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates)
      this.readable.transact(() => Y.applyUpdate(this.readable, update, SEALED_ORIGIN), SEALED_ORIGIN)
    } finally {
      this.readable.clientID = own
      if (this.#listening) this.readable.on('update', this.#onReadableUpdate)
    }
  }

  /** Resolves when every local change so far is sealed into the shared doc (and any compaction it started is done). */
  async flush(): Promise<void> {
    let seen: Promise<void>
    do {
      seen = this.#queue
      await seen
    } while (seen !== this.#queue)
  }

  #clientTags: Map<number, string> | null = null

  /** The member whose bound Yjs client created a readable-doc struct (for author display). */
  authorOfClient(client: number): string | null {
    this.#clientTags ??= new Map(this.roster.list().map((m) => [boundClientId(m.signPublic), m.tag]))
    return this.#clientTags.get(client) ?? null
  }

  /** Called whenever the roster changes (a member joined or renamed). */
  onRosterChange(listener: () => void): () => void {
    this.#rosterListeners.add(listener)
    return () => this.#rosterListeners.delete(listener)
  }

  #rosterChanged(): void {
    this.#clientTags = null
    for (const l of this.#rosterListeners) l()
  }

  destroy(): void {
    this.#destroyed = true
    this.#listening = false
    this.sealed.off('afterTransaction', this.#onSealedTransaction)
    this.readable.off('update', this.#onReadableUpdate)
    this.#rosterListeners.clear()
    this.readable.destroy()
  }

  // ── queue ────────────────────────────────────────────────────────────────

  /**
   * Engine work runs one task at a time. A task that throws is a bug: it is
   * kept as the board's failure (shown to the person, and failing every
   * test), never swallowed, and later tasks still run.
   */
  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => (this.#destroyed ? undefined : task()))
    this.#queue = run.catch((e: unknown) => this.#fail(e))
    return run
  }

  #failure: Error | null = null
  readonly #failureListeners = new Set<(error: Error) => void>()

  /** The first error an engine task threw, or null. The board may be incomplete while it is set. */
  get failure(): Error | null {
    return this.#failure
  }

  /** Called once, when an engine task first fails. */
  onFailure(listener: (error: Error) => void): () => void {
    this.#failureListeners.add(listener)
    return () => this.#failureListeners.delete(listener)
  }

  #fail(e: unknown): void {
    if (this.#failure) return
    this.#failure = e instanceof Error ? e : new Error(String(e))
    for (const l of this.#failureListeners) l(this.#failure)
  }

  #author(tag: string): AuthorState {
    let a = this.#authors.get(tag)
    if (!a) {
      a = { frontier: 0, pending: new Map(), accepted: new Map() }
      this.#authors.set(tag, a)
    }
    return a
  }

  // ── local changes → entries ──────────────────────────────────────────────

  readonly #onReadableUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === SEALED_ORIGIN) return
    void this.#enqueue(() => this.#sealOwn('update', update))
  }

  async #sealOwn(kind: EntryKind, payload: Uint8Array, from?: number, seq?: number): Promise<void> {
    const s = seq ?? ++this.#mySeq
    const header: EntryHeader = {
      kind,
      boardId: this.#opts.boardId,
      epoch: this.#opts.epoch,
      author: this.#opts.signer.publicKey,
      seq: s,
      from: from ?? s,
    }
    const bytes = await sealEntry(header, payload, this.#opts.cipher, this.#opts.signer)
    const key = entryKey(header)
    const me = this.#author(this.#myTag)
    me.accepted.set(key, { bytes, kind, from: header.from, seq: s })
    me.frontier = Math.max(me.frontier, s)
    if (kind === 'join') {
      const join = decodeJoin(payload)
      if (join) this.roster.apply(this.#opts.signer.publicKey, s, join)
      this.#writers.set(this.sealed.clientID, this.#myTag)
      this.#rosterChanged()
    }
    this.sealed.transact(() => this.#entries.set(key, bytes), SEALED_ORIGIN)
    if (kind === 'update' && !this.#compacting) this.#maybeCompact()
  }

  // ── remote changes ───────────────────────────────────────────────────────

  readonly #onSealedTransaction = (tr: Y.Transaction): void => {
    if (tr.origin === SEALED_ORIGIN) return
    const keys = tr.changed.get(this.#entries as unknown as Parameters<typeof tr.changed.get>[0])
    if (!keys || keys.size === 0) return
    // What each key held right after this transaction, and which client wrote
    // it: by the time the queue gets to it another peer may have changed it again.
    const seen = new Map<string, Seen>()
    for (const key of keys) if (typeof key === 'string') seen.set(key, this.#see(key))
    void this.#enqueue(() => this.#ingest(seen))
  }

  #see(key: string): Seen {
    const item = (this.#entries as unknown as { _map: Map<string, { id: { client: number }; deleted: boolean }> })._map.get(key)
    return { value: this.#entries.get(key), client: item && !item.deleted ? item.id.client : null }
  }

  /** Writers of the batch being ingested (key → sealed-doc client id). */
  #batch = new Map<string, Seen>()

  #writerOf(key: string): string | null {
    const client = this.#batch.get(key)?.client
    return client === undefined || client === null ? null : (this.#writers.get(client) ?? null)
  }

  #reject(reason: Rejection, key: string, claimedAuthor: string | null, writtenBy: string | null = this.#writerOf(key)): void {
    this.diagnostics.record({ reason, key, claimedAuthor, writtenBy, at: this.#opts.now() })
  }

  /**
   * Entries that are invalid for everyone alike are removed from the shared doc,
   * so they stop costing space — unless someone has put something else there since.
   */
  #collect(key: string): void {
    const current = this.#entries.get(key)
    if (current === undefined || current !== this.#batch.get(key)?.value) return
    this.sealed.transact(() => this.#entries.delete(key), SEALED_ORIGIN)
  }

  /**
   * Checks and applies the entries seen under each key, then judges entries
   * that went missing: gone because their author compacted them is fine;
   * otherwise they are put back and the deletion is reported.
   */
  async #ingest(seen: Map<string, Seen>): Promise<void> {
    this.#batch = seen
    const updates: Uint8Array[] = []
    const missing: string[] = []
    // Author by author, in sequence order, so entries rarely wait for each other.
    const order = (k: string) => Number(/\.(\d+)/.exec(k)?.[1] ?? 0)
    const tagOf = (k: string) => k.split('.')[0]!
    const keys = [...seen.keys()].sort((a, b) => (tagOf(a) === tagOf(b) ? order(a) - order(b) : tagOf(a) < tagOf(b) ? -1 : 1))
    for (const key of keys) {
      const value = seen.get(key)!.value
      if (value === undefined) {
        missing.push(key)
        continue
      }
      await this.#check(key, value, updates)
    }
    if (updates.length > 0) this.#applyToReadable(updates)
    for (const key of missing) this.#judgeMissing(key)
    this.#reportPending()
  }

  readonly #reportedPending = new Set<string>()

  /** Entries still waiting after a batch: their author never joined, or an earlier entry is missing. */
  #reportPending(): void {
    for (const [tag, author] of this.#authors) {
      for (const key of author.pending.keys()) {
        if (this.#reportedPending.has(key)) continue
        this.#reportedPending.add(key)
        this.#reject(this.roster.has(tag) ? 'pending_gap' : 'pending_author', key, tag)
      }
    }
  }

  /** Entries not (yet) applied, by reason. */
  pendingCount(): number {
    let n = 0
    for (const a of this.#authors.values()) n += a.pending.size
    return n
  }

  async #check(key: string, value: unknown, updates: Uint8Array[]): Promise<void> {
    const previously = this.#acceptedAt(key)
    if (previously) {
      if (value instanceof Uint8Array && sameBytes(previously.bytes, value)) return
      // Someone overwrote an entry this device accepted: put it back.
      this.#reject('erased', key, key.split('.')[0]!)
      this.#restore(key, previously)
      return
    }
    const parsed = key.length <= MAX_KEY_LENGTH ? parseEntry(value) : ({ ok: false, error: 'malformed' } as const)
    if (!parsed.ok) {
      this.#reject(parsed.error, key, null)
      this.#collect(key)
      return
    }
    const entry = parsed.entry
    // The bytes that were verified: the shared doc may hold something else by now.
    const bytes = value as Uint8Array
    const h = entry.header
    const tag = deviceTag(h.author)
    if (!sameBytes(h.boardId, this.#opts.boardId)) return this.#final('wrong_board', key, tag)
    // A later key epoch may be readable once its key arrives: kept, not applied.
    if (h.epoch !== this.#opts.epoch) return this.#reject('unknown_epoch', key, tag)
    if (entryKey(h) !== key) return this.#final('wrong_key', key, tag)
    if (!(await verifyEntry(entry))) return this.#final('bad_signature', key, tag)
    const member = this.roster.get(tag)
    if (member?.removed) return this.#reject('removed_author', key, tag)
    if (!member && h.kind !== 'join') {
      this.#author(tag).pending.set(key, { entry, key, bytes })
      return
    }
    await this.#applyInOrder(tag, { entry, key, bytes }, updates)
  }

  /** Applies an entry if it is next in its author's sequence, then anything it unblocks. */
  async #applyInOrder(tag: string, first: Candidate, updates: Uint8Array[]): Promise<void> {
    const author = this.#author(tag)
    const queue = [first]
    while (queue.length > 0) {
      const candidate = queue.shift()!
      const { entry, key, bytes } = candidate
      const h = entry.header
      if (h.kind === 'snapshot' ? this.#coveredBySnapshot(author, h.from, h.seq) : h.seq <= author.frontier) {
        // Already applied, and no longer at its place: an old entry put back in.
        this.#reject('replay', key, tag)
        if (this.#coveredBySnapshot(author, h.from, h.seq)) this.#collect(key)
        continue
      }
      if (h.from > author.frontier + 1) {
        author.pending.set(key, candidate)
        continue
      }
      author.pending.delete(key)
      const payload = await openEntry(entry, this.#opts.cipher)
      if (!payload) this.#final('decrypt_failed', key, tag)
      else if (this.#applyPayload(tag, entry, key, payload, updates)) {
        author.accepted.set(key, { bytes, kind: h.kind, from: h.from, seq: h.seq })
        if (h.kind === 'snapshot') this.#dropCovered(author, h.from, h.seq, key)
      }
      // The author signed this sequence number, valid content or not: it is used up.
      author.frontier = Math.max(author.frontier, h.seq)
      // Entries that were waiting for this one (or for this author's join).
      for (const p of author.pending.values()) {
        if (p.entry.header.from <= author.frontier + 1 && !queue.includes(p)) queue.push(p)
      }
      queue.sort((a, b) => a.entry.header.from - b.entry.header.from)
    }
  }

  #applyPayload(tag: string, entry: ParsedEntry, key: string, payload: Uint8Array, updates: Uint8Array[]): boolean {
    const h = entry.header
    if (h.kind === 'join') {
      const join = decodeJoin(payload)
      if (!join) {
        this.#final('bad_payload', key, tag)
        return false
      }
      this.roster.apply(h.author, h.seq, join)
      this.#rosterChanged()
      const client = this.#batch.get(key)?.client
      if (client !== undefined && client !== null && !this.#writers.has(client)) this.#writers.set(client, tag)
      return true
    }
    if (h.kind === 'legacy' && !this.#opts.allowLegacy) {
      this.#final('foreign_changes', key, tag)
      return false
    }
    if (h.kind !== 'legacy') {
      // Content may only be created under the author's own client id.
      let meta: { from: Map<number, number>; to: Map<number, number> }
      try {
        meta = Y.parseUpdateMeta(payload)
      } catch {
        this.#final('bad_payload', key, tag)
        return false
      }
      const own = boundClientId(h.author)
      for (const client of meta.to.keys()) {
        if (client !== own) {
          this.#final('foreign_changes', key, tag)
          return false
        }
      }
    }
    updates.push(payload)
    return true
  }

  /** A rejection that is the same for every peer: report it and remove the entry from the shared doc. */
  #final(reason: Rejection, key: string, tag: string): void {
    this.#reject(reason, key, tag)
    this.#collect(key)
  }

  #restore(key: string, accepted: Accepted): void {
    this.sealed.transact(() => this.#entries.set(key, accepted.bytes), SEALED_ORIGIN)
  }

  #acceptedAt(key: string): Accepted | undefined {
    const tag = key.split('.')[0]!
    return this.#authors.get(tag)?.accepted.get(key)
  }

  /** Whether an accepted snapshot of this author (other than the range itself) covers from..to. */
  #coveredBySnapshot(author: AuthorState, from: number, to: number): boolean {
    for (const a of author.accepted.values()) {
      if (a.kind === 'snapshot' && a.from <= from && to <= a.seq && !(a.from === from && a.seq === to)) return true
    }
    return false
  }

  /** After a snapshot is accepted, the entries it covers are no longer needed. */
  #dropCovered(author: AuthorState, from: number, to: number, snapshotKey: string): void {
    for (const [k, a] of author.accepted) {
      if (k !== snapshotKey && a.from >= from && a.seq <= to) author.accepted.delete(k)
    }
  }

  #judgeMissing(key: string): void {
    const tag = key.split('.')[0]!
    const author = this.#authors.get(tag)
    const accepted = author?.accepted.get(key)
    if (!author || !accepted) return
    if (this.#coveredBySnapshot(author, accepted.from, accepted.seq)) {
      author.accepted.delete(key)
      return
    }
    const current = this.#entries.get(key)
    if (current instanceof Uint8Array && sameBytes(current, accepted.bytes)) return
    // A Yjs delete does not say who deleted: the writer stays unknown.
    this.#reject('erased', key, tag, null)
    this.#restore(key, accepted)
  }

  // ── compaction ───────────────────────────────────────────────────────────

  #maybeCompact(): void {
    const me = this.#author(this.#myTag)
    let loose = 0
    for (const a of me.accepted.values()) if (a.kind === 'update') loose++
    if (loose < this.#opts.compactAfter) return
    this.#compacting = true
    void this.#enqueue(() => this.#compactOwn()).finally(() => (this.#compacting = false))
  }

  /**
   * Replaces this device's loose update entries (and its last snapshot, while
   * small enough) with one signed snapshot, then deletes what it covers.
   * Snapshots cover a contiguous range of the author's own sequence numbers,
   * so honest peers can tell a compaction from an erasure; two devices never
   * compact each other's entries, so concurrent compactions cannot clash.
   */
  async compactNow(): Promise<void> {
    await this.#enqueue(() => this.#compactOwn())
  }

  async #compactOwn(): Promise<void> {
    const me = this.#author(this.#myTag)
    const own = () =>
      [...me.accepted.entries()].filter(([, a]) => a.kind === 'update' || a.kind === 'snapshot').sort((x, y) => x[1].from - y[1].from)
    // 1. The loose run (contiguous from the first loose entry) becomes one snapshot.
    const loose = own().filter(([, a]) => a.kind === 'update')
    if (loose.length >= 2) {
      const run: [string, Accepted][] = []
      let expected = loose[0]![1].from
      for (const part of loose) {
        if (part[1].from !== expected) break
        run.push(part)
        expected = part[1].seq + 1
      }
      if (run.length >= 2 && !(await this.#mergeOwn(run))) return
    }
    // 2. Like an LSM tree: a snapshot absorbs the next one while they are of
    //    similar size, so each byte is rewritten O(log n) times and an author
    //    keeps O(log n) snapshots, however long the history.
    for (;;) {
      const snapshots = own().filter(([, a]) => a.kind === 'snapshot')
      let pair: [[string, Accepted], [string, Accepted]] | null = null
      for (let i = snapshots.length - 1; i > 0 && !pair; i--) {
        const [a, b] = [snapshots[i - 1]!, snapshots[i]!]
        const adjacent = a[1].seq + 1 === b[1].from
        const similar = a[1].bytes.length <= 2 * b[1].bytes.length
        if (adjacent && similar && a[1].bytes.length + b[1].bytes.length <= this.#opts.snapshotBytes) pair = [a, b]
      }
      if (!pair || !(await this.#mergeOwn(pair))) return
    }
  }

  /** Seals one snapshot replacing `parts` (this device's own, contiguous), then deletes them. */
  async #mergeOwn(parts: [string, Accepted][]): Promise<boolean> {
    const payloads: Uint8Array[] = []
    for (const [, a] of parts) {
      const parsed = parseEntry(a.bytes)
      const payload = parsed.ok ? await openEntry(parsed.entry, this.#opts.cipher) : null
      if (!payload) return false
      payloads.push(payload)
    }
    // Replay this author's updates into a scratch doc and encode it: what the
    // author deleted themselves (old field values, swept items) is garbage
    // collected, so expired details leave the history too. Deletions by other
    // members are not folded in, so their writes stay removable.
    // (Merged first: applied one by one, updates whose parents live in an
    // older snapshot would each re-merge Yjs's growing pending set.)
    const scratch = new Y.Doc({ gc: true })
    Y.applyUpdate(scratch, Y.mergeUpdates(payloads))
    const merged = Y.encodeStateAsUpdate(scratch)
    scratch.destroy()
    const me = this.#author(this.#myTag)
    await this.#sealOwn('snapshot', merged, parts[0]![1].from, parts[parts.length - 1]![1].seq)
    this.sealed.transact(() => {
      for (const [key] of parts) this.#entries.delete(key)
    }, SEALED_ORIGIN)
    for (const [key] of parts) me.accepted.delete(key)
    return true
  }
}
