import type * as Y from 'yjs'
import { metaMap } from './layout.ts'
import { readMeta } from './readMeta.ts'
import { isRecord, ownField } from './ownField.ts'
import type { BoardMeta, Result } from './types.ts'
import { validateMeta } from './validateMeta.ts'
import { writeChanges } from './writeChanges.ts'

/**
 * Renames or re-describes the board. Fields the patch leaves `undefined` keep
 * their value; only fields that changed are written (plus `updatedAt`), so a
 * concurrent change to the other field survives.
 */
export function updateMeta(doc: Y.Doc, patch: unknown, now: number): Result<BoardMeta> {
  if (!isRecord(patch)) return { ok: false, errors: [{ field: 'item', code: 'invalid' }] }
  const current = readMeta(doc)
  const name = ownField(patch, 'name')
  const description = ownField(patch, 'description')
  const result = validateMeta({
    name: name === undefined ? current.name : name,
    description: description === undefined ? current.description : description,
  })
  if (!result.ok) return result
  const map = metaMap(doc)
  doc.transact(() => {
    if (writeChanges(map, result.value)) map.set('updatedAt', now)
  })
  return result
}
