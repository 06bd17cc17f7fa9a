import * as Y from 'yjs'
import { removedMap } from './layout.ts'
import type { ItemId } from './types.ts'

/** A trace of an item a moderator removed. */
export interface Removal {
  readonly id: ItemId
  readonly at: number
  /** The Yjs client that wrote the trace: bound to the remover's key, so the UI can name them verifiably. */
  readonly client: number
}

/** Every removal trace, newest first. Malformed entries are skipped. */
export function readRemovals(doc: Y.Doc): Removal[] {
  const map = removedMap(doc)
  const out: Removal[] = []
  const items = (map as unknown as { _map: Map<string, Y.Item> })._map
  for (const [id, item] of items) {
    if (item.deleted) continue
    const at = map.get(id)
    if (typeof at === 'number' && Number.isFinite(at)) out.push({ id: id as ItemId, at, client: item.id.client })
  }
  return out.sort((a, b) => b.at - a.at)
}
