import * as Y from 'yjs'
import { breathe, COMPACT_AT, COMPACT_ON_LOAD_AT, encodeUpdates, newStoreSecret, openRecord, pageEncrypt, readRecords, recordsOf, putMerged, sealMerged, sealRecord, storeKeys, tagOf, WRITE_BYTES, writeMerged, type RecordEncrypt, type StoreKeys } from './board-records.ts'
import { applyStored, deletedHeld } from './apply-stored.ts'
import { committed, request } from './idb.ts'
import { RECORDS_STORE } from './vault-db.ts'

// The records' side (board-records.ts), for those who import the store.
export { COMPACT_AT, COMPACT_ON_LOAD_AT, RECORD_BYTES, SEGMENT_BYTES, type RecordEncrypt, boardDatabaseName, deleteBoardRecords, importBoardRecords, newStoreSecret, sealedDatabaseName, storeKeys, type StoreKeys } from './board-records.ts'

/** A board doc's local persistence. */
export interface BoardStore {
  /** Resolves once everything stored has been applied to the doc. */
  readonly loaded: Promise<void>
  /** Resolves once every update made so far is committed to disk. */
  flush(): Promise<void>
  /** Stops persisting (after writing what is pending). The database stays open: it is the device's. */
  destroy(): Promise<void>
  /** One record beside the doc's, overwritten whole: what the sealed engine judged before (SealedBoard's `verdicts`). */
  readonly verdicts: { load(): Promise<Uint8Array | null>; save(bytes: Uint8Array): Promise<void> }
  /** Whether the last write failed: its updates wait in memory for the next write (the next update, or `flush`). */
  readonly failing: boolean
  /** Called with true when a write fails (a full device, storage refused), with false once one commits again. */
  onFailing(cb: (failing: boolean) => void): () => void
  /** Resolves once records holding something the doc deleted have been written again under a new secret (at once, not after FORGET_AFTER_MS), or could not be. */
  forget(): Promise<void>
}

/**
 * Moves the board's records to a new store secret (Keyring.moveStore):
 * `writes` runs in the transaction that commits the keyring naming `secret`.
 * False: nothing was written (no board has this store any more).
 */
export type StoreMove = (secret: Uint8Array, writes: (records: IDBObjectStore) => void) => Promise<boolean>

/**
 * Persists a board doc in the device's one database, encrypted, modelled on
 * y-indexeddb: updates are appended as they happen and, once there are many,
 * rewritten as one (the doc's state). Unlike y-indexeddb it encrypts every
 * record (AES-256-GCM under a key from the board's store secret, the record's
 * key as associated data), keys records by HMACs that say nothing about which
 * board they belong to, and batches what arrives while a write is under way
 * into one record.
 *
 * Record n is written only once record n−1 has committed, so there is never a
 * gap (reading stops at the first missing record). `flush` resolves once
 * every update made before it is committed: that is what the UI waits for
 * before it reports an action as saved. A write that fails (the device is
 * full) drops nothing: its updates go back to the head of the queue and are
 * written with the next write, or by the next `flush`.
 */
export function openBoardStore(database: () => Promise<IDBDatabase>, keys: StoreKeys, doc: Y.Doc, opts: StoreOptions = {}): BoardStore {
  return new EncryptedBoardStore(database, keys, doc, opts.encrypt ?? pageEncrypt, opts.cut ?? ((update) => [update]), opts.move ?? null)
}

export interface StoreOptions {
  /** Where records are encrypted (default: WebCrypto on this thread). */
  readonly encrypt?: RecordEncrypt
  /**
   * Cuts a stored update into parts that, applied in order, leave the doc as
   * the whole would (the board engine's cutter, sealed/split-update.ts, which
   * this layer may not import). Either way the load applies what it read in
   * tasks of about LOAD_SLICE_MS (apply-stored.ts), but without it a stored update is one
   * part however large (a board's merged state is one).
   */
  readonly cut?: (update: Uint8Array) => Iterable<Uint8Array>
  /** How the records move to a new secret once they hold something deleted (the keyring's). Without it they are only merged. */
  readonly move?: StoreMove
}

