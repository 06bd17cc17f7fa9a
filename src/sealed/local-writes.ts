import * as Y from 'yjs'
import { LocalBatch, onlyOwn } from './local-batch.ts'
import { LOCAL_ORIGIN, SEALED_ORIGIN } from './origins.ts'
import type { OwnEntries } from './own-entries.ts'

/** Largest update sealed as one entry (the entry limit is 1 MiB, with room for the header and heads). */
const MAX_BATCH_BYTES = 900 * 1024

/** What sealing the readable doc's local changes needs from the engine. */
export interface LocalWritesContext {
  readonly own: OwnEntries
  /** Compact own entries once this many are not covered by a snapshot. */
  readonly compactAfter: number
  /** Once something of this device's was deleted, compact when it has sealed nothing for this long (ms; 0: never). */
  readonly compactWhenQuiet: number
  /** This device's Yjs client id in the readable doc (its structs). */
  readonly client: number
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
 * latency of a single change does not grow. Changes made in later tasks
 * while that sealing still waits for its turn (the engine busy sealing the
 * ones before, or reading what arrived) join it (`flush`).
 *
 * The changes are encoded once, when sealed (local-batch.ts): the doc is
 * followed through `'afterTransaction'`, for which Yjs encodes nothing. A
 * transaction that writes structs under another client's id (the app never
 * does) is taken as Yjs encodes it, in its place in the order.
 *
 * Compaction: after `compactAfter` loose entries (sealed on top of the
 * history until it has grown by a quarter, then the history written again whole:
 * compaction.ts), and once this device has been quiet for
 * `compactWhenQuiet` after something of its own was deleted.
 * What was deleted or edited away (an address, a post taken down) leaves the
 * stored history only when its author's device compacts (compaction.ts):
 * 10 s after the session that deleted it ends (or, if the board was
 * closed before, 10 s into the next session), rather than 200 entries
 * later. The deletion may be this device's own (an edit, a deleted post, an
 * expiry) or another's (a moderator took a post down): the history is then
 * written again whole even with nothing loose, if that folds something in.
 * A rewrite sends the author's whole history to every member online, so a
 * session that only added posts does not start one, and none starts while
 * writes go on.
 */
export class LocalWrites {
  readonly #ctx: LocalWritesContext
  /** The run of own transactions not encoded yet. */
  #open: LocalBatch | null = null
  /** Changes encoded, not sealed yet, in order, with the readable doc they were made on (a run's parts each under the size limit). */
  #ready: { parts: Uint8Array[]; doc: Y.Doc }[] = []
  #flushQueued = false
  /** A sealing is queued and has not begun: what changes until it begins is sealed with it. */
  #sealQueued = false
  #listening = false
  #compacting = false
  /** Loose entries at which compaction is tried again, when the last try left them loose (nothing it could seal). */
  #retryAt = 0
  #quiet: ReturnType<typeof setTimeout> | undefined
  /** Some of this device's structs were deleted (by it or by another device) since the last compaction began. */
  #deleted = false
  /** The board opened with content of this device: whether its history still holds anything deleted is still to read. */
  #readOnOpen = false

  constructor(ctx: LocalWritesContext) {
    this.#ctx = ctx
  }

