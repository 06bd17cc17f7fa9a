import type * as Y from 'yjs'
import { metaMap } from './layout.ts'
import { LIMITS } from './limits.ts'
import type { BoardMeta } from './types.ts'

/**
 * The board's name and description as peers left them. Any value that is not
 * a string within its limit reads as '' so a hostile peer cannot break the
 * header; the UI shows a placeholder for an empty name.
 */
export function readMeta(doc: Y.Doc): BoardMeta {
  const meta = metaMap(doc)
  return {
    name: safeString(meta.get('name'), LIMITS.boardName),
    description: safeString(meta.get('description'), LIMITS.boardDescription),
  }
}

function safeString(value: unknown, max: number): string {
  return typeof value === 'string' && value.length <= max ? value : ''
}
