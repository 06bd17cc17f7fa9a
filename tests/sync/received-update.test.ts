/**
 * A peer's update applied without Yjs encoding it again: the doc's 'update'
 * listeners (the store, the room passing it on) must still hear everything
 * the doc took in, once, and nothing it did not.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { applyReceived, readSyncMessage } from '../../src/sync/received-update.ts'

const NETWORK = Symbol('network')

function author(client: number): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc()
  doc.clientID = client
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  return { doc, updates }
}

/** A doc listening like the store does: every update heard, with its origin. */
function listener(): { doc: Y.Doc; heard: { update: Uint8Array; origin: unknown }[] } {
  const doc = new Y.Doc()
  const heard: { update: Uint8Array; origin: unknown }[] = []
  doc.on('update', (update: Uint8Array, origin: unknown) => heard.push({ update, origin }))
  return { doc, heard }
}

/** What the listener heard, applied to a fresh doc: the store's reload. */
function replay(heard: readonly { update: Uint8Array }[]): Y.Doc {
  const doc = new Y.Doc()
  for (const { update } of heard) Y.applyUpdate(doc, update)
  return doc
}

describe('applyReceived', () => {
  it('hands the listeners the bytes as received, with the origin, and the doc takes them in', () => {
    const a = author(1)
    a.doc.getMap('m').set('k', 'v')
    const b = listener()
    applyReceived(b.doc, a.updates[0]!, NETWORK)
    expect(b.doc.getMap('m').get('k')).toBe('v')
    expect(b.heard).toHaveLength(1)
    expect(b.heard[0]!.update).toBe(a.updates[0])
    expect(b.heard[0]!.origin).toBe(NETWORK)
  })

  it('tells nothing when the update brings nothing new, as Yjs does', () => {
    const a = author(1)
    a.doc.getMap('m').set('k', 'v')
    const b = listener()
    applyReceived(b.doc, a.updates[0]!, NETWORK)
    applyReceived(b.doc, a.updates[0]!, NETWORK)
    applyReceived(b.doc, Y.encodeStateAsUpdate(a.doc), NETWORK)
    expect(b.heard).toHaveLength(1)
  })

  it('tells a deletion that arrives alone', () => {
    const a = author(1)
    a.doc.getMap('m').set('k', 'v')
    a.doc.getMap('m').delete('k')
    const b = listener()
    applyReceived(b.doc, a.updates[0]!, NETWORK)
    applyReceived(b.doc, a.updates[1]!, NETWORK)
    expect(b.heard).toHaveLength(2)
    expect(replay(b.heard).getMap('m').has('k')).toBe(false)
  })

  it('tells everything that went in when structs that waited go in with the update: they are not in its bytes', () => {
    const a = author(1)
    a.doc.getArray('list').insert(0, ['first'])
    a.doc.getArray('list').insert(1, ['second'])
    const b = listener()
    applyReceived(b.doc, a.updates[1]!, NETWORK) // waits for the first
    expect(b.heard).toHaveLength(0)
    applyReceived(b.doc, a.updates[0]!, NETWORK)
    expect(b.doc.getArray('list').toArray()).toEqual(['first', 'second'])
    expect(b.heard).toHaveLength(1)
    expect(b.heard[0]!.update).not.toBe(a.updates[0])
    expect(replay(b.heard).getArray('list').toArray()).toEqual(['first', 'second'])
  })

  it('hands on the bytes as received while structs of another writer wait and stay waiting (a welcome ahead of the board)', () => {
    const inviter = author(1)
    const other = author(2)
    inviter.doc.getMap('m').set('board', 'the board')
    inviter.doc.getMap('m').set('welcome', 'your keys')
    other.doc.getMap('o').set('x', 1)
    other.doc.getMap('o').set('y', 2)
    const b = listener()
    applyReceived(b.doc, other.updates[1]!, NETWORK) // waits for the other writer's first
    applyReceived(b.doc, inviter.updates[1]!, NETWORK) // the welcome, ahead of the board: waits too
    expect(b.heard).toHaveLength(0)
    // The board lets the welcome in: everything since, not its bytes alone.
    applyReceived(b.doc, inviter.updates[0]!, NETWORK)
    expect(b.heard).toHaveLength(1)
    expect(replay(b.heard).getMap('m').toJSON()).toEqual({ board: 'the board', welcome: 'your keys' })
    // The other writer's second still waits; a third change of the inviter's goes in alone: its bytes, as received.
    inviter.doc.getMap('m').set('post', 'a post')
    applyReceived(b.doc, inviter.updates[2]!, NETWORK)
    expect(b.heard).toHaveLength(2)
    expect(b.heard[1]!.update).toBe(inviter.updates[2])
    // And what let the last waiting struct in: all of it heard, once the store's reload applies what it heard.
    applyReceived(b.doc, other.updates[0]!, NETWORK)
    expect(replay(b.heard).toJSON()).toEqual(b.doc.toJSON())
    expect(b.doc.getMap('o').toJSON()).toEqual({ x: 1, y: 2 })
  })

  it('hands on bytes that partly wait themselves as received: a listener hears more than went in, never less', () => {
    const a = author(1)
    const c = author(3)
    a.doc.getMap('m').set('one', 1)
    a.doc.getMap('m').set('two', 2)
    c.doc.getMap('n').set('z', 26)
    const b = listener()
    applyReceived(b.doc, a.updates[1]!, NETWORK) // waits
    const both = Y.mergeUpdates([c.updates[0]!, a.updates[1]!])
    applyReceived(b.doc, both, NETWORK) // c's goes in, a's second waits again
    expect(b.heard.map((h) => h.update)).toEqual([both])
    applyReceived(b.doc, a.updates[0]!, NETWORK)
    expect(replay(b.heard).toJSON()).toEqual(b.doc.toJSON())
  })

  it('misses nothing when an observer writes while the update is cleaned up', () => {
    const a = author(1)
    a.doc.getMap('m').set('k', 'v')
    const b = listener()
    b.doc.clientID = 2
    b.doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.origin === NETWORK) b.doc.getMap('m').set('seen', true)
    })
    applyReceived(b.doc, a.updates[0]!, NETWORK)
    expect(b.doc.getMap('m').toJSON()).toEqual({ k: 'v', seen: true })
    expect(replay(b.heard).getMap('m').toJSON()).toEqual({ k: 'v', seen: true })
    // Each change heard once: the remote one encoded by Yjs, then the observer's own.
    expect(b.heard.map((h) => h.origin)).toEqual([NETWORK, null])
  })

  it('still tells what went in when an observer throws, and throws', () => {
    const a = author(1)
    a.doc.getMap('m').set('k', 'v')
    const b = listener()
    b.doc.on('afterTransaction', () => {
      throw new Error('observer failed')
    })
    expect(() => applyReceived(b.doc, a.updates[0]!, NETWORK)).toThrow('observer failed')
    expect(replay(b.heard).getMap('m').get('k')).toBe('v')
  })

  it('keeps every listener, once, for what comes next', () => {
    const a = author(1)
    a.doc.getMap('m').set('k', 'v')
    const b = listener()
    let second = 0
    b.doc.on('update', () => second++)
    applyReceived(b.doc, a.updates[0]!, NETWORK)
    b.doc.getMap('m').set('local', 1)
    expect(b.heard).toHaveLength(2)
    expect(second).toBe(2)
    expect(b.doc._observers.get('beforeTransaction')?.size ?? 0).toBe(0)
  })

  it('with no listener, just applies', () => {
    const a = author(1)
    a.doc.getMap('m').set('k', 'v')
    const doc = new Y.Doc()
    applyReceived(doc, a.updates[0]!, NETWORK)
    expect(doc.getMap('m').get('k')).toBe('v')
  })
})

