import * as Y from 'yjs'
import type { ClockRange } from './authority.ts'
import type { AuthorLog, Done } from './author-log.ts'
import { decodeContent } from './payloads.ts'
import { APPLY_PART_BYTES } from './pump.ts'
import { onOthers } from './bring-in.ts'
import { deletionsOf, toDeleteSet, union, type Deletions } from './deletions.ts'
import { splitUpdate } from './split-update.ts'
import { encodeStateAsUpdate, encodeStructs, UpdateEncoder } from './update-encoder.ts'
import { Slices } from './yield.ts'
import type { KeptHistory, Refusals } from './compaction-memory.ts'

/**
 * Each device compacts only its own content entries, then deletes the
 * entries a snapshot covers. Replaying the author's updates into a scratch
 * doc garbage-collects what was deleted (old field values, swept items,
 * posts a moderator took down), so that text leaves the history too; deleted
 * maps keep their tombstones (`gcFilter`), so every struct keeps its place
 * and who may delete it can still be judged (authority.ts).
 *
 * When all of the author's content entries form one run (nothing else of
 * theirs between them: a member who never changed the membership), every
 * compaction rewrites them all as one snapshot, from the author's first
 * struct: Yjs integrates the whole history, so everything deleted since,
 * by the author or by anyone allowed to (`deletions`), is collected, and the
 * history tracks the live board. Otherwise (membership and profile entries
 * are never compacted: they break runs) the last run — what the author wrote
 * since their latest membership or profile entry — is written again as one
 * snapshot when something is new in it, then the loose run becomes one
 * snapshot and snapshots merge LSM-style: a snapshot absorbs the next one
 * while they are of similar size. Each of these is replayed after the
 * author's content before it, so Yjs integrates it and collects what was
 * deleted in it, and only its own structs are written; a run closed by a
 * membership or profile entry is never written again whole, so what was
 * deleted in it afterwards stays (THREAT_MODEL.md). A replay that waits on
 * someone else's structs (a moderator's pin is written inside a member's
 * post) is given them from this device's readable doc (`onOthers`), and only
 * the author's own structs and deletions are written. Where this device
 * cannot replay that content (an entry it could not read, a struct it does
 * not hold), the parts are merged alone and Yjs collects nothing in them.
 * Entries of the author that were refused count as the placeholder every
 * device filled in for them.
 */
export interface CompactionContext {
  readonly log: AuthorLog
  readonly snapshotBytes: number
  placeholder(range: ClockRange): Uint8Array
  /** Seals the snapshot and handles it in its turn; its key. `seq` null: the author's next sequence number. */
  seal(merged: Uint8Array, from: number, seq: number | null): Promise<string>
  /** The sequence number the author's next entry takes. */
  nextSeq(): number
  drop(keys: readonly string[]): void
  readonly gcFilter: (item: Y.Item) => boolean
  /** The author's Yjs client id (of their readable doc). */
  readonly client: number
  /**
   * The deletions this device's readable doc holds of the author's structs
   * below `upTo` that the author may make themselves (a delete set as an
   * update), or null: what the author and others deleted, folded into a
   * rewrite of the whole history.
   */
  deletions(upTo: number): Uint8Array | null
  /**
   * Whether the author's snapshot from `from` to `seq` with this update would be
   * accepted now (a snapshot is judged with the rights its author has when it
   * is written, and stands for every entry it covers): one that would not is
   * never sealed, and its parts stay as they are.
   */
  admissible(update: Uint8Array, from: number, seq: number): boolean | Promise<boolean>
  /**
   * Someone else's structs this device holds, from `from` on (to the first
   * that reaches `upTo`), without deletions (an update), or null if it holds
   * none there: what the author's structs may build on (a moderator's pin on
   * a member's post), brought into a replay so that they integrate.
   */
  structsOf?(client: number, from: number, upTo: number): Uint8Array | null
  /** Snapshots refused under the circle as it is now, if the device remembers them: not replayed and judged again. */
  readonly refusals?: Refusals
  /** The author's history as last written whole, kept between compactions, if the device keeps it. */
  readonly history?: KeptHistory
  /**
   * Rewrites the whole history even with nothing loose (others deleted some
   * of the author's structs), when the rewrite folds something in: one that
   * changes nothing is not sealed.
   */
  readonly fold?: boolean
}

const isContent = (d: Done) => d.entry.header.kind === 'update' || d.entry.header.kind === 'snapshot'

