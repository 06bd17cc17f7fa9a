/**
 * The shared map of entries (shared-entries.ts) is written by anyone in the
 * room. Alice's device reads it as the engine does: on every transaction it
 * did not make itself, it removes what was written outside the entries and
 * asks which keys changed; it removes entries that are invalid for everyone
 * unless someone has put something else there since. Eve writes with her own
 * Yjs doc whatever she likes.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { SEALED_ORIGIN } from '../../src/sealed/origins.ts'
import { SharedEntries } from '../../src/sealed/shared-entries.ts'

const bytes = (...b: number[]) => Uint8Array.from(b)

/** Alice's sealed doc, watched like the engine watches it. */
function alicesDoc() {
  const doc = new Y.Doc()
  const entries = new SharedEntries(doc)
  const removed: number[] = []
  const changed: Set<string>[] = []
  const origins: unknown[] = []
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    origins.push(tr.origin)
    if (tr.origin === SEALED_ORIGIN) return
    removed.push(entries.removeJunk(tr))
    changed.push(entries.changedKeys(tr))
  })
  return { doc, entries, removed, changed, origins }
}

/** Eve's own doc: each change she makes reaches Alice as one remote update. Her second doc takes `entries` for a list. */
function eve(alice: Y.Doc, client = 666) {
  const doc = new Y.Doc()
  doc.clientID = client
  doc.on('update', (u: Uint8Array) => Y.applyUpdate(alice, u, 'remote'))
  return doc
}

describe('what the map holds', () => {
  it('holds says whether exactly these bytes are under the key', () => {
    const a = alicesDoc()
    a.entries.set('alice/1', bytes(1, 2, 3))
    a.doc.getMap('entries').set('eve/1', 'not bytes')
    expect(a.entries.holds('alice/1', bytes(1, 2, 3))).toBe(true)
    expect(a.entries.holds('alice/1', bytes(1, 2, 4))).toBe(false)
    expect(a.entries.holds('alice/1', bytes(1, 2))).toBe(false)
    expect(a.entries.holds('eve/1', bytes(1))).toBe(false)
    expect(a.entries.holds('nobody', bytes(1))).toBe(false)
  })
})

describe('collecting an entry that is invalid for everyone', () => {
  it('removes it when it is still the bytes that were judged, the same object or a copy read later', () => {
    const a = alicesDoc()
    const judged = bytes(9, 9, 9)
    a.entries.set('eve/1', judged)
    a.entries.set('eve/2', bytes(8, 8))
    a.entries.collect('eve/1', a.entries.get('eve/1'))
    a.entries.collect('eve/2', bytes(8, 8))
    expect(a.entries.keys()).toEqual([])
  })

  it('removes Eve’s junk that is not bytes when it is still there', () => {
    const a = alicesDoc()
    eve(a.doc).getMap('entries').set('eve/1', 'junk')
    a.entries.collect('eve/1', 'junk')
    expect(a.entries.keys()).toEqual([])
  })

  it('keeps what someone put under the key since: other bytes, something that is not bytes, even a list of the same numbers', () => {
    const a = alicesDoc()
    a.entries.set('bob/1', bytes(2, 2))
    a.entries.collect('bob/1', bytes(1, 1))
    const e = eve(a.doc)
    e.getMap('entries').set('bob/2', 'something else')
    a.entries.collect('bob/2', bytes(1, 1))
    e.getMap('entries').set('bob/3', [1, 1])
    a.entries.collect('bob/3', bytes(1, 1))
    expect(a.entries.keys().sort()).toEqual(['bob/1', 'bob/2', 'bob/3'])
  })

  it('writes nothing when the key is gone already', () => {
    const a = alicesDoc()
    a.entries.collect('gone', undefined)
    a.entries.collect('gone', bytes(1))
    expect(a.origins).toEqual([])
  })
})

describe('what a transaction changed', () => {
  it('the keys Eve wrote, and none when she wrote only outside the entries or list items into them', () => {
    const a = alicesDoc()
    const e = eve(a.doc)
    e.transact(() => {
      e.getMap('entries').set('eve/1', bytes(1))
      e.getMap('entries').set('eve/2', bytes(2))
    })
    e.getMap('elsewhere').set('x', 1)
    eve(a.doc, 667).getArray('entries').insert(0, ['listed'])
    expect(a.changed).toEqual([new Set(['eve/1', 'eve/2']), new Set(), new Set()])
  })
})

describe('junk outside the entries', () => {
  it('Eve’s list items in the entries map are removed at once, counted once each, and the entries stay', () => {
    const a = alicesDoc()
    const e = eve(a.doc)
    e.getMap('entries').set('eve/1', bytes(1))
    const list = eve(a.doc, 667)
    list.transact(() => {
      list.getArray('entries').insert(0, ['a', 'b'])
      list.getArray('entries').delete(0, 1)
    })
    expect(a.removed).toEqual([0, 1])
    expect(a.origins).toEqual(['remote', 'remote', SEALED_ORIGIN])
    const map = a.doc.getMap('entries')
    const live: unknown[] = []
    for (let item = map._start; item; item = item.right) if (!item.deleted) live.push(item)
    expect(live).toEqual([])
    expect(a.entries.keys()).toEqual(['eve/1'])
  })

  it('Eve’s other root map and list are emptied, each live struct counted once', () => {
    const a = alicesDoc()
    const e = eve(a.doc)
    e.transact(() => {
      const m = e.getMap('junk')
      m.set('a', 1)
      m.set('b', 2)
      m.delete('a')
      const l = e.getArray('more')
      l.insert(0, ['x', 'y'])
      l.delete(1, 1)
    })
    expect(a.removed).toEqual([2])
    expect(a.doc.getMap('junk').toJSON()).toEqual({})
    expect(a.doc.getArray('more').toJSON()).toEqual([])
  })

  it('a type nested under an entry key is not junk here (the entry is judged as a whole): Eve’s later change to it stays', () => {
    const a = alicesDoc()
    const e = eve(a.doc)
    const nested = new Y.Map<number>()
    e.getMap('entries').set('eve/1', nested)
    nested.set('field', 1)
    expect(a.removed).toEqual([0, 0])
    expect((a.entries.get('eve/1') as Y.Map<number>).toJSON()).toEqual({ field: 1 })
  })

  it('Alice’s entry arriving cleanly removes nothing and writes nothing back', () => {
    const a = alicesDoc()
    eve(a.doc).getMap('entries').set('eve/1', bytes(1))
    expect(a.removed).toEqual([0])
    expect(a.origins).toEqual(['remote'])
  })
})
