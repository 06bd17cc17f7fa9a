import { LIMITS, MAX_TIME } from './limits.ts'
import { normalizeTag } from './normalizeTag.ts'
import type { FieldError, ValidationCode } from './types.ts'

/**
 * How strictly and how kindly to read a value:
 * - `create` / `edit`: input from a person; trim strings, normalise tags.
 * - `stored`: data already in the doc, possibly from a hostile peer; check
 *   shapes and limits but transform nothing, so every peer reads the same item.
 */
export type CheckMode = 'create' | 'edit' | 'stored'

/**
 * Reads untrusted field values one by one, collecting every error instead of
 * stopping at the first, so a form can show all its problems at once.
 * Internal to `core/`: the validators and `parseItem` share it so input and
 * peer data obey the same rules.
 */
export class FieldChecker {
  readonly errors: FieldError[] = []

  constructor(readonly mode: CheckMode) {}

  /** Records an error; one per field and code. */
  fail(field: string, code: ValidationCode, limit?: number): void {
    if (this.errors.some((e) => e.field === field && e.code === code)) return
    this.errors.push(limit === undefined ? { field, code } : { field, code, limit })
  }

  /** A string field; absent means empty. Returns '' when invalid. */
  text(raw: unknown, field: string, max: number, required: boolean): string {
    if (raw === undefined || raw === null) {
      if (required) this.fail(field, 'required')
      return ''
    }
    if (typeof raw !== 'string') {
      this.fail(field, 'invalid')
      return ''
    }
    const value = this.mode === 'stored' ? raw : raw.trim()
    if (required && value.trim() === '') this.fail(field, 'required')
    if (value.length > max) this.fail(field, 'too_long', max)
    return value
  }

  /** A time in ms since epoch, from 1970 to `MAX_TIME`; absent means null. */
  time(raw: unknown, field: string, required: boolean): number | null {
    if (raw === undefined || raw === null) {
      if (required) this.fail(field, 'required')
      return null
    }
    if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0 || raw > MAX_TIME) {
      this.fail(field, 'invalid')
      return null
    }
    return raw
  }

  /** One of a fixed set of values; absent means `fallback` (or 'required' without one). */
  choice<T extends string>(raw: unknown, field: string, options: readonly T[], fallback?: T): T | null {
    if (raw === undefined || raw === null) {
      if (fallback !== undefined) return fallback
      this.fail(field, 'required')
      return null
    }
    if (!options.includes(raw as T)) {
      this.fail(field, 'invalid')
      return null
    }
    return raw as T
  }

  /** A yes/no field; absent means false. */
  flag(raw: unknown, field: string): boolean {
    if (raw === undefined || raw === null) return false
    if (typeof raw !== 'boolean') {
      this.fail(field, 'invalid')
      return false
    }
    return raw
  }

  /**
   * The tag list. From people: normalised, empty tags dropped (a stray comma is
   * not a mistake worth an error), duplicates merged. Stored: checked only.
   */
  tags(raw: unknown): string[] {
    if (raw === undefined || raw === null) return []
    if (!Array.isArray(raw)) {
      this.fail('tags', 'invalid')
      return []
    }
    // Bound the work a hostile list can cause before looking at its entries.
    const cap = this.mode === 'stored' ? LIMITS.tags : LIMITS.tags * 10
    if (raw.length > cap) {
      this.fail('tags', 'too_many', LIMITS.tags)
      return []
    }
    const tags: string[] = []
    for (const entry of raw) {
      if (typeof entry !== 'string') {
        this.fail('tags', 'invalid')
        continue
      }
      const tag = this.mode === 'stored' ? entry : normalizeTag(entry)
      if (tag === '') {
        if (this.mode === 'stored') this.fail('tags', 'invalid')
        continue
      }
      if (tag.length > LIMITS.tag) this.fail('tags', 'too_long', LIMITS.tag)
      if (this.mode === 'stored' || !tags.includes(tag)) tags.push(tag)
    }
    if (tags.length > LIMITS.tags) this.fail('tags', 'too_many', LIMITS.tags)
    return tags
  }
}
