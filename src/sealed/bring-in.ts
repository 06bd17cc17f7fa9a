import * as Y from 'yjs'
import type { CompactionContext } from './compaction.ts'
import { toDeleteSet, type Deletions } from './deletions.ts'
import { APPLY_PART_BYTES } from './pump.ts'
import { splitUpdate } from './split-update.ts'
import { encodeStructs } from './update-encoder.ts'
import type { Slices } from './yield.ts'

/** How much of someone else's history is brought into a replay at once (clocks: a post's field, or a character of its text). */
const BRING_CLOCKS = 4_000

/**
 * Brings into a replay that waits what the author's structs build on —
 * someone else's structs this device holds (a member's post a moderator
 * pinned), without their deletions — so that the author's structs
 * integrate, and what was deleted of them is collected. Then writes the
 * author's structs (from `start` on, or all of them when null) with
 * `deleted` (what the parts' entries deleted, and the folded deletions) or,
 * when null, the delete set the replay held before anything was brought in:
 * the author's own deletions and those of others' structs their entries
 * made, none of others' structs, and no deletion of theirs. Null (the replay may hold
 * others' structs by then) if anything still waits: an entry of theirs
 * this device could not read, a struct it does not hold (rarely, a
 * struct brought in that builds on one of the author's the replay does
 * not hold).
 */
export async function onOthers(ctx: CompactionContext, scratch: Y.Doc, start: number | null, slices: Slices, deleted: Deletions | null): Promise<Uint8Array | null> {
  if (!ctx.structsOf) return null
  const { store } = scratch
  // A history under the author's one client id only (a version 1 entry wrote under an older one).
  for (const client of store.clients.keys()) if (client !== ctx.client) return null
  // What the replay would write as its delete set (Yjs keeps the deletions that wait as a version 2 update), or what the parts deleted.
  let ds = deleted ? toDeleteSet(deleted) : Y.mergeDeleteSets([Y.createDeleteSetFromStructStore(store), ...(store.pendingDs ? [Y.decodeUpdateV2(store.pendingDs).ds] : [])])
  // Each client brought in a part at a time (another round brings the next, if still needed), from the clock the replay
  // has of it; again from the same clock would change nothing.
  const brought = new Map<number, number>()
  for (let pending = store.pendingStructs; pending !== null; pending = store.pendingStructs) {
    let more = false
    // A copy: Yjs updates what is missing as structs are brought in.
    for (const client of [...pending.missing.keys()]) {
      const from = Y.getState(store, client)
      if (client === ctx.client || brought.get(client) === from) continue
      const structs = ctx.structsOf(client, from, from + BRING_CLOCKS)
      if (!structs) continue
      brought.set(client, from)
      more = true
      for (const part of splitUpdate(structs, APPLY_PART_BYTES)) {
        Y.applyUpdate(scratch, part)
        await slices.breathe()
      }
    }
    if (!more) break
  }
  if (store.pendingStructs !== null) return null
  // Deletions by others of the author's structs that were waiting too.
  const fold = ctx.deletions(Y.getState(store, ctx.client))
  if (fold) {
    Y.applyUpdate(scratch, fold)
    ds = Y.mergeDeleteSets([ds, Y.decodeUpdate(fold).ds])
  }
  const from = new Map<number, number>()
  for (const client of brought.keys()) from.set(client, Y.getState(store, client))
  if (start !== null) from.set(ctx.client, start)
  return encodeStructs(scratch, Y.encodeStateVector(from), ds)
}