  /** From now on, local changes to `doc` are sealed; what a session that ended before its quiet compaction deleted is folded in once quiet. */
  listen(doc: Y.Doc): void {
    doc.on('afterTransaction', this.#onTransaction)
    this.#listening = true
    // Whether its history still holds anything deleted is read once quiet, not on the opening's path.
    if (this.#ctx.compactWhenQuiet > 0 && this.#ctx.own.holdsContent) {
      this.#readOnOpen = true
      this.#waitForQuiet()
    }
  }

  stop(doc: Y.Doc): void {
    this.#listening = false
    clearTimeout(this.#quiet)
    this.#close()
    doc.off('afterTransaction', this.#onTransaction)
  }

  /** Stops listening to `doc` while the engine writes to it or replaces it; what this device changed so far is encoded now. */
  detach(doc: Y.Doc): void {
    if (this.#open?.doc === doc) this.#close()
    if (this.#listening) doc.off('afterTransaction', this.#onTransaction)
  }

  attach(doc: Y.Doc): void {
    if (this.#listening) doc.on('afterTransaction', this.#onTransaction)
  }

  readonly #onTransaction = (tr: Y.Transaction): void => {
    if (tr.origin === SEALED_ORIGIN || tr.origin === LOCAL_ORIGIN) {
      // Never sealed. The run so far is encoded as it stands before it: what this wrote or deleted is not the run's.
      if (this.#open?.doc === tr.doc) this.#close()
      if (tr.origin === SEALED_ORIGIN) this.engineWrote(tr)
      return
    }
    const own = tr.doc.clientID
    const ownOnly = onlyOwn(tr)
    // Nothing written, nothing deleted: nothing to seal.
    if (ownOnly && tr.deleteSet.clients.size === 0 && (tr.afterState.get(own) ?? 0) === (tr.beforeState.get(own) ?? 0)) return
    // Text of this device's own deleted or edited away: its history is written again once it is quiet.
    if (tr.deleteSet.clients.has(this.#ctx.client)) this.#deleted = true
    if (!this.#flushQueued) {
      this.#flushQueued = true
      queueMicrotask(() => this.flush())
    }
    if (this.#open && !this.#open.continues(tr)) this.#close()
    if (ownOnly) (this.#open ??= new LocalBatch(tr.doc)).add(tr)
    else this.#capture(tr)
  }

  /** The engine applied others' entries to the readable doc in `tr`: a deletion of this device's structs starts the wait for quiet. */
  engineWrote(tr: Y.Transaction): void {
    if (!this.#listening || !tr.deleteSet.clients.has(this.#ctx.client)) return
    this.#deleted = true
    this.#waitForQuiet()
  }

  /** Encodes the open run, after what came before it. */
  #close(): void {
    const open = this.#open
    if (!open) return
    this.#open = null
    const parts = open.take(MAX_BATCH_BYTES)
    if (parts.length > 0) this.#ready.push({ parts, doc: open.doc })
  }

  /** A transaction that is not a run of this device's own: Yjs encodes it (an `'update'` listener for it alone). */
  #capture(tr: Y.Transaction): void {
    const doc = tr.doc
    const slot: { parts: Uint8Array[]; doc: Y.Doc } = { parts: [], doc }
    this.#ready.push(slot)
    const onUpdate = (update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction): void => {
      if (transaction !== tr) return
      doc.off('update', onUpdate)
      slot.parts.push(update)
    }
    doc.on('update', onUpdate)
  }

  /**
   * Queues the sealing of every local change so far, unless one is queued
   * already: changes made while the engine is busy (sealing the last ones, or
   * reading what arrived) join the sealing that waits, and the run they
   * continue stays open until it begins. Each would have waited as long for
   * its own turn, so none waits longer, and a stream of changes made in
   * separate tasks (a sweep, taps in a row) costs one entry per turn, not one
   * each.
   */
  flush(): void {
    this.#flushQueued = false
    if (this.#sealQueued) return
    this.#close()
    if (this.#ready.length === 0) return
    this.#sealQueued = true
    const { own } = this.#ctx
    void this.#ctx.run(async () => {
      this.#sealQueued = false
      this.#close()
      const entries = entriesOf(this.#ready)
      this.#ready = []
      for (const { update, doc } of entries) {
        // Made on a readable doc that a rebuild has since replaced: apply them to the new one like anyone's.
        await own.sealUpdate(update, doc === this.#ctx.readable())
      }
      if (!this.#compacting) this.#maybeCompact()
      if (this.#deleted || this.#readOnOpen) this.#waitForQuiet()
    })
  }

  #maybeCompact(): void {
    const { own, compactAfter } = this.#ctx
    if (own.loose < Math.max(compactAfter, this.#retryAt)) return
    this.#compact(false, () => {
      // Not every write again: another round of loose entries first.
      this.#retryAt = own.loose >= compactAfter ? own.loose + compactAfter : 0
    })
  }

  /** (Re)starts the wait after this device's last write; when it ends, the history is compacted with what was deleted folded in. */
  #waitForQuiet(): void {
    const ms = this.#ctx.compactWhenQuiet
    if (ms <= 0 || !this.#listening) return
    clearTimeout(this.#quiet)
    this.#quiet = setTimeout(() => {
      this.#quiet = undefined
      if (!this.#listening) return
      // A compaction under way (200 loose entries) may not have folded what came since: wait again after it.
      if (this.#compacting) return this.#waitForQuiet()
      if (this.#readOnOpen) {
        this.#readOnOpen = false
        if (this.#ctx.own.unfolded()) this.#deleted = true
      }
      if (this.#deleted) this.#compact(true)
    }, ms)
    // Never what keeps a Node process running.
    ;(this.#quiet as { unref?: () => void }).unref?.()
  }

  /** `fold`: the whole history is rewritten even with nothing loose, if that folds in what was deleted. */
  #compact(fold: boolean, then?: () => void): void {
    this.#compacting = true
    // What was deleted so far is folded in by this compaction (it reads the readable doc as it is then), unless it
    // seals what was loose on top of the history: then the history may still hold it, for the quiet one.
    const deleted = this.#deleted
    this.#deleted = false
    void this.#ctx
      .run(async () => {
        if ((await this.#ctx.own.compact({ fold })) === 'on top' && deleted) {
          this.#deleted = true
          this.#waitForQuiet()
        }
      })
      .finally(() => {
        this.#compacting = false
        then?.()
      })
  }
}

/**
 * The entries to seal, in order: what was encoded apart (a run's parts, a
 * transaction Yjs encoded) is joined while it is on the same doc and the
 * entry stays under the size limit, merged by Y.mergeUpdates. A task that
 * wrote only this device's own changes, under the limit, is one part: one
 * entry, never merged.
 */
function entriesOf(ready: readonly { parts: readonly Uint8Array[]; doc: Y.Doc }[]): { update: Uint8Array; doc: Y.Doc }[] {
  const out: { updates: Uint8Array[]; bytes: number; doc: Y.Doc }[] = []
  for (const { parts, doc } of ready) {
    for (const update of parts) {
      const last = out[out.length - 1]
      if (last && last.doc === doc && last.bytes + update.byteLength <= MAX_BATCH_BYTES) {
        last.updates.push(update)
        last.bytes += update.byteLength
      } else out.push({ updates: [update], bytes: update.byteLength, doc })
    }
  }
  return out.map(({ updates, doc }) => ({ update: updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates), doc }))
}
