import { FieldChecker, type CheckMode } from './fieldChecker.ts'
import { LIMITS } from './limits.ts'
import { AID_CATEGORIES, AID_STATUSES, AID_TYPES, ITEM_KINDS, type ItemFields, type ItemKind, type Result } from './types.ts'

/** Reads one field of an untrusted record (a plain object or a peer's `Y.Map`). */
export type FieldReader = (key: string) => unknown

export interface CheckOptions {
  readonly mode: CheckMode
  readonly now: number
  /**
   * Edit mode: the expiry the item already had. Only a *changed* expiry must lie
   * in the future, so an item can still be edited while its expiry stays put.
   */
  readonly previousExpiresAt?: number | null
}

/** Fields every kind has, besides id and timestamps. */
export const COMMON_FIELDS = ['title', 'body', 'author', 'expiresAt', 'pinned', 'tags'] as const

/** The fields each kind adds. Writers and patches touch only these plus the common ones. */
export const KIND_FIELDS: Readonly<Record<ItemKind, readonly string[]>> = {
  notice: [],
  event: ['start', 'end', 'place'],
  meeting: ['place', 'start', 'end', 'access'],
  aid: ['aidType', 'category', 'status'],
  resource: ['contact', 'notes'],
}

/**
 * The one set of item rules, shared by `validateDraft`, `validatePatch` and
 * `parseItem`, so what a person may write and what a peer may send agree.
 * Returns the item's fields with exactly the keys of its kind (unknown keys are
 * dropped), or every error found.
 */
export function checkItemFields(get: FieldReader, options: CheckOptions): Result<ItemFields> {
  const { mode, now } = options
  const c = new FieldChecker(mode)

  const rawKind = get('kind')
  let kind: ItemKind | null = null
  if (rawKind === undefined || rawKind === null) c.fail('kind', 'required')
  else if (!ITEM_KINDS.includes(rawKind as ItemKind)) c.fail('kind', 'invalid')
  else kind = rawKind as ItemKind

  // Common fields are checked even when the kind is wrong: all errors at once.
  const common = {
    title: c.text(get('title'), 'title', LIMITS.title, true),
    body: c.text(get('body'), 'body', LIMITS.body, false),
    author: c.text(get('author'), 'author', LIMITS.author, true),
    pinned: c.flag(get('pinned'), 'pinned'),
    tags: c.tags(get('tags')),
  }
  const rawExpiry = get('expiresAt')
  let expiresAt = c.time(rawExpiry, 'expiresAt', false)
  // Where to report an expiry in the past: the field the person actually set.
  let expiryField = 'expiresAt'

  let specific: Record<string, unknown> = {}
  if (kind === 'event' || kind === 'meeting') {
    const isMeeting = kind === 'meeting'
    const place = c.text(get('place'), 'place', LIMITS.place, isMeeting)
    const start = c.time(get('start'), 'start', true)
    let end = c.time(get('end'), 'end', isMeeting)
    if (start !== null && end !== null && end < start) {
      // Two people editing start and end at once can merge into end < start.
      // Hiding an honest item would be worse than a repair every peer makes alike.
      if (mode === 'stored') end = start
      else c.fail('end', 'end_before_start')
    }
    specific = { start, end, place }
    if (isMeeting) {
      specific.access = c.text(get('access'), 'access', LIMITS.access, false)
      // Safe-meeting details must not linger: no expiry means "when it ends".
      if (rawExpiry === undefined || rawExpiry === null) {
        expiresAt = end
        expiryField = 'end'
      }
    }
  } else if (kind === 'aid') {
    specific = {
      aidType: c.choice(get('aidType'), 'aidType', AID_TYPES),
      category: c.choice(get('category'), 'category', AID_CATEGORIES),
      status: c.choice(get('status'), 'status', AID_STATUSES, 'open'),
    }
  } else if (kind === 'resource') {
    specific = {
      contact: c.text(get('contact'), 'contact', LIMITS.contact, true),
      notes: c.text(get('notes'), 'notes', LIMITS.notes, false),
    }
  }

  const expiryChanged = mode === 'create' || (mode === 'edit' && expiresAt !== options.previousExpiresAt)
  if (expiresAt !== null && expiresAt <= now && expiryChanged) c.fail(expiryField, 'expiry_in_past')

  if (c.errors.length > 0 || kind === null) return { ok: false, errors: c.errors }
  return { ok: true, value: { kind, ...common, expiresAt, ...specific } as ItemFields }
}
