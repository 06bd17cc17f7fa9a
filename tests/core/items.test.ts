import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  createItem,
  deleteItem,
  isItemId,
  itemOwner,
  editedBy,
  readRemovals,
  removeItem,
  itemsMap,
  newItemId,
  readItem,
  readItems,
  setPinned,
  updateItem,
  type ItemKind,
} from '../../src/core/index.ts'
import { DAY, DRAFTS, HOUR, NOW, errorsOf, meetingDraft, noticeDraft, snapshot, unwrap } from './fixtures.ts'

/** The keys Yjs reports as written to an item's map during `action`. */
function writtenKeys(doc: Y.Doc, id: string, action: () => void): string[] {
  const map = itemsMap(doc).get(id) as Y.Map<unknown>
  const keys: string[] = []
  const observer = (event: Y.YMapEvent<unknown>): void => {
    keys.push(...event.keysChanged)
  }
  map.observe(observer)
  action()
  map.unobserve(observer)
  return keys.sort()
}

describe('newItemId', () => {
  it('makes 22-character base64url ids that do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newItemId()))
    expect(ids.size).toBe(1000)
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
      expect(isItemId(id)).toBe(true)
    }
  })

  it('recognises ids and refuses anything a hostile peer could use as one', () => {
    expect(isItemId('alice-1')).toBe(true)
    for (const bad of ['', 'a b', '<img>', 'x'.repeat(65), 42, null]) expect(isItemId(bad)).toBe(false)
  })
})

describe('Alice posts one of every kind', () => {
  it.each(Object.keys(DRAFTS) as ItemKind[])('a %s is created, read back, edited, pinned and deleted', (kind) => {
    const doc = new Y.Doc()
    const created = unwrap(createItem(doc, DRAFTS[kind](), NOW))
    expect(created).toMatchObject({ kind, createdAt: NOW, updatedAt: NOW, pinned: false })
    expect(isItemId(created.id)).toBe(true)
    expect(readItem(doc, created.id)).toEqual(created)
    expect(readItems(doc)).toEqual([created])

    const edited = unwrap(updateItem(doc, created.id, { title: 'Changed plans', tags: ['Update'] }, NOW + HOUR))
    expect(edited).toEqual({ ...created, title: 'Changed plans', tags: ['update'], updatedAt: NOW + HOUR })
    expect(readItem(doc, created.id)).toEqual(edited)

    expect(setPinned(doc, created.id, true)).toBe(true)
    expect(readItem(doc, created.id)).toEqual({ ...edited, pinned: true })

    expect(deleteItem(doc, created.id)).toBe(true)
    expect(readItem(doc, created.id)).toBeNull()
    expect(readItems(doc)).toEqual([])
  })

  it('stores each item as a nested map of plain fields, keyed by id', () => {
    const doc = new Y.Doc()
    const meeting = unwrap(createItem(doc, meetingDraft({ tags: ['circle'] }), NOW, 'meet-1'))
    const map = itemsMap(doc).get('meet-1')
    expect(map).toBeInstanceOf(Y.Map)
    const { id: _id, ...fields } = meeting
    expect((map as Y.Map<unknown>).toJSON()).toEqual(fields)
    expect((map as Y.Map<unknown>).get('tags')).toEqual(['circle'])
  })

  it('writes a new item in one transaction (peers never see half an item)', () => {
    const doc = new Y.Doc()
    let updates = 0
    doc.on('update', () => updates++)
    unwrap(createItem(doc, noticeDraft(), NOW))
    expect(updates).toBe(1)
  })

  it('keeps invalid items out of the doc entirely', () => {
    const doc = new Y.Doc()
    unwrap(createItem(doc, noticeDraft(), NOW, 'keep'))
    const before = snapshot(doc)
    expect(errorsOf(createItem(doc, noticeDraft({ title: '' }), NOW))).toEqual([{ field: 'title', code: 'required' }])
    expect(errorsOf(createItem(doc, 'not a draft', NOW))).toEqual([{ field: 'item', code: 'invalid' }])
    expect(errorsOf(createItem(doc, meetingDraft({ start: NOW - 2 * HOUR, end: NOW - HOUR }), NOW))).toHaveLength(1)
    expect(snapshot(doc)).toEqual(before)
  })

  it('refuses an id that is malformed or already taken instead of overwriting', () => {
    const doc = new Y.Doc()
    const first = unwrap(createItem(doc, noticeDraft(), NOW, 'same'))
    const before = snapshot(doc)
    expect(errorsOf(createItem(doc, noticeDraft({ title: 'Other' }), NOW, 'same'))).toEqual([{ field: 'id', code: 'invalid' }])
    expect(errorsOf(createItem(doc, noticeDraft(), NOW, 'has space'))).toEqual([{ field: 'id', code: 'invalid' }])
    expect(snapshot(doc)).toEqual(before)
    expect(readItem(doc, 'same')).toEqual(first)
  })
})

