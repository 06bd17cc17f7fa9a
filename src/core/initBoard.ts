import type * as Y from 'yjs'
import { SCHEMA_VERSION, metaMap } from './layout.ts'
import type { BoardMeta, Result } from './types.ts'
import { validateMeta } from './validateMeta.ts'

/**
 * Sets up a new board's metadata in one transaction: schema version, name,
 * description, `createdAt`. Called once, by the device that creates the board;
 * if the doc already has a `createdAt` it is kept (the board is not new).
 */
export function initBoard(doc: Y.Doc, meta: unknown, now: number): Result<BoardMeta> {
  const result = validateMeta(meta)
  if (!result.ok) return result
  const map = metaMap(doc)
  doc.transact(() => {
    map.set('v', SCHEMA_VERSION)
    map.set('name', result.value.name)
    map.set('description', result.value.description)
    if (typeof map.get('createdAt') !== 'number') map.set('createdAt', now)
    map.set('updatedAt', now)
  })
  return result
}
