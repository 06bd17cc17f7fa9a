import type * as Y from 'yjs'

/**
 * Writes into a `Y.Map` only the values that differ from what it holds, and
 * reports whether it wrote anything. Writing an unchanged field would still be
 * a new Yjs operation that can win over a peer's concurrent edit of that same
 * field, so untouched fields must stay untouched. Call inside `doc.transact`.
 */
export function writeChanges(map: Y.Map<unknown>, values: object): boolean {
  let changed = false
  for (const [key, value] of Object.entries(values)) {
    if (sameValue(map.get(key), value)) continue
    map.set(key, value)
    changed = true
  }
  return changed
}

/** Field values are primitives or arrays of primitives (tags). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i])
  return a === b
}
