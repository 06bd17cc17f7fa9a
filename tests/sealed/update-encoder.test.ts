/**
 * Hearth's update encoder writes strings faster than lib0 (update-encoder.ts):
 * its output must be Yjs's own, byte for byte, for every kind of content Yjs
 * writes, or a device's entries would differ from what it means to seal.
 */
import * as encoding from 'lib0/encoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { encodeStateAsUpdate, encodeStructs, structsOf, UpdateEncoder, writeAny, writeVarString } from '../../src/sealed/update-encoder.ts'
import { Prng } from '../core/prng.ts'
import { anyValue, randomUpdates, TEXTS } from './random-updates.ts'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const written = (write: (e: encoding.Encoder) => void) => {
  const e = encoding.createEncoder()
  write(e)
  return hex(encoding.toUint8Array(e))
}

/** Strings at every edge of the encoder's paths: empty, the short ASCII path's bound, non-ASCII, lone surrogates, the scratch buffer's bound, and past it. */
const EDGES = [
  ...TEXTS,
  'x'.repeat(32),
  'x'.repeat(33),
  `${'x'.repeat(31)}é`,
  '\u007f',
  '\u0080',
  '\ud83c',
  'a\udc00b',
  '😀'.repeat(5_000),
  'ب'.repeat(9_999),
  'z'.repeat(10_000),
  'z'.repeat(10_001),
  'م'.repeat(40_000),
]

describe('the update encoder', () => {
  it('writes every string as lib0 does', () => {
    for (const s of EDGES) expect(written((e) => writeVarString(e, s)), s.slice(0, 12)).toBe(written((e) => encoding.writeVarString(e, s)))
    // Many strings into one encoder: its buffer fills and grows mid-string.
    const many = (write: (e: encoding.Encoder, s: string) => void) => written((e) => EDGES.forEach((s) => write(e, s)))
    expect(many(writeVarString)).toBe(many(encoding.writeVarString))
  })

  it('writes every value lib0 writes as lib0 does, nested too', () => {
    const rng = new Prng(0xe1c0)
    const values: unknown[] = [0, -0, 2 ** 31, -(2 ** 31), 2 ** 53, 0.5, 1.1, NaN, Infinity, -Infinity, 12n, true, false, null, undefined, new Uint8Array([1, 2]), { 'é': ['x', { '😀': 'y' }] }]
    for (let i = 0; i < 500; i++) values.push(anyValue(rng))
    for (const v of values) expect(written((e) => writeAny(e, v))).toBe(written((e) => encoding.writeAny(e, v as Parameters<typeof encoding.writeAny>[1])))
  })

  it('encodes random docs, and merges random updates, exactly as Yjs does', () => {
    const rng = new Prng(0x5eed)
    for (let round = 0; round < 80; round++) {
      const updates = randomUpdates(rng)
      const doc = new Y.Doc()
      for (const u of updates) Y.applyUpdate(doc, u)
      expect(hex(encodeStateAsUpdate(doc))).toBe(hex(Y.encodeStateAsUpdate(doc)))
      expect(hex(Y.mergeUpdatesV2(updates, Y.UpdateDecoderV1, UpdateEncoder))).toBe(hex(Y.mergeUpdates(updates)))
    }
  })

  it('keeps a doc’s pending updates, as Yjs does', () => {
    // Bob's post sits in Alice's map, which this doc never got: Bob's struct waits, pending.
    const alice = new Y.Doc()
    alice.getMap('items').set('alice', new Y.Map())
    const bob = new Y.Doc()
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(alice))
    const before = Y.encodeStateVector(bob)
    ;(bob.getMap('items').get('alice') as Y.Map<unknown>).set('reply', 'نعم')
    const doc = new Y.Doc()
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(bob, before))
    expect(doc.store.pendingStructs).not.toBeNull()
    expect(hex(encodeStateAsUpdate(doc))).toBe(hex(Y.encodeStateAsUpdate(doc)))
    const whole = new Y.Doc()
    Y.applyUpdate(whole, Y.encodeStateAsUpdate(alice))
    Y.applyUpdate(whole, encodeStateAsUpdate(doc))
    expect((whole.getMap('items').get('alice') as Y.Map<unknown>).get('reply')).toBe('نعم')
  })
})

