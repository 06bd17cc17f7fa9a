import { checkItemFields } from './checkItemFields.ts'
import { isRecord, ownField } from './ownField.ts'
import type { ItemFields, Result } from './types.ts'

/**
 * Parses what a person filled in (untrusted: it may come from any form, URL or
 * import) into a clean item draft: strings trimmed, tags normalised, a
 * meeting's expiry defaulted to its end, unknown keys dropped. Returns every
 * field error at once so a form can mark them all; a non-object is reported on
 * the pseudo-field `item`.
 *
 * `now` decides whether an expiry is in the past; callers pass it so this stays pure.
 */
export function validateDraft(draft: unknown, now: number): Result<ItemFields> {
  if (!isRecord(draft)) return { ok: false, errors: [{ field: 'item', code: 'invalid' }] }
  return checkItemFields((key) => ownField(draft, key), { mode: 'create', now })
}
