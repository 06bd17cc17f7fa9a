import * as Y from 'yjs'
import type { ClockRange } from './authority.ts'
import type { AuthorLog, Done } from './author-log.ts'
import { decodeContent } from './payloads.ts'

/**
 * Each device compacts only its own content entries: a contiguous run of
 * them becomes one signed snapshot (LSM-style: a snapshot absorbs the next
 * one while they are of similar size, so an author keeps O(log n) snapshots
 * and each byte is rewritten O(log n) times), then the entries it covers are
 * deleted. Replaying the author's updates into a scratch doc garbage-collects
 * what the author deleted themselves (old field values, swept items), so
 * expired details leave the history too; deleted maps keep their tombstones
 * (`gcFilter`), so every struct keeps its place and who may delete it can
 * still be judged (authority.ts). Entries of the author that were refused
 * count as the placeholder every device filled in for them. Membership and
 * profile entries are never compacted: they break runs.
 */
export interface CompactionContext {
  readonly log: AuthorLog
  readonly snapshotBytes: number
  placeholder(range: ClockRange): Uint8Array
  seal(merged: Uint8Array, from: number, seq: number): Promise<void>
  drop(keys: readonly string[]): void
  readonly gcFilter: (item: Y.Item) => boolean
}

const isContent = (d: Done) => d.entry.header.kind === 'update' || d.entry.header.kind === 'snapshot'

export async function compactOwn(ctx: CompactionContext): Promise<void> {
  const own = () =>
    [...ctx.log.done.values()]
      .filter(isContent)
      .sort((a, b) => a.entry.header.from - b.entry.header.from)
  // 1. The loose run (contiguous from the first loose entry) becomes one snapshot.
  const loose = own().filter((d) => d.entry.header.kind === 'update')
  if (loose.length >= 2) {
    const run: Done[] = []
    let expected = loose[0]!.entry.header.from
    for (const d of loose) {
      if (d.entry.header.from !== expected) break
      run.push(d)
      expected = d.entry.header.seq + 1
    }
    if (run.length >= 2 && !(await merge(ctx, run))) return
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
    if (!pair || !(await merge(ctx, pair))) return
  }
}

/** Seals one snapshot replacing `parts` (own, contiguous), then deletes them from the shared doc. */
async function merge(ctx: CompactionContext, parts: readonly Done[]): Promise<boolean> {
  const payloads: Uint8Array[] = []
  for (const d of parts) {
    if (d.outcome === 'refused') {
      if (d.range && d.range.to > d.range.from) payloads.push(ctx.placeholder(d.range))
      continue
    }
    if (d.outcome !== 'applied' || !d.plain) return false
    const content = d.entry.header.version === 1 ? { update: d.plain } : decodeContent(d.plain)
    if (!content) return false
    payloads.push(content.update)
  }
  if (payloads.length === 0) return false
  // Merged first: applied one by one, updates whose parents live in an older
  // snapshot would each re-merge Yjs's growing pending set.
  const scratch = new Y.Doc({ gc: true, gcFilter: ctx.gcFilter })
  Y.applyUpdate(scratch, Y.mergeUpdates(payloads))
  const merged = Y.encodeStateAsUpdate(scratch)
  scratch.destroy()
  await ctx.seal(merged, parts[0]!.entry.header.from, parts[parts.length - 1]!.entry.header.seq)
  ctx.drop(parts.map((d) => d.key))
  return true
}
