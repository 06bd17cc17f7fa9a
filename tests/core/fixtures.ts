import * as Y from 'yjs'
import type { FieldError, Result } from '../../src/core/index.ts'

/** A fixed "now" (1 June 2025, 12:00 UTC): tests never read the clock. */
export const NOW = Date.UTC(2025, 5, 1, 12, 0, 0)
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** Alice's notice about the food bank. */
export function noticeDraft(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'notice', title: 'Food bank open Saturday', body: 'Bring bags.', author: 'Alice', tags: ['food'], ...overrides }
}

/** Bob's picnic in the park tomorrow. */
export function eventDraft(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'event',
    title: 'Picnic',
    body: 'Bring something to share.',
    author: 'Bob',
    start: NOW + DAY,
    end: NOW + DAY + 3 * HOUR,
    place: 'Rose Park, north gate',
    tags: [],
    ...overrides,
  }
}

/** Alice's safe meeting tonight, with a door code. */
export function meetingDraft(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'meeting',
    title: 'Support circle',
    body: 'Newcomers welcome.',
    author: 'Alice',
    place: 'Back room, 12 Cedar St',
    start: NOW + 6 * HOUR,
    end: NOW + 8 * HOUR,
    access: 'Door code 4471, ask for Sam',
    ...overrides,
  }
}

/** Bob offers a spare room. */
export function aidDraft(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'aid',
    title: 'Spare room for two weeks',
    body: 'Quiet flat, cat in the house.',
    author: 'Bob',
    aidType: 'offer',
    category: 'housing',
    ...overrides,
  }
}

/** Alice recommends a friendly doctor. */
export function resourceDraft(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'resource',
    title: 'Dr. Leila Haddad',
    body: 'GP, discreet, speaks Arabic and French.',
    author: 'Alice',
    contact: '+1 555 0100, Mon–Thu 9–17',
    notes: 'Say Hearth sent you.',
    ...overrides,
  }
}

export const DRAFTS = {
  notice: noticeDraft,
  event: eventDraft,
  meeting: meetingDraft,
  aid: aidDraft,
  resource: resourceDraft,
} as const

/** The value of a successful result; fails the test with the errors otherwise. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.errors)}`)
  return result.value
}

/** The errors of a failed result; fails the test if it succeeded. */
export function errorsOf<T>(result: Result<T>): readonly FieldError[] {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value)}`)
  return result.errors
}

/** The whole doc as bytes: equal bytes mean nothing was written. */
export function snapshot(doc: Y.Doc): Uint8Array {
  return Y.encodeStateAsUpdate(doc)
}

/** Sends everything each doc has to every other (a full sync). */
export function syncAll(...docs: Y.Doc[]): void {
  for (const from of docs) {
    for (const to of docs) {
      if (from !== to) Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
    }
  }
}
