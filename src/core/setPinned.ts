import * as Y from 'yjs'
import { itemsMap } from './layout.ts'
import { parseItem } from './parseItem.ts'
import { writeChanges } from './writeChanges.ts'

/**
 * Pins or unpins an item (pinned items sort first): a moderator's act, not an
 * edit of the item, so only `pinned` is written (never the owner's
 * `updatedAt`), and nothing if the item already is as asked. Returns false if
 * the item is gone or malformed.
 */
export function setPinned(doc: Y.Doc, id: string, pinned: boolean): boolean {
  const map = itemsMap(doc).get(id)
  if (!(map instanceof Y.Map) || parseItem(id, map) === null) return false
  doc.transact(() => writeChanges(map, { pinned }))
  return true
}
