import type * as Y from 'yjs'
import { itemsMap, removedMap } from './layout.ts'

/**
 * A moderator removes someone else's item: the item goes, and a trace stays
 * in its place for every member ("a post by Alice was removed by Ana"), never
 * a silent gap. Who removed it is not written here: it is whoever signed the
 * change (the writer of the trace, verified by the sealed engine). Returns
 * whether there was an item to remove.
 */
export function removeItem(doc: Y.Doc, id: string, now: number): boolean {
  const items = itemsMap(doc)
  if (!items.has(id)) return false
  doc.transact(() => {
    items.delete(id)
    removedMap(doc).set(id, now)
  })
  return true
}
