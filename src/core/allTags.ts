import { compareIds } from './compareIds.ts'
import type { Item } from './types.ts'

/**
 * Every tag in use, most used first, ties by name (code-unit order, the same
 * on every device): the tag cloud a filter bar offers.
 */
export function allTags(items: Iterable<Item>): string[] {
  const counts = new Map<string, number>()
  for (const item of items) countTags(counts, item, 1)
  return tagsByUse(counts)
}

/**
 * Adds an item's tags to `counts` (`by` 1), or takes them out again (-1):
 * each tag once per item, a tag no item uses any more left out.
 */
export function countTags(counts: Map<string, number>, item: Pick<Item, 'tags'>, by: 1 | -1): void {
  const tags = item.tags
  // A stored item has at most LIMITS.tags tags, so looking back is cheaper than a Set per item.
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]!
    if (tags.indexOf(tag) !== i) continue
    const n = (counts.get(tag) ?? 0) + by
    if (n > 0) counts.set(tag, n)
    else counts.delete(tag)
  }
}

/** The tags of `counts`, most used first, ties by name. */
export function tagsByUse(counts: ReadonlyMap<string, number>): string[] {
  return [...counts].sort(([a, m], [b, n]) => n - m || compareIds(a, b)).map(([tag]) => tag)
}