describe('readSyncMessage', () => {
  it('answers a step 1 as y-protocols does, and applies a step 2 and an update', () => {
    const a = author(1)
    a.doc.getMap('m').set('k', 'v')
    const ask = (reader: typeof readSyncMessage) => {
      const request = encoding.createEncoder()
      syncProtocol.writeSyncStep1(request, new Y.Doc())
      const reply = encoding.createEncoder()
      expect(reader(decoding.createDecoder(encoding.toUint8Array(request)), reply, a.doc, NETWORK)).toBe(syncProtocol.messageYjsSyncStep1)
      return encoding.toUint8Array(reply)
    }
    expect(ask(readSyncMessage)).toEqual(ask(syncProtocol.readSyncMessage))

    const b = listener()
    for (const write of [syncProtocol.writeSyncStep2, syncProtocol.writeUpdate]) {
      const message = encoding.createEncoder()
      if (write === syncProtocol.writeSyncStep2) syncProtocol.writeSyncStep2(message, a.doc)
      else {
        a.doc.getMap('m').set('k2', 'w')
        syncProtocol.writeUpdate(message, a.updates.at(-1)!)
      }
      readSyncMessage(decoding.createDecoder(encoding.toUint8Array(message)), encoding.createEncoder(), b.doc, NETWORK)
    }
    expect(b.doc.getMap('m').toJSON()).toEqual({ k: 'v', k2: 'w' })
    expect(replay(b.heard).getMap('m').toJSON()).toEqual({ k: 'v', k2: 'w' })
  })

  it('logs and drops a damaged update, as y-protocols does', () => {
    const message = encoding.createEncoder()
    syncProtocol.writeUpdate(message, new Uint8Array([1, 2, 3, 250]))
    const errors: unknown[] = []
    const original = console.error
    console.error = (...args: unknown[]) => errors.push(args)
    try {
      const b = listener()
      readSyncMessage(decoding.createDecoder(encoding.toUint8Array(message)), encoding.createEncoder(), b.doc, NETWORK)
      expect(b.heard).toHaveLength(0)
    } finally {
      console.error = original
    }
    expect(errors).toHaveLength(1)
  })
})
