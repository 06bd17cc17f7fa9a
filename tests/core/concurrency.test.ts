import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { createItem, deleteItem, itemsMap, readItem, readItems, setPinned, updateItem, type Item } from '../../src/core/index.ts'
import { DAY, HOUR, NOW, eventDraft, noticeDraft, syncAll, unwrap } from './fixtures.ts'

/** A peer that starts from `from`'s current state (as after a sync). */
function peerOf(from: Y.Doc, clientID: number): Y.Doc {
  const doc = new Y.Doc()
  doc.clientID = clientID
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(from))
  return doc
}

/** Runs an offline change on `doc` and returns just the update it produced. */
function offline(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const before = Y.encodeStateVector(doc)
  change(doc)
  return Y.encodeStateAsUpdate(doc, before)
}

/** A fresh peer from `base` that receives `updates` in the given order. */
function receive(base: Uint8Array, clientID: number, updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc()
  doc.clientID = clientID
  Y.applyUpdate(doc, base)
  for (const update of updates) Y.applyUpdate(doc, update)
  return doc
}

/** Alice's board with one notice and one event on it, shared with Bob and Carol. */
function sharedBoard(): { alice: Y.Doc; bob: Y.Doc; carol: Y.Doc } {
  const alice = new Y.Doc()
  alice.clientID = 1
  unwrap(createItem(alice, noticeDraft({ title: 'Food bank', body: 'Saturdays' }), NOW, 'n1'))
  unwrap(createItem(alice, eventDraft({ start: NOW + DAY, end: NOW + DAY + 2 * HOUR }), NOW, 'e1'))
  return { alice, bob: peerOf(alice, 2), carol: peerOf(alice, 3) }
}

function expectSameBoard(...docs: Y.Doc[]): Item[] {
  const first = readItems(docs[0] as Y.Doc)
  for (const doc of docs.slice(1)) {
    expect(readItems(doc)).toEqual(first)
    expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(docs[0] as Y.Doc))
  }
  return first
}

describe('two people edit the same item while offline', () => {
  it('Alice fixes the title while Bob updates the body: both edits survive', () => {
    const { alice, bob } = sharedBoard()
    unwrap(updateItem(alice, 'n1', { title: 'Food bank (new address)' }, NOW + 1))
    unwrap(updateItem(bob, 'n1', { body: 'Saturdays and Sundays' }, NOW + 2))
    syncAll(alice, bob)
    expectSameBoard(alice, bob)
    expect(readItem(alice, 'n1')).toMatchObject({ title: 'Food bank (new address)', body: 'Saturdays and Sundays' })
  })

  it('Alice pins while Bob retags: both survive', () => {
    const { alice, bob } = sharedBoard()
    setPinned(alice, 'n1', true)
    unwrap(updateItem(bob, 'n1', { tags: ['food', 'weekend'] }, NOW + 2))
    syncAll(alice, bob)
    expect(readItem(bob, 'n1')).toMatchObject({ pinned: true, tags: ['food', 'weekend'] })
    expectSameBoard(alice, bob)
  })

  it('Alice and Bob both retitle it: everyone ends with the same one of the two, whatever the order', () => {
    const { alice, bob } = sharedBoard()
    const base = Y.encodeStateAsUpdate(alice)
    const fromAlice = offline(alice, (doc) => unwrap(updateItem(doc, 'n1', { title: 'Food bank by Alice' }, NOW + 1)))
    const fromBob = offline(bob, (doc) => unwrap(updateItem(doc, 'n1', { title: 'Food bank by Bob' }, NOW + 2)))
    const carol = receive(base, 3, [fromAlice, fromBob])
    const dave = receive(base, 4, [fromBob, fromAlice])
    Y.applyUpdate(alice, fromBob)
    Y.applyUpdate(bob, fromAlice)
    const [item] = expectSameBoard(alice, bob, carol, dave).filter((i) => i.id === 'n1')
    expect(['Food bank by Alice', 'Food bank by Bob']).toContain(item?.title)
  })

  it('Alice moves the start later while Bob moves the end earlier: everyone reads the same repaired event', () => {
    const { alice, bob } = sharedBoard()
    unwrap(updateItem(alice, 'e1', { start: NOW + DAY + 3 * HOUR, end: NOW + DAY + 4 * HOUR }, NOW + 1))
    unwrap(updateItem(bob, 'e1', { end: NOW + DAY + HOUR }, NOW + 2))
    syncAll(alice, bob)
    // Yjs lets the higher client id win a same-key conflict, so Bob's end (before
    // Alice's new start) wins; the event must not vanish, and ends as it starts.
    const event = readItem(alice, 'e1')
    expect(event).toMatchObject({ start: NOW + DAY + 3 * HOUR, end: NOW + DAY + 3 * HOUR })
    expect(readItem(bob, 'e1')).toEqual(event)
  })
})

describe('Alice deletes an item while Bob edits it', () => {
  it('the delete wins on every peer, whatever order the updates arrive in', () => {
    const { alice, bob } = sharedBoard()
    const base = Y.encodeStateAsUpdate(alice)
    const deletion = offline(alice, (doc) => expect(deleteItem(doc, 'n1')).toBe(true))
    const edit = offline(bob, (doc) => unwrap(updateItem(doc, 'n1', { title: 'Still on!', body: 'Edited' }, NOW + 1)))
    const carol = receive(base, 3, [deletion, edit])
    const dave = receive(base, 4, [edit, deletion])
    Y.applyUpdate(alice, edit)
    Y.applyUpdate(bob, deletion)
    for (const doc of [alice, bob, carol, dave]) {
      expect(readItem(doc, 'n1')).toBeNull()
      expect(itemsMap(doc).has('n1')).toBe(false)
    }
    expect(expectSameBoard(alice, bob, carol, dave).map((item) => item.id)).toEqual(['e1'])
  })

  it("Bob's later edit attempt is told the item is gone", () => {
    const { alice, bob } = sharedBoard()
    deleteItem(alice, 'n1')
    syncAll(alice, bob)
    expect(updateItem(bob, 'n1', { title: 'x' }, NOW + 1)).toEqual({ ok: false, errors: [{ field: 'id', code: 'not_found' }] })
  })
})

describe('Alice, Bob and Carol post at the same time', () => {
  it('every post appears on every device, in the same order', () => {
    const { alice, bob, carol } = sharedBoard()
    unwrap(createItem(alice, noticeDraft({ title: 'From Alice' }), NOW + 1, 'a-1'))
    unwrap(createItem(bob, noticeDraft({ title: 'From Bob', author: 'Bob' }), NOW + 1, 'b-1'))
    unwrap(createItem(carol, noticeDraft({ title: 'From Carol', author: 'Carol' }), NOW + 1, 'c-1'))
    syncAll(alice, bob, carol)
    expect(expectSameBoard(alice, bob, carol).map((item) => item.id)).toEqual(['a-1', 'b-1', 'c-1', 'e1', 'n1'])
  })
})
