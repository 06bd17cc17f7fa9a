import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { createItem, itemsMap, parseItem, readItem, readItems, sweepExpired, type EventItem, type MeetingItem } from '../../src/core/index.ts'
import { DAY, HOUR, NOW, eventDraft, meetingDraft, noticeDraft, unwrap } from './fixtures.ts'

/** What Alice's app writes for a notice, as raw map fields. */
function storedNotice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'notice',
    title: 'Food bank open Saturday',
    body: 'Bring bags.',
    author: 'Alice',
    createdAt: NOW,
    updatedAt: NOW,
    expiresAt: null,
    pinned: false,
    tags: ['food'],
    ...overrides,
  }
}

/** Mallory's peer writes an entry straight into the doc, bypassing validation. */
function writeRaw(doc: Y.Doc, id: string, fields: Record<string, unknown>): void {
  doc.transact(() => {
    const map = new Y.Map<unknown>()
    itemsMap(doc).set(id, map)
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) map.set(key, value)
  })
}

const malformed: [string, Record<string, unknown>][] = [
  ['an unknown kind', storedNotice({ kind: 'poll' })],
  ['no kind', storedNotice({ kind: undefined })],
  ['no title', storedNotice({ title: undefined })],
  ['a blank title', storedNotice({ title: '   ' })],
  ['a numeric title', storedNotice({ title: 42 })],
  ['an oversized body', storedNotice({ body: 'x'.repeat(5001) })],
  ['an oversized author', storedNotice({ author: 'x'.repeat(61) })],
  ['tags that are a string', storedNotice({ tags: 'food' })],
  ['eleven tags', storedNotice({ tags: Array.from({ length: 11 }, (_, i) => `t${i}`) })],
  ['a 33-character tag', storedNotice({ tags: ['x'.repeat(33)] })],
  ['an empty tag', storedNotice({ tags: [''] })],
  ['a tag that is an object', storedNotice({ tags: [{ toString: 'boom' }] })],
  ['pinned as a string', storedNotice({ pinned: 'yes' })],
  ['no createdAt', storedNotice({ createdAt: undefined })],
  ['a text updatedAt', storedNotice({ updatedAt: 'yesterday' })],
  ['an absurd expiry', storedNotice({ expiresAt: 1e300 })],
  ['a nested map as the title', storedNotice({ title: new Y.Map() })],
  ['an event without a start', storedNotice({ kind: 'event', place: 'Park' })],
  ['a meeting without an end', storedNotice({ kind: 'meeting', place: 'Back room', start: NOW + HOUR })],
  ['an aid item with an unknown status', storedNotice({ kind: 'aid', aidType: 'offer', category: 'food', status: 'gone' })],
  ['a resource without contact', storedNotice({ kind: 'resource', notes: '' })],
]

describe("Mallory's peer sends malformed items", () => {
  it.each(malformed)('an item with %s is skipped, not thrown over', (_what, fields) => {
    const doc = new Y.Doc()
    const good = unwrap(createItem(doc, noticeDraft(), NOW, 'good'))
    writeRaw(doc, 'bad', fields)
    expect(() => readItems(doc)).not.toThrow()
    expect(readItems(doc)).toEqual([good])
    expect(readItem(doc, 'bad')).toBeNull()
  })

  it('skips entries that are not maps at all, or whose key cannot be an id', () => {
    const doc = new Y.Doc()
    const good = unwrap(createItem(doc, noticeDraft(), NOW, 'good'))
    const items = itemsMap(doc)
    items.set('str', 'hello')
    items.set('num', 7)
    items.set('nul', null)
    items.set('arr', new Y.Array())
    items.set('txt', new Y.Text('hi'))
    writeRaw(doc, '<img src=x onerror=alert(1)>', storedNotice())
    writeRaw(doc, 'x'.repeat(65), storedNotice())
    expect(readItems(doc)).toEqual([good])
    expect(readItem(doc, 'str')).toBeNull()
    expect(parseItem('str', items.get('str') as Y.Map<unknown>)).toBeNull()
  })

  it("skips them on Bob's device too, after a normal sync", () => {
    const mallory = new Y.Doc()
    writeRaw(mallory, 'bad', storedNotice({ kind: 'poll' }))
    unwrap(createItem(mallory, noticeDraft(), NOW, 'good'))
    const bob = new Y.Doc()
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(mallory))
    expect(readItems(bob).map((item) => item.id)).toEqual(['good'])
  })

  it('leaves malformed entries alone when sweeping (they may be a newer version of the app)', () => {
    const doc = new Y.Doc()
    writeRaw(doc, 'future', storedNotice({ kind: 'poll', expiresAt: NOW - 1 }))
    expect(sweepExpired(doc, NOW)).toEqual([])
    expect(itemsMap(doc).has('future')).toBe(true)
  })
})

describe('reading what honest peers stored', () => {
  it('reads stored text exactly as written, without trimming or re-normalising', () => {
    const doc = new Y.Doc()
    writeRaw(doc, 'n1', storedNotice({ title: ' Spaced ', tags: ['MiXeD'] }))
    expect(readItem(doc, 'n1')).toMatchObject({ title: ' Spaced ', tags: ['MiXeD'] })
  })

  it('fills in fields left empty: body, tags, pinned, expiry, place', () => {
    const doc = new Y.Doc()
    writeRaw(doc, 'n1', storedNotice({ body: undefined, tags: undefined, pinned: undefined, expiresAt: undefined }))
    expect(readItem(doc, 'n1')).toMatchObject({ body: '', tags: [], pinned: false, expiresAt: null })
    writeRaw(doc, 'm1', storedNotice({ kind: 'meeting', place: 'Back room', start: NOW + HOUR, end: NOW + 2 * HOUR }))
    expect(readItem(doc, 'm1')).toMatchObject({ access: '', expiresAt: NOW + 2 * HOUR })
  })

  it('repairs an end before the start (a merge of honest edits) rather than hiding the item', () => {
    const doc = new Y.Doc()
    const event = unwrap(createItem(doc, eventDraft(), NOW, 'e1')) as EventItem
    const meeting = unwrap(createItem(doc, meetingDraft(), NOW, 'm1')) as MeetingItem
    ;(itemsMap(doc).get('e1') as Y.Map<unknown>).set('end', event.start - DAY)
    ;(itemsMap(doc).get('m1') as Y.Map<unknown>).set('end', meeting.start - HOUR)
    expect(readItem(doc, 'e1')).toMatchObject({ start: event.start, end: event.start })
    expect(readItem(doc, 'm1')).toMatchObject({ start: meeting.start, end: meeting.start, expiresAt: meeting.expiresAt })
  })
})
