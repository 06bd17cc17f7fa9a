import * as Y from 'yjs'
import { compareIds } from './compareIds.ts'
import { itemsMap } from './layout.ts'
import { parseItem } from './parseItem.ts'
import type { Item } from './types.ts'

/** One item by id, or null if it is absent or malformed. */
export function readItem(doc: Y.Doc, id: string): Item | null {
  const map = itemsMap(doc).get(id)
  return map instanceof Y.Map ? parseItem(id, map) : null
}

/**
 * Every well-formed item on the board (malformed ones are skipped), ordered by
 * id so every peer lists the same board in the same order. Expired items are
 * included: filtering is `queryItems`' job, deleting is `sweepExpired`'s.
 */
export function readItems(doc: Y.Doc): Item[] {
  const items: Item[] = []
  for (const [id, map] of itemsMap(doc).entries()) {
    if (!(map instanceof Y.Map)) continue
    const item = parseItem(id, map)
    if (item !== null) items.push(item)
  }
  return items.sort((a, b) => compareIds(a.id, b.id))
}
