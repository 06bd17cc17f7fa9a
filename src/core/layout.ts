import type * as Y from 'yjs'

/**
 * The board's layout inside its `Y.Doc`, described in one place:
 *
 * - `doc.getMap('meta')`: `v` (schema version), `name`, `description`,
 *   `createdAt`, `updatedAt`.
 * - `doc.getMap('items')`: ItemId -> a nested `Y.Map` per item whose keys are the
 *   item's fields as primitives (`tags` is a plain string array value, `null`
 *   where a field is empty). The id is the key, not a field, so the two can
 *   never disagree.
 *
 * One nested map per item (rather than one JSON value) is what lets concurrent
 * edits to different fields of the same item merge field by field.
 */
export const SCHEMA_VERSION = 1

/** The board's metadata map. */
export function metaMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>('meta')
}

/** The board's items: ItemId -> the item's own `Y.Map`. Values come from peers, so they are `unknown`. */
export function itemsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>('items')
}