/** The author's content entries (updates and snapshots) handled so far, in sequence order. */
export function contentEntries(log: AuthorLog): Done[] {
  return [...log.done.values()].filter(isContent).sort((a, b) => a.entry.header.from - b.entry.header.from)
}

/** Whether content entries, in order, follow one another with nothing else of the author's between them: one run. */
export function isOneRun(entries: readonly Done[]): boolean {
  return entries.every((d, i) => i === 0 || entries[i - 1]!.entry.header.seq + 1 === d.entry.header.from)
}

/** The Yjs update an applied content entry holds, or null (not applied, not readable here, or not content). */
export function updateOf(d: Done): Uint8Array | null {
  if (d.outcome !== 'applied' || !d.plain) return null
  return d.entry.header.version === 1 ? d.plain : (decodeContent(d.plain)?.update ?? null)
}

/**
 * Compacts the author's content entries. 'on top': the loose run was sealed
 * on top of the history (onTop), which may still hold text deleted since it
 * was last written whole, for a fold to take out.
 */
export async function compactOwn(ctx: CompactionContext): Promise<'on top' | 'done'> {
  const own = () => contentEntries(ctx.log)
  // 0. One run in all, with something new in it (a loose entry, or what others deleted: `fold`): the whole history is written again as one snapshot.
  const all = own()
  const chained = isOneRun(all)
  const size = all.reduce((n, d) => n + d.bytes.length, 0)
  const news = (all.some((d) => d.entry.header.kind === 'update') && all.length >= 2) || (ctx.fold === true && all.length >= 1)
  if (chained && news && size <= ctx.snapshotBytes) {
    // Not grown by a quarter (GROWTH) since it was last written whole, with that replay kept: the loose run becomes one more
    // snapshot on top of it (onTop), and the whole is written again once it has grown, or for a fold. A whole
    // rewrite costs O(history) on every device (sealed, sent, checked, applied), so one at every compaction made a
    // prolific author's history cost O(n²) in all; rewritten as it grows by a quarter, O(n).
    if (ctx.fold !== true && !grown(all) && (await onTop(ctx, all))) return 'on top'
    if (await merge(ctx, all, true)) return 'done'
  }
  // 0'. Several runs (a membership or profile entry of theirs between posts): the last run, with something new in
  // it, is written again as one snapshot, replayed after the runs before it, so what was deleted in it is collected.
  if (!chained && news) {
    const last = lastRun(all)
    if ((last.length >= 2 || ctx.fold === true) && last.reduce((n, d) => n + d.bytes.length, 0) <= ctx.snapshotBytes) await merge(ctx, last)
  }
  // 1. The loose run (contiguous from the first loose entry) becomes one snapshot (a merge that seals nothing changes nothing).
  for (const run of looseRuns(own())) {
    if (run.length < 2) break
    const why = { refused: false }
    if (await merge(ctx, run, false, why)) break
    if (!why.refused) return 'done'
    // A run that would be refused whole was written under rights its author no longer has (a moderator's pin, and the
    // moderator made a member since): it stays as written. What they wrote after it with the rights they have now is
    // merged apart; if there is none, the next loose run is, so that their history does not grow for good.
    const tail = withLatestRights(run)
    if (tail.length >= 2) {
      if (await merge(ctx, tail)) break
      return 'done'
    }
  }
  // 2. Adjacent snapshots of similar size merge, while they fit.
  for (;;) {
    const snapshots = own().filter((d) => d.entry.header.kind === 'snapshot')
    let pair: [Done, Done] | null = null
    for (let i = snapshots.length - 1; i > 0 && !pair; i--) {
      const [a, b] = [snapshots[i - 1]!, snapshots[i]!]
      const adjacent = a.entry.header.seq + 1 === b.entry.header.from
      const similar = a.bytes.length <= 2 * b.bytes.length
      if (adjacent && similar && a.bytes.length + b.bytes.length <= ctx.snapshotBytes) pair = [a, b]
    }
    if (!pair || !(await merge(ctx, pair))) return 'done'
  }
}

/** Growth of a history since it was last written whole (as a share of that snapshot) before it is written whole again. */
export const GROWTH = 0.25

/** Whether the history (one run) grew by GROWTH since its head, a snapshot, was written, or was never written whole. */
function grown(all: readonly Done[]): boolean {
  const head = all[0]!
  if (head.entry.header.kind !== 'snapshot') return true
  let since = 0
  for (let i = 1; i < all.length; i++) since += all[i]!.bytes.length
  return since >= GROWTH * head.bytes.length
}

