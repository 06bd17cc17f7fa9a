import * as Y from 'yjs'
import { itemsMap } from './layout.ts'
import { parseItem } from './parseItem.ts'
import { writeChanges } from './writeChanges.ts'

/**
 * Pins or unpins an item (pinned items sort first). Writes only `pinned` and
 * `updatedAt`, and nothing if the item already is as asked. Returns false if
 * the item is gone or malformed.
 */
export function setPinned(doc: Y.Doc, id: string, pinned: boolean, now: number): boolean {
  const map = itemsMap(doc).get(id)
  if (!(map instanceof Y.Map) || parseItem(id, map) === null) return false
  doc.transact(() => {
    if (writeChanges(map, { pinned })) map.set('updatedAt', now)
  })
  return true
}
