import { COMMON_FIELDS, KIND_FIELDS, checkItemFields } from './checkItemFields.ts'
import { isRecord, ownField } from './ownField.ts'
import type { Item, Result } from './types.ts'

/**
 * Applies an untrusted patch to an existing item and validates the result as a
 * whole (a patch to `end` alone can still put it before `start`).
 *
 * - Fields the patch leaves `undefined` keep their value; fields of other kinds
 *   and unknown keys are ignored; changing `kind` is an error.
 * - A changed expiry must lie in the future; an unchanged one is left alone.
 * - A meeting whose expiry followed its end keeps following it when the end
 *   moves, and `expiresAt: null` on a meeting means "when it ends" again.
 *
 * The result carries `updatedAt = now`; `updateItem` decides what to write.
 */
export function validatePatch(existing: Item, patch: unknown, now: number): Result<Item> {
  if (!isRecord(patch)) return { ok: false, errors: [{ field: 'item', code: 'invalid' }] }
  const patchKind = ownField(patch, 'kind')
  const kindError = patchKind !== undefined && patchKind !== existing.kind

  const editable = new Set<string>([...COMMON_FIELDS, ...KIND_FIELDS[existing.kind]])
  const merged: Record<string, unknown> = { ...existing }
  for (const key of editable) {
    const value = ownField(patch, key)
    if (value !== undefined) merged[key] = value
  }
  if (existing.kind === 'meeting') {
    const followsEnd = existing.expiresAt === existing.end && ownField(patch, 'expiresAt') === undefined
    if (followsEnd) merged.expiresAt = null
  }

  const checked = checkItemFields((key) => ownField(merged, key), {
    mode: 'edit',
    now,
    previousExpiresAt: existing.expiresAt,
  })
  if (kindError || !checked.ok) {
    const errors = checked.ok ? [] : [...checked.errors]
    if (kindError) errors.unshift({ field: 'kind', code: 'invalid' })
    return { ok: false, errors }
  }
  const value = { ...checked.value, id: existing.id, createdAt: existing.createdAt, updatedAt: now } as Item
  return { ok: true, value }
}
