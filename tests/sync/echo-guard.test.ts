import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { spareAfter, spareBefore } from '../../src/sync/echo-guard.ts'

/** Two updates of one writer, the second built on the first: alone, the second waits in a fresh doc. */
function twoUpdates(name: string): [Uint8Array, Uint8Array] {
  const doc = new Y.Doc()
  const first: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => first.push(u))
  doc.getMap('entries').set(`${name}-1`, 'first')
  doc.getMap('entries').set(`${name}-2`, 'second')
  return [first[0]!, first[1]!]
}

/** As the patched readPeerMessage does: whom to spare, the apply, then what waits noted. */
function fromPeer(room: object, doc: Y.Doc, peer: object, update: Uint8Array): object | null {
  const spared = spareBefore(room, doc.store, peer)
  Y.applyUpdate(doc, update, room)
  spareAfter(room, doc.store, peer, spared)
  return spared
}

const waiting = (doc: Y.Doc) => doc.store.pendingStructs !== null || doc.store.pendingDs !== null

describe('whom a peer’s update goes back to', () => {
  const alice = { name: 'alice' }
  const carol = { name: 'carol' }

  it('nothing waits: not back to the peer it came from', () => {
    const [a1] = twoUpdates('a')
    expect(fromPeer({}, new Y.Doc(), alice, a1)).toBe(alice)
  })

  it('what waits came from the same peer: not back to it, while it waits and when it goes in', () => {
    const room = {}
    const doc = new Y.Doc()
    const [a1, a2] = twoUpdates('a')
    expect(fromPeer(room, doc, alice, a2)).toBe(alice)
    expect(waiting(doc)).toBe(true)
    // The board arrives: Alice's waiting change goes in with it, and she has both.
    expect(fromPeer(room, doc, alice, a1)).toBe(alice)
    expect(waiting(doc)).toBe(false)
    expect(doc.getMap('entries').toJSON()).toEqual({ 'a-1': 'first', 'a-2': 'second' })
  })

  it('what waits came from another peer: to everyone, the sender too (it may lack what goes in with its update)', () => {
    const room = {}
    const doc = new Y.Doc()
    const [a1, a2] = twoUpdates('a')
    // Carol passes on Alice's later change first.
    expect(fromPeer(room, doc, carol, a2)).toBe(carol)
    expect(fromPeer(room, doc, alice, a1)).toBeNull()
  })

  it('what waits was left by something other than a peer’s message (a load, another room): to everyone', () => {
    const room = {}
    const doc = new Y.Doc()
    const [a1, a2] = twoUpdates('a')
    Y.applyUpdate(doc, a2)
    expect(waiting(doc)).toBe(true)
    expect(fromPeer(room, doc, alice, a1)).toBeNull()
  })

  it('what waits changed since the peer’s last message (another room on the same doc): to everyone', () => {
    const room = {}
    const other = {}
    const doc = new Y.Doc()
    const [a1, a2] = twoUpdates('a')
    const [, b2] = twoUpdates('b')
    expect(fromPeer(room, doc, alice, a2)).toBe(alice)
    // Another room's peer leaves more waiting in the same doc.
    expect(fromPeer(other, doc, carol, b2)).toBeNull()
    expect(fromPeer(room, doc, alice, a1)).toBeNull()
  })

  it('mixed once, to everyone until nothing waits; then spared again', () => {
    const room = {}
    const doc = new Y.Doc()
    const [a1, a2] = twoUpdates('a')
    const [b1, b2] = twoUpdates('b')
    fromPeer(room, doc, carol, b2)
    expect(fromPeer(room, doc, alice, a2)).toBeNull()
    // Carol's earlier change lets hers in; Alice's still waits, mixed: to everyone.
    expect(fromPeer(room, doc, carol, b1)).toBeNull()
    expect(fromPeer(room, doc, alice, a1)).toBeNull()
    expect(waiting(doc)).toBe(false)
    const [c1] = twoUpdates('c')
    expect(fromPeer(room, doc, alice, c1)).toBe(alice)
  })
})
