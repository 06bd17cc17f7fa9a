import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { splitSyncMessage, splitUpdate } from '../../src/sync/sync-pieces.ts'

/** A sealed-doc-like state: many writers (sessions), entries of all sizes, some deleted. */
function bigDoc(): Y.Doc {
  const doc = new Y.Doc()
  for (let session = 0; session < 5; session++) {
    const writer = new Y.Doc()
    writer.clientID = 1000 + session
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(doc))
    const map = writer.getMap('entries')
    for (let i = 0; i < 200; i++) map.set(`s${session}.${i}`, new Uint8Array(500 + ((i * 37) % 3000)).fill(i & 0xff))
    for (let i = 0; i < 200; i += 7) map.delete(`s${session}.${i}`)
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(writer))
  }
  return doc
}

const step2 = (update: Uint8Array) => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

describe('sync in pieces', () => {
  it('a state bigger than one message is split into valid updates that rebuild exactly the same doc, applied one by one', () => {
    const doc = bigDoc()
    const update = Y.encodeStateAsUpdate(doc)
    expect(update.byteLength).toBeGreaterThan(1_000_000)
    const pieces = splitUpdate(update, 64 * 1024)
    expect(pieces.length).toBeGreaterThan(10)
    for (const p of pieces.slice(0, -1)) expect(p.byteLength).toBeLessThanOrEqual(64 * 1024 + 4096)
    const rebuilt = new Y.Doc()
    // In the order an ordered data channel delivers them.
    for (const p of pieces) Y.applyUpdate(rebuilt, p)
    const want = doc.getMap<Uint8Array>('entries')
    const got = rebuilt.getMap<Uint8Array>('entries')
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort())
    for (const [k, v] of want) expect(Buffer.compare(Buffer.from(got.get(k)!), Buffer.from(v)), k).toBe(0)
    expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(doc))
  })

  it('only a big sync step 2 is split: its last piece is the step 2, the others are updates', () => {
    const update = Y.encodeStateAsUpdate(bigDoc())
    const small = step2(new Uint8Array([0, 0]))
    expect(splitSyncMessage(small, 1024)).toEqual([small])
    const notStep2 = new Uint8Array([0, 2, 3, 1, 2, 3])
    expect(splitSyncMessage(notStep2, 2)).toEqual([notStep2])
    const messages = splitSyncMessage(step2(update), 128 * 1024)
    expect(messages.length).toBeGreaterThan(5)
    expect(messages.slice(0, -1).every((m) => m[0] === 0 && m[1] === 2)).toBe(true)
    expect(messages[messages.length - 1]!.subarray(0, 2)).toEqual(new Uint8Array([0, 1]))
    for (const m of messages) expect(m.byteLength).toBeLessThanOrEqual(128 * 1024 + 4096)
  })

  it('the structs of the clients asked for first come before any other client’s, and the pieces still rebuild the same doc', () => {
    const doc = bigDoc()
    const update = Y.encodeStateAsUpdate(doc)
    // Yjs writes clients by descending id: asked for nothing, the lowest (1000) comes last.
    const clientsOf = (piece: Uint8Array) => [...new Set(Y.decodeUpdate(piece).structs.map((s) => s.id.client))]
    const plain = splitUpdate(update, 64 * 1024).flatMap(clientsOf)
    expect(plain[0]).toBe(1004)
    expect(plain.at(-1)).toBe(1000)
    const pieces = splitUpdate(update, 64 * 1024, new Set([1000, 1002]))
    const order = pieces.flatMap(clientsOf)
    const lastFirst = Math.max(order.lastIndexOf(1000), order.lastIndexOf(1002))
    const firstOther = order.findIndex((c) => c !== 1000 && c !== 1002)
    expect(lastFirst).toBeLessThan(firstOther)
    expect(new Set(order)).toEqual(new Set([1000, 1001, 1002, 1003, 1004]))
    const rebuilt = new Y.Doc()
    for (const p of pieces) Y.applyUpdate(rebuilt, p)
    // Byte for byte (toEqual walks 1.5 MB element by element: seconds, near the test's timeout).
    expect(Buffer.compare(Buffer.from(Y.encodeStateAsUpdate(rebuilt)), Buffer.from(Y.encodeStateAsUpdate(doc)))).toBe(0)
    // The same through the sync message, as board-sync.ts sends it.
    const messages = splitSyncMessage(step2(update), 64 * 1024 + 16, new Set([1000, 1002]))
    expect(messages).toHaveLength(pieces.length)
  })

  it('a malformed message is passed through untouched rather than guessed at', () => {
    const broken = new Uint8Array([0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3])
    expect(splitSyncMessage(broken, 4)).toEqual([broken])
  })
})
