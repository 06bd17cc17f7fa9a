import { FieldChecker } from './fieldChecker.ts'
import { LIMITS } from './limits.ts'
import { isRecord, ownField } from './ownField.ts'
import type { BoardMeta, Result } from './types.ts'

/**
 * Parses untrusted board settings: name required (trimmed, at most
 * `LIMITS.boardName`), description optional (at most `LIMITS.boardDescription`).
 */
export function validateMeta(input: unknown): Result<BoardMeta> {
  if (!isRecord(input)) return { ok: false, errors: [{ field: 'item', code: 'invalid' }] }
  const c = new FieldChecker('create')
  const name = c.text(ownField(input, 'name'), 'name', LIMITS.boardName, true)
  const description = c.text(ownField(input, 'description'), 'description', LIMITS.boardDescription, false)
  if (c.errors.length > 0) return { ok: false, errors: c.errors }
  return { ok: true, value: { name, description } }
}
