import * as Y from 'yjs'

/**
 * The readable board doc (memory only). Deleted maps are never garbage
 * collected — their deleted fields are, down to a tombstone — so every struct
 * keeps its parent and key forever: who may delete it can be decided the same
 * way on a device that saw it deleted long ago as on one that did not (see
 * authority.ts). Compaction snapshots use the same rule.
 */
export function createReadableDoc(clientID: number): Y.Doc {
  const doc = new Y.Doc({ gc: true, gcFilter: keepTypes })
  doc.clientID = clientID
  return doc
}

export const keepTypes = (item: Y.Item): boolean => !(item.content instanceof Y.ContentType)

/** Never a bound client id (those are never 0): parked there while applying entries. */
const PARKED_CLIENT = 0

/**
 * Applies verified updates as one transaction with `origin`. Yjs takes a
 * remote update that carries structs of the doc's own client id for a clash
 * and picks a new random id, which would make later local changes
 * unverifiable; our own entries legitimately carry our id (after a restart,
 * from another tab), so the id is parked meanwhile. Entries of several
 * authors depend on each other's structs: merged first, Yjs integrates them
 * once instead of retrying its pending structs after each.
 */
export function applyParked(doc: Y.Doc, updates: readonly Uint8Array[], origin: unknown): void {
  if (updates.length === 0) return
  const own = doc.clientID
  doc.clientID = PARKED_CLIENT
  try {
    const update = updates.length === 1 ? updates[0]! : Y.mergeUpdates([...updates])
    doc.transact(() => Y.applyUpdate(doc, update, origin), origin)
  } finally {
    doc.clientID = own
  }
}
