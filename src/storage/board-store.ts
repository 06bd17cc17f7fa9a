import * as Y from 'yjs'
import { breathe, COMPACT_AT, COMPACT_ON_LOAD_AT, encodeUpdates, openRecord, pageEncrypt, readRecords, recordsOf, sealRecord, tagOf, WRITE_BYTES, writeMerged, type RecordEncrypt, type StoreKeys } from './board-records.ts'
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
}

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
  return new EncryptedBoardStore(database, keys, doc, opts.encrypt ?? pageEncrypt, opts.cut ?? ((update) => [update]))
}

export interface StoreOptions {
  /** Where records are encrypted (default: WebCrypto on this thread). */
  readonly encrypt?: RecordEncrypt
  /**
   * Cuts a stored update into parts that, applied in order, leave the doc as
   * the whole would (the board engine's cutter, sealed/split-update.ts, which
   * this layer may not import). Either way the load applies what it read in
   * tasks of about LOAD_SLICE_MS, but without it a stored update is one
   * part however large (a board's merged state is one).
   */
  readonly cut?: (update: Uint8Array) => Iterable<Uint8Array>
}

/** Longest stretch of applying the stored state before the page may run (the engine's slice: sealed/yield.ts). */
export const LOAD_SLICE_MS = 12

/** The parts of every update in turn, each cut only when it is taken. */
function* partsOf(updates: readonly Uint8Array[], cut: (update: Uint8Array) => Iterable<Uint8Array>): Generator<Uint8Array, void, void> {
  for (const update of updates) yield* cut(update)
}

class EncryptedBoardStore implements BoardStore {
  readonly loaded: Promise<void>
  readonly #database: () => Promise<IDBDatabase>
  readonly #keys: StoreKeys
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

  constructor(database: () => Promise<IDBDatabase>, keys: StoreKeys, doc: Y.Doc, encrypt: RecordEncrypt, cut: (update: Uint8Array) => Iterable<Uint8Array>) {
    this.#database = database
    this.#keys = keys
    this.#doc = doc
    this.#encrypt = encrypt
    this.#cut = cut
    doc.on('update', this.#onUpdate)
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
      // In parts, a slice of them a task: applying a large board's state whole held the page 47–62 ms (profiled opens
      // of the 10,000-item board). Nothing else reads the doc before the store is loaded.
      // Each part is made (its bytes copied) as it is taken, so the copying is sliced too.
      const parts = partsOf(loaded.updates, this.#cut)
      let next = parts.next()
      while (!next.done) {
        const until = performance.now() + LOAD_SLICE_MS
        Y.transact(
          this.#doc,
          () => {
            do {
              Y.applyUpdate(this.#doc, next.value as Uint8Array)
              next = parts.next()
            } while (!next.done && performance.now() < until)
          },
          this,
          false,
        )
        if (!next.done) await breathe()
      }
    } finally {
      if (!this.#stopped) this.#doc.on('update', this.#onUpdate)
    }
    if (this.#tags.length - this.#merged >= COMPACT_ON_LOAD_AT) this.#enqueue(() => this.#compact().catch(() => undefined))
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
      if (this.#tags.length - this.#merged >= COMPACT_AT) await this.#compact().catch(() => undefined)
      if (this.#pending.length > 0) await breathe()
    }
    this.#setFailing(false)
  }

  /**
   * The doc's whole state in place of all the records, cut into segments of
   * SEGMENT_BYTES, and the head pointing to them, in one transaction.
   */
  async #compact(): Promise<void> {
    const n = this.#from + this.#tags.length
    const tags = await writeMerged(this.#database, this.#keys, n, encodeUpdates([Y.encodeStateAsUpdate(this.#doc)]), this.#tags, this.#encrypt)
    this.#from = n
    this.#merged = tags.length
    this.#tags = tags
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
    this.#doc.off('update', this.#onUpdate)
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