/**
 * The loose run at the end of a history (one run) sealed as one snapshot on
 * top of the replay kept of the rest (the snapshot last written whole, and
 * those sealed on top of it since): only the run is applied and written,
 * with what it deleted. False, and nothing sealed, where nothing is kept for
 * the rest or the run is not two loose entries or more.
 */
async function onTop(ctx: CompactionContext, all: readonly Done[]): Promise<boolean> {
  const held = ctx.history?.holds(all) ?? 0
  const run = all.slice(held)
  if (held === 0 || run.length < 2 || run.some((d) => d.entry.header.kind !== 'update')) return false
  return merge(ctx, run, false, undefined, all.slice(0, held))
}

/** The author's loose entries (in order) in runs that follow one another. */
function looseRuns(all: readonly Done[]): Done[][] {
  const runs: Done[][] = []
  let expected = -1
  for (const d of all) {
    if (d.entry.header.kind !== 'update') {
      expected = -1
      continue
    }
    if (d.entry.header.from === expected) runs[runs.length - 1]!.push(d)
    else runs.push([d])
    expected = d.entry.header.seq + 1
  }
  return runs
}

/** The entries of `run` after the last judged with other rights than its last: what its author wrote with the rights they have now. */
function withLatestRights(run: readonly Done[]): Done[] {
  const latest = run[run.length - 1]!.judgedWith
  if (latest === undefined) return []
  let i = run.length
  while (i > 0 && run[i - 1]!.judgedWith === latest) i--
  return i === 0 ? [] : run.slice(i)
}

/** The author's content entries (in order) after the last that is not followed by the next sequence number: their last run. */
export function lastRun(all: readonly Done[]): Done[] {
  let i = all.length - 1
  while (i > 0 && all[i - 1]!.entry.header.seq + 1 === all[i]!.entry.header.from) i--
  return all.slice(i)
}

/** The Yjs updates `parts` stand for, in order (a refused one as its placeholder), or null if one cannot be read. */
function payloadsOf(ctx: CompactionContext, parts: readonly Done[]): Uint8Array[] | null {
  const payloads: Uint8Array[] = []
  for (const d of parts) {
    if (d.outcome === 'refused') {
      if (d.range && d.range.to > d.range.from) payloads.push(ctx.placeholder(d.range))
      continue
    }
    const update = updateOf(d)
    if (!update) return null
    payloads.push(update)
  }
  return payloads
}

/** Whether `part` already holds `update`, byte for byte. */
function standsFor(ctx: CompactionContext, part: Done, update: Uint8Array): boolean {
  const held = payloadsOf(ctx, [part])?.[0]
  if (!held || held.length !== update.length) return false
  for (let i = 0; i < held.length; i++) if (held[i] !== update[i]) return false
  return true
}

/**
 * Seals one snapshot replacing `parts` (own, contiguous), then deletes them
 * from the shared doc. `onto`: the entries before `parts` (the whole history
 * before them), whose replay is kept (onTop).
 */
