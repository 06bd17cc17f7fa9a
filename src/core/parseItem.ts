import * as Y from 'yjs'
import { checkItemFields } from './checkItemFields.ts'
import { FieldChecker } from './fieldChecker.ts'
import { isItemId } from './newItemId.ts'
import type { Item } from './types.ts'

/**
 * Reads one item's `Y.Map` as it arrived from peers. Peers are untrusted, so a
 * malformed entry (wrong types, unknown kind, missing required fields,
 * oversized strings, a non-map value) yields `null`, never an exception: one
 * bad item must not take the board down.
 *
 * Nothing is trimmed or re-normalised, so every peer reads the same item; the
 * only repair is an `end` before `start`, which honest concurrent edits can
 * produce (see `checkItemFields`). Time-dependent rules (expiry in the past)
 * do not apply: expired items are filtered by `queryItems` and swept by `sweepExpired`.
 *
 * Exported so the state layer can cache parsed items per map.
 */
export function parseItem(id: string, map: Y.Map<unknown>): Item | null {
  if (!isItemId(id) || !(map instanceof Y.Map)) return null
  const get = (key: string): unknown => map.get(key)
  const fields = checkItemFields(get, { mode: 'stored', now: 0 })
  if (!fields.ok) return null
  const times = new FieldChecker('stored')
  const createdAt = times.time(get('createdAt'), 'createdAt', true)
  const updatedAt = times.time(get('updatedAt'), 'updatedAt', true)
  if (createdAt === null || updatedAt === null) return null
  return { ...fields.value, id, createdAt, updatedAt } as Item
}
