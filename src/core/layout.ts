import type * as Y from 'yjs'

/**
 * The board's layout inside its `Y.Doc`, described in one place:
 *
 * - `doc.getMap('meta')`: `v` (schema version), `name`, `description`,
 *   `createdAt`, `updatedAt`.
 * - `doc.getMap('items')`: ItemId -> a nested `Y.Map` per item whose keys are the
 *   item's fields as primitives (`tags` is a plain string array value, `null`
 *   where a field is empty). The id is the key, not a field, so the two can
 *   never disagree. The id names the item's owner (see newItemId).
 * - `doc.getMap('removed')`: ItemId -> when a moderator removed someone
 *   else's item (a trace every member sees; who removed it is the verified
 *   writer of that entry).
 *
 * Who may write what (enforced by the sealed engine on every device, from
 * these names): items belong to their owner; `pinned` and the `meta` and
 * `removed` maps are moderators'.
 *
 * One nested map per item (rather than one JSON value) is what lets concurrent
 * edits to different fields of the same item merge field by field.
 */
export const SCHEMA_VERSION = 1

/** The board's metadata map. */
export function metaMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(META_ROOT)
}

/** The board's items: ItemId -> the item's own `Y.Map`. Values come from peers, so they are `unknown`. */
export function itemsMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(ITEMS_ROOT)
}

export const ITEMS_ROOT = 'items'
export const META_ROOT = 'meta'
export const REMOVED_ROOT = 'removed'
/** Item fields only moderators set (an owner sets them only to `false`, when creating). */
export const MODERATOR_FIELDS: readonly string[] = ['pinned']

/** Traces of items moderators removed: ItemId -> when. */
export function removedMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(REMOVED_ROOT)
}