describe('Bob edits an item', () => {
  it('writes only the fields that changed, plus updatedAt', () => {
    const doc = new Y.Doc()
    const item = unwrap(createItem(doc, noticeDraft(), NOW, 'n1'))
    const keys = writtenKeys(doc, 'n1', () => {
      unwrap(updateItem(doc, 'n1', { title: item.title, body: 'Bring two bags.', tags: [...item.tags], author: ' Alice ' }, NOW + 1))
    })
    expect(keys).toEqual(['body', 'updatedAt'])
  })

  it('writes nothing when nothing changed', () => {
    const doc = new Y.Doc()
    const item = unwrap(createItem(doc, noticeDraft(), NOW, 'n1'))
    const before = snapshot(doc)
    expect(unwrap(updateItem(doc, 'n1', { title: ` ${item.title} ` }, NOW + 1))).toEqual(item)
    expect(snapshot(doc)).toEqual(before)
  })

  it('leaves the doc untouched when the edit is invalid', () => {
    const doc = new Y.Doc()
    unwrap(createItem(doc, DRAFTS.event(), NOW, 'e1'))
    const before = snapshot(doc)
    expect(errorsOf(updateItem(doc, 'e1', { end: NOW, title: '' }, NOW + 1))).toEqual([
      { field: 'title', code: 'required' },
      { field: 'end', code: 'end_before_start' },
    ])
    expect(snapshot(doc)).toEqual(before)
  })

  it('is told the item is gone when Alice deleted it first', () => {
    const doc = new Y.Doc()
    unwrap(createItem(doc, noticeDraft(), NOW, 'n1'))
    expect(deleteItem(doc, 'n1')).toBe(true)
    expect(errorsOf(updateItem(doc, 'n1', { title: 'Too late' }, NOW + 1))).toEqual([{ field: 'id', code: 'not_found' }])
    expect(deleteItem(doc, 'n1')).toBe(false)
    expect(setPinned(doc, 'n1', true)).toBe(false)
  })

  it('cannot edit or pin an entry that is malformed (it is not on the board)', () => {
    const doc = new Y.Doc()
    const raw = new Y.Map<unknown>()
    itemsMap(doc).set('junk', raw)
    raw.set('kind', 'notice')
    expect(errorsOf(updateItem(doc, 'junk', { title: 'x', author: 'Eve' }, NOW))).toEqual([{ field: 'id', code: 'not_found' }])
    expect(setPinned(doc, 'junk', true)).toBe(false)
  })

  it("moves a meeting's default expiry when the meeting moves", () => {
    const doc = new Y.Doc()
    unwrap(createItem(doc, meetingDraft(), NOW, 'm1'))
    unwrap(updateItem(doc, 'm1', { start: NOW + DAY, end: NOW + DAY + HOUR }, NOW + 1))
    expect(readItem(doc, 'm1')).toMatchObject({ end: NOW + DAY + HOUR, expiresAt: NOW + DAY + HOUR })
  })
})

describe('pinning', () => {
  it('writes only pinned — a moderator’s act, not an edit of the owner’s item — and nothing when already so', () => {
    const doc = new Y.Doc()
    unwrap(createItem(doc, noticeDraft(), NOW, 'n1'))
    expect(writtenKeys(doc, 'n1', () => setPinned(doc, 'n1', true))).toEqual(['pinned'])
    const before = snapshot(doc)
    expect(setPinned(doc, 'n1', true)).toBe(true)
    expect(snapshot(doc)).toEqual(before)
    expect(setPinned(doc, 'n1', false)).toBe(true)
    expect(readItem(doc, 'n1')).toMatchObject({ pinned: false, updatedAt: NOW })
  })
})

describe('readItems', () => {
  it('lists items in id order, whatever order they were added in', () => {
    const doc = new Y.Doc()
    for (const id of ['c', 'a', 'b']) unwrap(createItem(doc, noticeDraft(), NOW, id))
    expect(readItems(doc).map((item) => item.id)).toEqual(['a', 'b', 'c'])
  })
})

describe('owners and moderators', () => {
  it('an id names its owner; ids from before owners name nobody', () => {
    const id = newItemId('AbCdEfGhIjK')
    expect(id).toHaveLength(33)
    expect(itemOwner(id)).toBe('AbCdEfGhIjK')
    expect(isItemId(id)).toBe(true)
    expect(itemOwner(newItemId())).toBeNull()
    expect(() => newItemId('not a tag')).toThrow(RangeError)
  })

  it('an edit is read from the item’s structs, not from a field: pinning is not an edit, changing a field is', () => {
    const doc = new Y.Doc()
    unwrap(createItem(doc, noticeDraft(), NOW, 'n1'))
    expect(editedBy(doc, 'n1')).toBeNull()
    setPinned(doc, 'n1', true)
    expect(editedBy(doc, 'n1')).toBeNull()
    const editor = new Y.Doc()
    editor.clientID = 4242
    Y.applyUpdate(editor, Y.encodeStateAsUpdate(doc))
    unwrap(updateItem(editor, 'n1', { title: 'Changed' }, NOW + 1))
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(editor))
    expect(editedBy(doc, 'n1')).toBe(4242)
    // Writing updatedAt back does not hide the edit.
    const item = itemsMap(doc).get('n1')
    if (!(item instanceof Y.Map)) throw new Error('n1 is not an item')
    item.set('updatedAt', NOW)
    expect(editedBy(doc, 'n1')).not.toBeNull()
  })

  it('a moderator’s removal deletes the item and leaves a trace; removing nothing writes nothing', () => {
    const doc = new Y.Doc()
    unwrap(createItem(doc, noticeDraft(), NOW, 'n1'))
    expect(removeItem(doc, 'n1', NOW + 5)).toBe(true)
    expect(readItem(doc, 'n1')).toBeNull()
    expect(readRemovals(doc)).toEqual([{ id: 'n1', at: NOW + 5, client: doc.clientID }])
    const before = Y.encodeStateAsUpdate(doc)
    expect(removeItem(doc, 'n1', NOW + 6)).toBe(false)
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
  })
})
