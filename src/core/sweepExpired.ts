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
  const { expired } = findExpired(doc, now)
  const chosen = opts.only ? expired.filter(opts.only) : expired
  deleteItems(doc, chosen, opts.origin)
  return chosen
}

/**
 * One pass over the items: the ids of those expired (sorted), and the next
 * time one will expire (what `nextExpiry` says once they are deleted). Only an
 * item that may be due is parsed, to be sure it is.
 */
export function findExpired(doc: Y.Doc, now: number): { expired: ItemId[]; next: number | null } {
  const expired: ItemId[] = []
  let next: number | null = null
  for (const [id, map] of itemsMap(doc).entries()) {
    if (!(map instanceof Y.Map)) continue
    const due = earliestExpiry(map)
    if (due === null) continue
    if (due > now) {
      if (next === null || due < next) next = due
      continue
    }
    const item = parseItem(id, map)
    if (item !== null && isExpired(item, now)) expired.push(item.id)
  }
  return { expired: expired.sort(), next }
}

/** Deletes these items in one transaction (none: no transaction). */
export function deleteItems(doc: Y.Doc, ids: readonly ItemId[], origin?: unknown): void {
  if (ids.length === 0) return
  const items = itemsMap(doc)
  doc.transact(() => {
    for (const id of ids) items.delete(id)
  }, origin)
}
