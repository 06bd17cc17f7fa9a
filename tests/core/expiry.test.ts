import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { createItem, isExpired, nextExpiry, readItems, sweepExpired } from '../../src/core/index.ts'
import { DAY, HOUR, NOW, meetingDraft, noticeDraft, snapshot, syncAll, unwrap } from './fixtures.ts'

/** Alice's board: a permanent notice, a notice for a day, and tonight's meeting (expires at its end). */
function board(): Y.Doc {
  const doc = new Y.Doc()
  unwrap(createItem(doc, noticeDraft(), NOW, 'forever'))
  unwrap(createItem(doc, noticeDraft({ expiresAt: NOW + DAY }), NOW, 'one-day'))
  unwrap(createItem(doc, meetingDraft(), NOW, 'tonight'))
  return doc
}

describe('isExpired', () => {
  it('is true from the expiry moment on, and never without an expiry', () => {
    expect(isExpired({ expiresAt: NOW }, NOW - 1)).toBe(false)
    expect(isExpired({ expiresAt: NOW }, NOW)).toBe(true)
    expect(isExpired({ expiresAt: NOW }, NOW + 1)).toBe(true)
    expect(isExpired({ expiresAt: null }, Number.MAX_SAFE_INTEGER)).toBe(false)
  })
})

describe('sweepExpired: details disappear from every device', () => {
  it('deletes only what has expired, and reports it', () => {
    const doc = board()
    expect(sweepExpired(doc, NOW + HOUR)).toEqual([])
    expect(sweepExpired(doc, NOW + 8 * HOUR)).toEqual(['tonight'])
    expect(readItems(doc).map((item) => item.id)).toEqual(['forever', 'one-day'])
    expect(sweepExpired(doc, NOW + 2 * DAY)).toEqual(['one-day'])
    expect(readItems(doc).map((item) => item.id)).toEqual(['forever'])
  })

  it('deletes everything due in one transaction and writes nothing when nothing is due', () => {
    const doc = board()
    const before = snapshot(doc)
    expect(sweepExpired(doc, NOW)).toEqual([])
    expect(snapshot(doc)).toEqual(before)
    let updates = 0
    doc.on('update', () => updates++)
    expect(sweepExpired(doc, NOW + 3 * DAY)).toEqual(['one-day', 'tonight'])
    expect(updates).toBe(1)
  })

  it("removes the meeting from Bob's device once Alice's sweep reaches him", () => {
    const alice = board()
    const bob = new Y.Doc()
    syncAll(alice, bob)
    sweepExpired(alice, NOW + 9 * HOUR)
    syncAll(alice, bob)
    expect(readItems(bob).map((item) => item.id)).toEqual(['forever', 'one-day'])
  })
})

describe('nextExpiry: when the app should sweep next', () => {
  it('is the earliest expiry after now, from a doc or a list', () => {
    const doc = board()
    expect(nextExpiry(doc, NOW)).toBe(NOW + 8 * HOUR)
    expect(nextExpiry(readItems(doc), NOW + 8 * HOUR)).toBe(NOW + DAY)
    expect(nextExpiry(doc, NOW + DAY)).toBeNull()
    expect(nextExpiry(new Y.Doc(), NOW)).toBeNull()
  })
})
