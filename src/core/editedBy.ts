import * as Y from 'yjs'
import { MODERATOR_FIELDS, itemsMap } from './layout.ts'

/**
 * Whether an item was edited after it was created, and by whom — read from
 * the item's own structs, not from a field anyone writes: a field set when
 * the item was created has no origin, while every later write of a field
 * replaces a value and so has one. Returns the Yjs client that wrote the
 * most recent such change (bound to its author's key: the sealed engine
 * proves who that is), or null when the item is as it was created.
 * Moderator fields (`pinned`) are not edits.
 */
export function editedBy(doc: Y.Doc, id: string): number | null {
  const map = itemsMap(doc).get(id)
  if (!(map instanceof Y.Map)) return null
  let latest: Y.Item | null = null
  for (const [key, item] of (map as unknown as { _map: Map<string, Y.Item> })._map) {
    if (item.deleted || item.origin === null || MODERATOR_FIELDS.includes(key)) continue
    if (!latest || item.id.clock > latest.id.clock || (item.id.clock === latest.id.clock && item.id.client > latest.id.client)) latest = item
  }
  return latest?.id.client ?? null
}