/**
 * How long after the doc first deletes something its records are written
 * again without it, under a new secret. A compaction's deletions come in a
 * few transactions close together (the snapshot, then the entries it
 * covers, from each author whose history was written again): one rewrite
 * takes them all.
 */
export const FORGET_AFTER_MS = 2_000

/**
 * The least time between two moves of one board's records. Anyone in the
 * room can make a device delete something (junk it writes is removed at
 * once): without it, they could have a large board written again every
 * few seconds. Closing the board moves at once, whatever the spacing.
 */
export const MOVE_SPACING_MS = 30_000

class EncryptedBoardStore implements BoardStore {
  readonly loaded: Promise<void>
  readonly #database: () => Promise<IDBDatabase>
  #keys: StoreKeys
  readonly #move: StoreMove | null
  /** Whether the records may hold something the doc deleted since they were last written again under a new secret. */
  #holdsDeleted = false
  /** When the last move ended (performance.now()). */
  #movedAt = -Infinity
  /** After a move failed: how many records after the merged state the next try waits for. */
  #retryAt = 0
  #forgetTimer: ReturnType<typeof setTimeout> | undefined
  /** A move is queued and has not begun. */
  #forgetQueued = false
  /** The stored records are applied: deletions seen from now on schedule a move at once. */
  #loadedYet = false
  readonly #doc: Y.Doc
  readonly #encrypt: RecordEncrypt
  readonly #cut: (update: Uint8Array) => Iterable<Uint8Array>
  #from = 0
  /** How many of the live records hold the merged state (the first ones); the rest are updates since. */
  #merged = 0
  /** Keys of the live records, from #from on. */
  #tags: string[] = []
  #pending: Uint8Array[] = []
  #scheduled = false
  #chain: Promise<void> = Promise.resolve()
  #error: unknown = null
  #stopped = false
  #failing = false
  readonly #failingListeners = new Set<(failing: boolean) => void>()