describe('structs without their deletions', () => {
  /** Alice posts and retitles (a deletion of her own struct); Bob replies inside her post and deletes his reply's first word. */
  function board() {
    const doc = new Y.Doc()
    doc.clientID = 1
    const post = new Y.Map<unknown>()
    doc.getMap('items').set('alice', post)
    post.set('title', 'Spare coats')
    post.set('title', 'Coats')
    doc.clientID = 2
    const reply = new Y.Text('not today')
    post.set('reply', reply)
    reply.delete(0, 4)
    return doc
  }
  const clients = (u: Uint8Array) => [...new Set(Y.decodeUpdate(u).structs.map((st) => st.id.client))]
  const deleted = (u: Uint8Array) => [...Y.decodeUpdate(u).ds.clients.keys()]

  it('structsOf gives one client’s structs from a clock on, and no deletion of anyone’s; null when the doc holds none there', () => {
    const doc = board()
    const alices = structsOf(doc, 1, 0)!
    expect(clients(alices)).toEqual([1])
    expect(deleted(alices)).toEqual([])
    expect(Y.decodeUpdate(structsOf(doc, 1, 1)!).structs[0]!.id.clock).toBe(1)
    expect(structsOf(doc, 1, Y.getState(doc.store, 1))).toBeNull()
    expect(structsOf(doc, 9, 0)).toBeNull()
    // Applied alone, they are Alice's post as she left it: Bob's reply is not in them.
    const alone = new Y.Doc()
    Y.applyUpdate(alone, alices)
    expect(alone.getMap('items').toJSON()).toEqual({ alice: { title: 'Coats' } })
  })

  it('encodeStructs writes what the doc integrated, from a state on, with the delete set it is given in place of its own, and leaves out what waits', () => {
    const doc = board()
    // Bob's structs without Alice's: they wait, and his deletion with them.
    const waiting = new Y.Doc()
    Y.applyUpdate(waiting, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(new Map([[1, Y.getState(doc.store, 1)]]))))
    expect(waiting.store.pendingStructs).not.toBeNull()
    const none = encodeStructs(waiting, Y.encodeStateVector(new Map()), null)!
    expect(Y.decodeUpdate(none).structs).toEqual([])
    expect(deleted(none)).toEqual([])
    expect(waiting.store.pendingStructs, 'what waits is still there').not.toBeNull()
    // Alice's brought in: Bob's integrate; written from Alice's state on, with Bob's own delete set only.
    Y.applyUpdate(waiting, structsOf(doc, 1, 0)!)
    expect(waiting.store.pendingStructs).toBeNull()
    const ds = Y.createDeleteSet()
    ds.clients.set(2, Y.decodeUpdate(Y.encodeStateAsUpdate(doc)).ds.clients.get(2)!)
    const bobs = encodeStructs(waiting, Y.encodeStateVector(new Map([[1, Y.getState(waiting.store, 1)]])), ds)!
    expect(clients(bobs)).toEqual([2])
    expect(deleted(bobs)).toEqual([2])
    const after = new Y.Doc()
    Y.applyUpdate(after, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(new Map([[2, Y.getState(doc.store, 2)]]))))
    Y.applyUpdate(after, bobs)
    expect(after.getMap('items').toJSON()).toEqual(doc.getMap('items').toJSON())
    expect(after.getMap('items').toJSON()).toEqual({ alice: { title: 'Coats', reply: 'today' } })
  })

  it('structsOf takes a long history in parts: each from where the one before ended, together what the whole gives', () => {
    const doc = new Y.Doc()
    doc.clientID = 1
    const items = doc.getMap('items')
    for (let i = 0; i < 500; i++) items.set(`k${i}`, `value ${i}`)
    ;(items as Y.Map<unknown>).set('text', new Y.Text('x'.repeat(300)))
    const whole = structsOf(doc, 1, 0)!
    const parts: Uint8Array[] = []
    for (let from = 0, part = structsOf(doc, 1, from, 100); part; part = structsOf(doc, 1, from, from + 100)) {
      parts.push(part)
      from = Y.parseUpdateMeta(part).to.get(1)!
    }
    expect(parts.length).toBeGreaterThan(4)
    const a = new Y.Doc()
    for (const p of parts) Y.applyUpdate(a, p)
    expect(a.store.pendingStructs).toBeNull()
    const b = new Y.Doc()
    Y.applyUpdate(b, whole)
    expect(Y.encodeStateAsUpdate(a)).toEqual(Y.encodeStateAsUpdate(b))
    expect(a.getMap('items').toJSON()).toEqual(doc.getMap('items').toJSON())
  })
})
