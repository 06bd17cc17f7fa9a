import * as Y from 'yjs'
import { LocalBatch } from './local-batch.ts'
import { LOCAL_ORIGIN, SEALED_ORIGIN } from './origins.ts'
import type { OwnEntries } from './own-entries.ts'

/** Largest update sealed as one entry (the entry limit is 1 MiB, with room for the header and heads). */
const MAX_BATCH_BYTES = 900 * 1024

/** What sealing the readable doc's local changes needs from the engine. */
export interface LocalWritesContext {
  readonly own: OwnEntries
  /** Compact own entries once this many are not covered by a snapshot. */
  readonly compactAfter: number
  /** The readable doc as it is now (a rebuild replaces it). */
  readable(): Y.Doc
  /** Runs engine work in turn (task-queue.ts). */
  run(task: () => Promise<void>): Promise<void>
}

/**
 * Changes made on the readable doc by this device (the app, a sweep) become
 * entries. Batch sealing: every change made in the same task (one user
 * action, a sweep, a burst of posts from a script) is sealed as ONE entry at
 * the end of that task, so each change does not pay its own encryption and
 * signature. A microtask is the window: nothing waits for a timer, so the
 * latency of a single change does not grow.
 */
export class LocalWrites {
  readonly #ctx: LocalWritesContext
  /** Local changes not sealed yet (and the readable doc they were made on): the changes of one task become one entry, cut under the size limit. */
  #local: LocalBatch[] = []
  #localDoc: Y.Doc | null = null
  #listening = false
  #compacting = false
  /** Loose entries at which compaction is tried again, when the last try left them loose (nothing it could seal). */
  #retryAt = 0

  constructor(ctx: LocalWritesContext) {
    this.#ctx = ctx
  }

  /** From now on, local changes to `doc` are sealed. */
  listen(doc: Y.Doc): void {
    doc.on('update', this.#onUpdate)
    this.#listening = true
  }

  stop(doc: Y.Doc): void {
    this.#listening = false
    doc.off('update', this.#onUpdate)
  }

  /** Stops listening to `doc` while the engine writes to it (Yjs encodes every transaction for 'update' listeners, and encoding is not free) or replaces it. */
  detach(doc: Y.Doc): void {
    if (this.#listening) doc.off('update', this.#onUpdate)
  }

  attach(doc: Y.Doc): void {
    if (this.#listening) doc.on('update', this.#onUpdate)
  }

  readonly #onUpdate = (update: Uint8Array, origin: unknown, _doc: Y.Doc, tr: Y.Transaction | null): void => {
    if (origin === SEALED_ORIGIN || origin === LOCAL_ORIGIN) return
    if (this.#local.length === 0) queueMicrotask(() => this.flush())
    let batch = this.#local[this.#local.length - 1]
    if (!batch || (batch.bytes > 0 && batch.bytes + update.byteLength > MAX_BATCH_BYTES)) this.#local.push((batch = new LocalBatch()))
    batch.add(update, tr)
    this.#localDoc = this.#ctx.readable()
  }

  /** Queues the sealing of every local change so far. */
  flush(): void {
    const batches = this.#local
    const doc = this.#localDoc
    if (batches.length === 0) return
    this.#local = []
    const { own } = this.#ctx
    void this.#ctx.run(async () => {
      // Made on a readable doc that a rebuild has since replaced: apply them to the new one like anyone's.
      const speculative = doc === this.#ctx.readable()
      // One entry per batch (each under the size limit), in order.
      for (const batch of batches) {
        const update = batch.take()
        if (update) await own.sealUpdate(update, speculative)
      }
      if (!this.#compacting) this.#maybeCompact()
    })
  }

  #maybeCompact(): void {
    const { own, compactAfter } = this.#ctx
    if (own.loose < Math.max(compactAfter, this.#retryAt)) return
    this.#compacting = true
    void this.#ctx
      .run(() => own.compact())
      .finally(() => {
        this.#compacting = false
        // Not every write again: another round of loose entries first.
        this.#retryAt = own.loose >= compactAfter ? own.loose + compactAfter : 0
      })
  }
}
