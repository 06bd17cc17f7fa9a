import * as Y from 'yjs'
import { itemsMap } from './layout.ts'
import { parseItem } from './parseItem.ts'
import type { Item, Result } from './types.ts'
import { validatePatch } from './validatePatch.ts'
import { writeChanges } from './writeChanges.ts'

/**
 * Edits an item: validates the patched item as a whole, then writes only the
 * fields whose value actually changed, plus `updatedAt`, in one transaction.
 * Writing only changes is what lets Bob's concurrent edit of another field
 * survive Alice's edit. A patch that changes nothing writes nothing.
 *
 * An item that is gone (deleted, or malformed and so invisible) is
 * `{ field: 'id', code: 'not_found' }`.
 */
export function updateItem(doc: Y.Doc, id: string, patch: unknown, now: number): Result<Item> {
  const map = itemsMap(doc).get(id)
  const existing = map instanceof Y.Map ? parseItem(id, map) : null
  if (!(map instanceof Y.Map) || existing === null) return { ok: false, errors: [{ field: 'id', code: 'not_found' }] }
  const result = validatePatch(existing, patch, now)
  if (!result.ok) return result
  const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...fields } = result.value
  let changed = false
  doc.transact(() => {
    changed = writeChanges(map, fields)
    if (changed) map.set('updatedAt', now)
  })
  return { ok: true, value: changed ? result.value : existing }
}