  constructor(database: () => Promise<IDBDatabase>, keys: StoreKeys, doc: Y.Doc, encrypt: RecordEncrypt, cut: (update: Uint8Array) => Iterable<Uint8Array>, move: StoreMove | null) {
    this.#database = database
    this.#keys = keys
    this.#doc = doc
    this.#encrypt = encrypt
    this.#cut = cut
    this.#move = move
    doc.on('update', this.#onUpdate)
    // Also while loading: records written before the last rewrite may delete what earlier ones hold.
    doc.on('afterTransaction', this.#onTransaction)
    this.loaded = this.#load()
    this.#chain = this.loaded.catch(() => undefined)
  }

  async #load(): Promise<void> {
    const loaded = await readRecords(this.#database, this.#keys)
    // Joining the state's segments and applying it each copy the whole board: one task each, not both in one (67 ms on the 10,000-item board).
    await breathe()
    this.#from = loaded.from
    this.#merged = loaded.merged
    this.#tags = loaded.tags
    // Not listened to meanwhile: Yjs would encode the whole stored state again for a listener that ignores it.
    this.#doc.off('update', this.#onUpdate)
    try {
      await applyStored(this.#doc, loaded.updates, this.#cut, this)
    } finally {
      if (!this.#stopped) this.#doc.on('update', this.#onUpdate)
    }
    this.#loadedYet = true
    if (this.#holdsDeleted) this.#forgetSoon()
    else if (this.#tags.length - this.#merged >= COMPACT_ON_LOAD_AT) this.#enqueue(() => this.#compact().catch(() => undefined))
  }

  readonly #onTransaction = (tr: Y.Transaction): void => {
    if (this.#stopped || this.#holdsDeleted || !deletedHeld(tr)) return
    this.#holdsDeleted = true
    // Scheduled once loaded (#load), not while the records are still being applied.
    if (this.#forgetTimer === undefined && this.#loadedYet) this.#forgetSoon()
  }

  #forgetSoon(): void {
    if (this.#stopped || this.#forgetTimer !== undefined) return
    const wait = Math.max(FORGET_AFTER_MS, this.#movedAt + MOVE_SPACING_MS - performance.now())
    this.#forgetTimer = setTimeout(() => {
      this.#forgetTimer = undefined
      this.#forgetNext()
    }, wait)
    ;(this.#forgetTimer as { unref?: () => void }).unref?.()
  }

  readonly #onUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || this.#stopped) return
    this.#pending.push(update)
    if (this.#scheduled) return
    this.#scheduled = true
    this.#enqueue(() => this.#writePending())
  }

  #enqueue(work: () => Promise<void>): void {
    this.#chain = this.#chain.then(work).catch((err: unknown) => {
      this.#error = err
    })
  }

  get failing(): boolean {
    return this.#failing
  }

  onFailing(cb: (failing: boolean) => void): () => void {
    this.#failingListeners.add(cb)
    return () => void this.#failingListeners.delete(cb)
  }

  #setFailing(failing: boolean): void {
    if (this.#failing === failing) return
    this.#failing = failing
    for (const cb of [...this.#failingListeners]) cb(failing)
  }

  async #writePending(): Promise<void> {
    // A task of its own, not part of the one that made the change (applying a large piece of a sync, say).
    await breathe()
    this.#scheduled = false
    while (this.#pending.length > 0) {
      let count = 1
      let size = this.#pending[0]!.length
      while (count < this.#pending.length && size + this.#pending[count]!.length <= WRITE_BYTES) size += this.#pending[count++]!.length
      const updates = this.#pending.splice(0, count)
      const n = this.#from + this.#tags.length
      let tags: string[]
      try {
        const records = recordsOf(updates)
        tags = await Promise.all(records.map((_, i) => tagOf(this.#keys, n + i)))
        const values = await Promise.all(records.map((record, i) => sealRecord(this.#keys, tags[i]!, record, this.#encrypt)))
        const tx = (await this.#database()).transaction(RECORDS_STORE, 'readwrite')
        const store = tx.objectStore(RECORDS_STORE)
        for (const [i, value] of values.entries()) store.put(value, tags[i]!)
        await committed(tx)
      } catch (err) {
        // Kept, in order, for the next write: a failed write drops nothing this device holds.
        this.#pending.unshift(...updates)
        this.#setFailing(true)
        throw err
      }
      this.#tags.push(...tags)
      // Rewriting the records as one only saves space: where it fails (a full device), the records stay as they are.
      if (this.#tags.length - this.#merged >= Math.max(COMPACT_AT, this.#retryAt)) await this.#compact().catch(() => undefined)
      if (this.#pending.length > 0) await breathe()
    }
    this.#setFailing(false)
  }

  /**
   * The doc's whole state in place of all the records, cut into segments of
   * SEGMENT_BYTES, and the head pointing to them, in one transaction. Once
   * the records hold something the doc deleted, under a new secret
   * (`#moveRecords`); merged under the same one only where they cannot move.
   */
  async #compact(): Promise<void> {
    if (this.#holdsDeleted && this.#move) {
      // A move that fails leaves the records as they are, deletions included, for the next opening to find and
      // move (merged, they would hide them). Tried again after COMPACT_AT more records, or the next deletion.
      const moved = await this.#moveRecords().catch(() => null)
      if (moved === null) this.#retryAt = this.#tags.length - this.#merged + COMPACT_AT
      if (moved !== false) return
      // No board in the keyring has this store any more (left meanwhile): its records are only merged.
      this.#holdsDeleted = false
    }
    this.#retryAt = 0
    const n = this.#from + this.#tags.length
    const tags = await writeMerged(this.#database, this.#keys, n, encodeUpdates([Y.encodeStateAsUpdate(this.#doc)]), this.#tags, this.#encrypt)
    this.#from = n
    this.#merged = tags.length
    this.#tags = tags
  }

  /**
   * Writes the doc's whole state again under a new store secret, with the
   * verdicts, and deletes every record under the old one, in the
   * transaction that commits the keyring naming the new secret under a new
   * root key (StoreMove). Deleting a record leaves its bytes on the disk
   * for a while (LevelDB keeps them until it compacts its files, flash
   * longer still); moved this way, what is left has no key anywhere. The
   * state taken includes every update not yet written: they are not
   * written again under either secret. Nothing changes if the move fails.
   */
  async #moveRecords(): Promise<boolean> {
    const secret = newStoreSecret()
    const [keys, verdictsTag, headTag] = await Promise.all([storeKeys(secret), tagOf(this.#keys, 'verdicts'), tagOf(this.#keys, 'head')])
    const verdictsValue: unknown = await request((await this.#database()).transaction(RECORDS_STORE, 'readonly').objectStore(RECORDS_STORE).get(verdictsTag))
    // Only what the engine judged before: a damaged record is left out, and judged again next time.
    const verdicts = verdictsValue === undefined ? null : await openRecord(this.#keys, verdictsTag, verdictsValue).catch(() => null)
    // Deletions from here on are in the next move.
    this.#holdsDeleted = false
    const pending = this.#pending.splice(0)
    const state = encodeUpdates([Y.encodeStateAsUpdate(this.#doc)])
    let moved = false
    try {
      const merged = await sealMerged(keys, 0, state, this.#encrypt)
      const newVerdictsTag = await tagOf(keys, 'verdicts')
      const newVerdicts = verdicts && (await sealRecord(keys, newVerdictsTag, verdicts))
      const old = [...this.#tags, headTag, verdictsTag]
      moved = await this.#move!(secret, (store) => {
        putMerged(store, merged)
        if (newVerdicts) store.put(newVerdicts, newVerdictsTag)
        for (const tag of old) store.delete(tag)
      })
      if (moved) {
        this.#movedAt = performance.now()
        this.#retryAt = 0
        this.#keys = keys
        this.#from = 0
        this.#merged = merged.tags.length
        this.#tags = merged.tags
      }
      return moved
    } finally {
      if (!moved) {
        this.#pending.unshift(...pending)
        this.#holdsDeleted = true
      }
    }
  }

  async forget(): Promise<void> {
    await this.loaded
    clearTimeout(this.#forgetTimer)
    this.#forgetTimer = undefined
    this.#forgetNext()
    await this.#chain
  }

  /** Queues one move (the timer's and a closing's are the same one), which looks whether it is still needed when its turn comes. */
  #forgetNext(): void {
    if (this.#forgetQueued || this.#stopped) return
    this.#forgetQueued = true
    this.#enqueue(async () => {
      this.#forgetQueued = false
      if (this.#holdsDeleted && !this.#stopped) await this.#compact().catch(() => undefined)
    })
  }

  async flush(): Promise<void> {
    await this.loaded
    // What a failed write kept is written now, with or without a new update.
    if (this.#pending.length > 0 && !this.#scheduled) {
      this.#scheduled = true
      this.#enqueue(() => this.#writePending())
    }
    await this.#chain
    const error = this.#error
    this.#error = null
    if (error) throw error
  }

  async destroy(): Promise<void> {
    await this.flush().catch(() => undefined)
    this.#stopped = true
    clearTimeout(this.#forgetTimer)
    this.#forgetTimer = undefined
    this.#doc.off('update', this.#onUpdate)
    this.#doc.off('afterTransaction', this.#onTransaction)
  }

  readonly verdicts = {
    load: async (): Promise<Uint8Array | null> => {
      const tag = await tagOf(this.#keys, 'verdicts')
      const value: unknown = await request((await this.#database()).transaction(RECORDS_STORE, 'readonly').objectStore(RECORDS_STORE).get(tag))
      return value === undefined ? null : openRecord(this.#keys, tag, value)
    },
    /** Written in turn with the doc's records; a save after `destroy` writes nothing. */
    save: (bytes: Uint8Array): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        this.#enqueue(async () => {
          try {
            if (!this.#stopped) {
              const tag = await tagOf(this.#keys, 'verdicts')
              const value = await sealRecord(this.#keys, tag, bytes)
              const tx = (await this.#database()).transaction(RECORDS_STORE, 'readwrite')
              tx.objectStore(RECORDS_STORE).put(value, tag)
              await committed(tx)
            }
            resolve()
          } catch (e) {
            reject(e)
          }
        })
      }),
  }
}
