/**
 * The readable board doc: what it keeps of deleted posts, and how verified
 * updates carrying this device's own client id are applied to it.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { applyParked, createReadableDoc } from '../../src/sealed/readable.ts'

const ALICE = 101
const post = (title: string) => new Y.Map<unknown>([['title', title]])

describe('the readable doc', () => {
  it('keeps Alice’s deleted post as a map with its key, its fields collected down to tombstones', () => {
    const doc = createReadableDoc(ALICE)
    expect(doc.clientID).toBe(ALICE)
    doc.getMap('items').set('alice/1', post('Safe meeting'))
    doc.getMap('items').delete('alice/1')
    const structs = doc.store.clients.get(ALICE)!
    const [entry, title] = structs as Y.Item[]
    expect(entry).toBeInstanceOf(Y.Item)
    expect(entry!.content).toBeInstanceOf(Y.ContentType)
    expect(entry!.parentSub).toBe('alice/1')
    expect(title).toBeInstanceOf(Y.Item)
    expect(title!.content).toBeInstanceOf(Y.ContentDeleted)
    expect(title!.parentSub).toBe('title')
  })

  it('applies Alice’s own entries, read back after a restart, in one transaction without giving up her client id', () => {
    const before = new Y.Doc()
    before.clientID = ALICE
    const updates: Uint8Array[] = []
    before.on('update', (u: Uint8Array) => updates.push(u))
    before.getMap('items').set('alice/1', post('One'))
    before.getMap('items').set('alice/2', post('Two'))
    const doc = createReadableDoc(ALICE)
    const origins: unknown[] = []
    doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin))
    applyParked(doc, [], 'sealed')
    expect(origins).toEqual([])
    applyParked(doc, updates, 'sealed')
    expect(origins).toEqual(['sealed'])
    expect(doc.clientID).toBe(ALICE)
    expect(Object.keys(doc.getMap('items').toJSON()).sort()).toEqual(['alice/1', 'alice/2'])
    // Her next change is hers again.
    doc.getMap('items').set('alice/3', post('Three'))
    expect(Y.getState(doc.store, ALICE)).toBe(6)
  })
})
