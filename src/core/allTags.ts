import { compareIds } from './compareIds.ts'
import type { Item } from './types.ts'

/**
 * Every tag in use, most used first, ties by name (code-unit order, the same
 * on every device): the tag cloud a filter bar offers.
 */
export function allTags(items: readonly Item[]): string[] {
  const counts = new Map<string, number>()
  for (const item of items) {
    const tags = item.tags
    // Each tag once per item. A stored item has at most LIMITS.tags of them, so looking back is cheaper than a Set per item.
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i]!
      if (tags.indexOf(tag) === i) counts.set(tag, (counts.get(tag) ?? 0) + 1)
    }
  }
  return [...counts].sort(([a, m], [b, n]) => n - m || compareIds(a, b)).map(([tag]) => tag)
}
