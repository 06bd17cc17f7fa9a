import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { createItem, deleteItems, earliestExpiry, findExpired, isExpired, itemsMap, nextExpiry, readItems, sweepExpired, type ItemId } from '../../src/core/index.ts'
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

describe('findExpired: what a sweep deletes and when the next is due, in one pass', () => {
  it('says what sweepExpired deletes, and what nextExpiry says once it has', () => {
    for (const at of [NOW - HOUR, NOW, NOW + 8 * HOUR - 1, NOW + 8 * HOUR, NOW + DAY, NOW + 3 * DAY]) {
      const found = findExpired(board(), at)
      const swept = board()
      expect(found.expired).toEqual(sweepExpired(swept, at))
      expect(found.next).toBe(nextExpiry(swept, at))
    }
    expect(findExpired(board(), NOW + 8 * HOUR)).toEqual({ expired: ['tonight'], next: NOW + DAY })
  })

  it('deleteItems deletes in one transaction under the given origin, and writes nothing for none', () => {
    const doc = board()
    const origins: unknown[] = []
    doc.on('update', (_u: Uint8Array, origin: unknown) => origins.push(origin))
    deleteItems(doc, [])
    deleteItems(doc, ['one-day', 'tonight'] as ItemId[], 'sweep')
    expect(origins).toEqual(['sweep'])
    expect(readItems(doc).map((item) => item.id)).toEqual(['forever'])
  })
})

describe('an item’s earliest expiry, read without parsing it', () => {
  it('is its expiry, or a meeting’s end when it has none; a sweep parses only the items it says are due', () => {
    const doc = board()
    const items = itemsMap(doc)
    const at = (id: string) => earliestExpiry(items.get(id) as Y.Map<unknown>)
    expect(at('forever')).toBeNull()
    expect(at('one-day')).toBe(NOW + DAY)
    expect(at('tonight')).toBe(readItems(doc).find((i) => i.id === 'tonight')!.expiresAt)
  })

  it('is never later than the expiry the board reads: a meeting whose end merged before its start still waits for its start', () => {
    const doc = board()
    const tonight = itemsMap(doc).get('tonight') as Y.Map<unknown>
    const start = tonight.get('start') as number
    // A meeting that expires when it ends (no expiry of its own), and two people moved start and
    // end at once: end < start, repaired on read to end = start.
    tonight.delete('expiresAt')
    tonight.set('end', start - 2 * HOUR)
    expect(earliestExpiry(tonight)).toBe(start - 2 * HOUR)
    expect(readItems(doc).find((i) => i.id === 'tonight')!.expiresAt).toBe(start)
    // Past the stored end, before the start: parsed, not due, kept.
    expect(sweepExpired(doc, start - HOUR)).toEqual([])
    expect(nextExpiry(doc, start - 3 * HOUR)).toBe(start - 2 * HOUR)
    expect(sweepExpired(doc, start)).toEqual(['tonight'])
  })

  it('a malformed item whose expiry field is due is left alone, and wakes nobody twice', () => {
    const doc = board()
    const broken = new Y.Map<unknown>()
    itemsMap(doc).set('broken', broken)
    broken.set('kind', 'notice')
    broken.set('expiresAt', NOW + HOUR)
    // No title, no author: a newer version's item, or junk. Never deleted on a guess.
    expect(sweepExpired(doc, NOW + 2 * HOUR)).toEqual([])
    expect(itemsMap(doc).has('broken')).toBe(true)
    expect(nextExpiry(doc, NOW + 2 * HOUR)).toBe(NOW + 8 * HOUR)
  })
})
