import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import type { ContentRules } from './content-rules.ts'
import { deleteSetOf } from './split-update.ts'

/**
 * The deletions a compaction folds into the author's rewritten history: of
 * the author's own structs below `upTo`, those this device's readable doc
 * holds as deleted — by the author, or by a moderator who took a post down —
 * and only where the author may delete themselves: an entry of the owned
 * root that is theirs, or a field of one. The snapshot is signed by the
 * author and judged like any of their entries, so a deletion they could not
 * make (in a moderated root, a moderator field on someone else's post) would
 * have it refused, and every entry it covers with it: those are left as
 * written. Garbage a parent's collection left (a GC struct) has no place to
 * judge, and is left too.
 *
 * Returned as an update holding only a delete set (format v1), or null when
 * there is nothing to fold.
 */
export function foldableDeletions(readable: Y.Doc, rules: ContentRules, client: number, tag: string, upTo: number): Uint8Array | null {
  const ranges = foldableRanges(readable, rules, client, tag, upTo)
  if (ranges.length === 0) return null
  // Update format v1: no structs, then a delete set of one client.
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, client)
  encoding.writeVarUint(e, ranges.length / 2)
  for (const r of ranges) encoding.writeVarUint(e, r)
  return encoding.toUint8Array(e)
}

/** The deletions foldableDeletions folds, as clock and length pairs in order (adjacent ones joined). */
export function foldableRanges(readable: Y.Doc, rules: ContentRules, client: number, tag: string, upTo: number): number[] {
  const structs = readable.store.clients.get(client)
  if (!structs) return []
  const owned = readable.share.get(rules.owned) as unknown as { _map: Map<string, Y.Item> } | undefined
  if (!owned) return []
  const mine = new Map<string, boolean>()
  const isMine = (key: string): boolean => {
    let answer = mine.get(key)
    if (answer === undefined) {
      const named = rules.ownerOf(key)
      if (named !== null) answer = named === tag
      else {
        // Older keys name nobody: the owner is whoever wrote the key's first value.
        let first = owned._map.get(key) ?? null
        while (first?.left) first = first.left as Y.Item
        answer = first?.id.client === client
      }
      mine.set(key, answer)
    }
    return answer
  }
  const ranges: number[] = []
  for (const s of structs) {
    if (s.id.clock >= upTo) break
    if (!(s instanceof Y.Item) || !s.deleted) continue
    const parent = s.parent as Y.AbstractType<unknown> | null
    let key: string | null = null
    const holder = parent?._item ?? null
    if (parent === (owned as unknown)) key = s.parentSub
    else if (holder !== null && holder.parent === (owned as unknown)) key = holder.parentSub
    if (key === null || !isMine(key)) continue
    const end = Math.min(s.id.clock + s.length, upTo)
    const n = ranges.length
    if (n > 0 && ranges[n - 2]! + ranges[n - 1]! === s.id.clock) ranges[n - 1] = end - ranges[n - 2]!
    else ranges.push(s.id.clock, end - s.id.clock)
  }
  return ranges
}

/**
 * Whether every range of `ranges` (clock and length pairs) lies within the
 * union of `cover` (delete set items of one client, in any order).
 */
export function coveredBy(ranges: readonly number[], cover: readonly { readonly clock: number; readonly len: number }[]): boolean {
  const sorted = [...cover].sort((a, b) => a.clock - b.clock)
  const union: { clock: number; end: number }[] = []
  for (const { clock, len } of sorted) {
    const last = union[union.length - 1]
    if (last && clock <= last.end) last.end = Math.max(last.end, clock + len)
    else union.push({ clock, end: clock + len })
  }
  let i = 0
  for (let r = 0; r < ranges.length; r += 2) {
    const [clock, end] = [ranges[r]!, ranges[r]! + ranges[r + 1]!]
    while (i < union.length && union[i]!.end <= clock) i++
    const u = union[i]
    if (!u || u.clock > clock || u.end < end) return false
  }
  return true
}

/** Deletions per client: clock and length pairs in order of clock, none overlapping. */
export type Deletions = Map<number, number[]>

/** The deletions `updates` hold, together; null if one's delete set cannot be read. */
export function deletionsOf(updates: readonly Uint8Array[]): Deletions | null {
  let all: Deletions = new Map()
  for (const u of updates) {
    const ds = deleteSetOf(u)
    if (!ds) return null
    all = union(all, ds)
  }
  return all
}

/** Two sets of deletions as one. */
export function union(a: Deletions, b: Deletions): Deletions {
  const out: Deletions = new Map()
  for (const client of new Set([...a.keys(), ...b.keys()])) {
    const pairs: [number, number][] = []
    for (const ranges of [a.get(client) ?? [], b.get(client) ?? []]) for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i]! + ranges[i + 1]!])
    pairs.sort((x, y) => x[0] - y[0])
    const merged: number[] = []
    for (const [from, to] of pairs) {
      const n = merged.length
      if (n > 0 && from <= merged[n - 2]! + merged[n - 1]!) merged[n - 1] = Math.max(merged[n - 2]! + merged[n - 1]!, to) - merged[n - 2]!
      else if (to > from) merged.push(from, to - from)
    }
    if (merged.length > 0) out.set(client, merged)
  }
  return out
}

/** As a Yjs delete set, to write as an update's (update-encoder.ts's `encodeStructs`). */
export function toDeleteSet(deleted: Deletions): ReturnType<typeof Y.createDeleteSet> {
  const ds = Y.createDeleteSet()
  for (const [client, ranges] of deleted) {
    const items: { clock: number; len: number }[] = []
    for (let i = 0; i < ranges.length; i += 2) items.push({ clock: ranges[i]!, len: ranges[i + 1]! })
    ds.clients.set(client, items as never)
  }
  return ds
}
