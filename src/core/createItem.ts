import * as Y from 'yjs'
import { itemsMap } from './layout.ts'
import { isItemId, newItemId } from './newItemId.ts'
import type { Item, Result } from './types.ts'
import { validateDraft } from './validateDraft.ts'

/**
 * Validates a draft and, only if it is valid, adds it to the board in one
 * transaction (one update for peers, never a half-written item).
 * `createdAt` and `updatedAt` are `now`. An id that is malformed or already
 * taken is reported on the field `id` (`invalid`) rather than overwriting an item.
 */
export function createItem(doc: Y.Doc, draft: unknown, now: number, id: string = newItemId()): Result<Item> {
  const items = itemsMap(doc)
  if (!isItemId(id) || items.has(id)) return { ok: false, errors: [{ field: 'id', code: 'invalid' }] }
  const fields = validateDraft(draft, now)
  if (!fields.ok) return fields
  const item = { ...fields.value, id, createdAt: now, updatedAt: now } as Item
  doc.transact(() => {
    const map = new Y.Map<unknown>()
    items.set(id, map)
    for (const [key, value] of Object.entries(item)) {
      if (key !== 'id') map.set(key, value)
    }
  })
  return { ok: true, value: item }
}
