import * as Y from 'yjs'
import { breathe } from './board-records.ts'

/** Longest stretch of applying the stored state before the page may run (the engine's slice: sealed/yield.ts). */
export const LOAD_SLICE_MS = 12

/** The parts of every update in turn, each cut only when it is taken; `starts`: the first part of an update. */
function* partsOf(updates: readonly Uint8Array[], cut: (update: Uint8Array) => Iterable<Uint8Array>): Generator<{ readonly part: Uint8Array; readonly starts: boolean }, void, void> {
  for (const update of updates) {
    let starts = true
    for (const part of cut(update)) {
      yield { part, starts }
      starts = false
    }
  }
}

/**
 * Applies a board's stored updates to its doc (origin `origin`), in parts,
 * a slice of them a task: applying a large board's state whole held the
 * page 47–62 ms (profiled opens of the 10,000-item board). Each part is made
 * (its bytes copied) as it is taken, so the copying is sliced too. Each
 * stored update starts a transaction of its own: one that deletes what an
 * earlier one brought is seen deleting something the doc held
 * (`deletedHeld`), not as something that arrived deleted.
 */
export async function applyStored(doc: Y.Doc, updates: readonly Uint8Array[], cut: (update: Uint8Array) => Iterable<Uint8Array>, origin: unknown): Promise<void> {
  const parts = partsOf(updates, cut)
  let next = parts.next()
  while (!next.done) {
    const until = performance.now() + LOAD_SLICE_MS
    do {
      Y.transact(
        doc,
        () => {
          do {
            Y.applyUpdate(doc, next.value!.part)
            next = parts.next()
          } while (!next.done && !next.value.starts && performance.now() < until)
        },
        origin,
        false,
      )
    } while (!next.done && performance.now() < until)
    if (!next.done) await breathe()
  }
}

/**
 * Whether a transaction deleted something the doc held before it: then
 * stored records hold what it deleted (an entry a compaction covered, junk
 * removed). Items that arrive already deleted (a merged state, a peer's
 * sync) are never content here.
 */
export function deletedHeld(tr: Y.Transaction): boolean {
  for (const [client, ranges] of tr.deleteSet.clients) {
    const before = tr.beforeState.get(client) ?? 0
    if (ranges.some((r) => r.clock < before)) return true
  }
  return false
}
