import type * as Y from 'yjs'
import { itemsMap } from './layout.ts'

/**
 * Removes an item from the board. Returns whether there was one to remove.
 * With one nested map per item, a delete concurrent with an edit wins on
 * every peer: the edit lands in a map that no longer belongs to the board.
 */
export function deleteItem(doc: Y.Doc, id: string): boolean {
  const items = itemsMap(doc)
  if (!items.has(id)) return false
  items.delete(id)
  return true
}