async function merge(ctx: CompactionContext, parts: readonly Done[], whole = false, why?: { refused: boolean }, onto?: readonly Done[]): Promise<boolean> {
  // One part rewritten (a fold) is sealed under the author's next sequence number (below): only if that follows it,
  // since a snapshot over any other entry of theirs (a rename since) would be an equivocation.
  if (parts.length === 1 && ctx.nextSeq() !== parts[0]!.entry.header.seq + 1) return false
  if (ctx.refusals?.has(parts, whole)) {
    if (why) why.refused = true
    return false
  }
  // A whole rewrite whose head is the snapshot last written whole (and those sealed on top of it) goes on from that
  // replay; so does a run sealed on top of them.
  const kept = whole ? (ctx.history?.take(parts) ?? null) : onto ? (ctx.history?.take(onto) ?? null) : null
  if (onto && !kept) return false
  const resumed = kept?.doc ?? null
  const payloads = payloadsOf(ctx, whole && kept ? parts.slice(kept.held) : parts)
  if (!payloads || (payloads.length === 0 && !resumed)) {
    resumed?.destroy()
    return false
  }
  // Not from the author's first struct: what they wrote before, replayed first where this device holds all of it,
  // lets `parts` integrate, and so be collected, as in a whole rewrite; only `parts`' structs are written.
  const first = parts[0]!.entry.header.from
  const parents = whole || onto ? null : payloadsOf(ctx, contentEntries(ctx.log).filter((d) => d.entry.header.seq < first))
  const fresh = () => new Y.Doc({ gc: true, gcFilter: ctx.gcFilter })
  let scratch = resumed ?? fresh()
  // In order: each part integrates as it is applied. In slices, with the page let run between: a prolific
  // author's history is megabytes.
  const slices = new Slices()
  const replay = async (updates: readonly Uint8Array[]) => {
    for (const p of updates) {
      for (const part of splitUpdate(p, APPLY_PART_BYTES)) {
        Y.applyUpdate(scratch, part)
        await slices.breathe()
      }
    }
  }
  let replayed = whole
  let after: Uint8Array | undefined
  /** Where `parts`' structs begin in the author's clock, in a replay after their parents. */
  let start: number | null = null
  if (parents || onto) {
    if (parents) await replay(parents)
    const first = Math.min(...parts.map((d) => d.range?.from ?? Infinity))
    if (scratch.store.pendingStructs === null) {
      replayed = true
      // Every client's state so far (a version 1 entry wrote under the author's older client id): none of it is written again.
      after = Y.encodeStateVector(scratch)
      start = Y.getState(scratch.store, ctx.client)
    } else if (ctx.structsOf && first !== Infinity) {
      // A struct of theirs built on someone else's (a moderator's pin on a member's post) waits for it here, and every later
      // one with it: what it waits for is brought in once `parts` are replayed (onOthers).
      replayed = true
      start = first
    } else {
      scratch.destroy()
      scratch = fresh()
    }
  }
  let merged: Uint8Array | null = null
  let builtOn = false
  // Not from the author's first struct: what the parts deleted (and what is folded in), not what their parents did (the
  // parents' entries still say it), so a snapshot restates no deletion its author may not make today (a moderator's
  // unpin, by someone made a member since). Null where a part's delete set cannot be read: then the replay's own.
  let deleted: Deletions | null = null
  if (replayed) {
    deleted = whole ? null : deletionsOf(payloads)
    await replay(payloads)
    const deletions = ctx.deletions(Y.getState(scratch.store, ctx.client))
    if (deletions) {
      Y.applyUpdate(scratch, deletions)
      const folded = deletionsOf([deletions])
      deleted = deleted && folded && union(deleted, folded)
    }
    if (scratch.store.pendingStructs !== null) {
      merged = await onOthers(ctx, scratch, whole ? null : start!, slices, deleted)
      builtOn = merged !== null
      if (!builtOn) {
        // Still waiting (and the replay may hold others' structs now): merged alone, and nothing is collected after the wait.
        scratch.destroy()
        scratch = fresh()
        replayed = false
      }
    }
  }
  if (!replayed) {
    // Merged first: applied one by one, updates whose parents live in an older
    // snapshot would each re-merge Yjs's growing pending set.
    const all = whole && resumed ? payloadsOf(ctx, parts) : payloads
    if (!all) {
      scratch.destroy()
      return false
    }
    Y.applyUpdate(scratch, Y.mergeUpdatesV2(all, Y.UpdateDecoderV1, UpdateEncoder))
    const deletions = whole ? ctx.deletions(Y.getState(scratch.store, ctx.client)) : null
    if (deletions) Y.applyUpdate(scratch, deletions)
    after = undefined
  }
  if (merged === null && replayed && deleted && scratch.store.pendingStructs === null) merged = encodeStructs(scratch, after!, toDeleteSet(deleted))
  merged ??= encodeStateAsUpdate(scratch, after)
  if (parts.length === 1 && standsFor(ctx, parts[0]!, merged)) {
    // A fold that folded nothing: the history stands as written.
    if (resumed && !builtOn) ctx.history?.keep(parts.slice(0, 1), scratch)
    else scratch.destroy()
    return false
  }
  // One part rewritten (a fold) takes the next sequence number: two entries for the same range are an equivocation.
  const [from, seq] = [parts[0]!.entry.header.from, parts.length === 1 ? null : parts[parts.length - 1]!.entry.header.seq]
  if (!(await ctx.admissible(merged, from, seq ?? ctx.nextSeq()))) {
    scratch.destroy()
    ctx.refusals?.add(parts, whole)
    if (why) why.refused = true
    return false
  }
  const key = await ctx.seal(merged, from, seq)
  ctx.drop(parts.map((d) => d.key))
  const sealed = ctx.log.done.get(key)
  // A replay holding someone else's structs is not kept: it stands for more than the snapshot.
  if ((whole || onto) && !builtOn && ctx.history && sealed?.outcome === 'applied') ctx.history.keep([...(onto ?? []), sealed], scratch)
  else scratch.destroy()
  return true
}
