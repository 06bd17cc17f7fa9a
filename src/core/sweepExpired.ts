import * as Y from 'yjs'
import { earliestExpiry } from './earliestExpiry.ts'
import { isExpired } from './isExpired.ts'
import { itemsMap } from './layout.ts'
import { parseItem } from './parseItem.ts'
import type { ItemId } from './types.ts'

/**
 * Deletes every expired item from the doc in one transaction and returns their
 * ids, so expired items disappear from every device, not only from view
 * (safe-meeting details must not linger on a phone that may be seized).
 * `only` picks which expired items (a device deletes its own for everyone, and
 * others' only locally: see BoardSession); `origin` tags the transaction.
 * Malformed entries are left alone: a newer app version's items may look
 * malformed to this one, and deleting other people's data on a guess is worse.
 */
export function sweepExpired(doc: Y.Doc, now: number, opts: { only?: (id: ItemId) => boolean; origin?: unknown } = {}): ItemId[] {
  const items = itemsMap(doc)
  const expired: ItemId[] = []
  for (const [id, map] of items.entries()) {
    if (!(map instanceof Y.Map)) continue
    // Only an item that may be due is parsed (to be sure it is one).
    const due = earliestExpiry(map)
    if (due === null || due > now) continue
    const item = parseItem(id, map)
    if (item !== null && isExpired(item, now) && (opts.only?.(item.id) ?? true)) expired.push(item.id)
  }
  if (expired.length > 0) {
    doc.transact(() => {
      for (const id of expired) items.delete(id)
    }, opts.origin)
  }
  return expired.sort()
}
