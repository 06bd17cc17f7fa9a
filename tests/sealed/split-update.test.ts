/**
 * A large entry is applied in parts, in slices (split-update.ts, pump.ts):
 * the parts, applied in order, must leave the doc exactly as the whole
 * update would, whatever it holds, and nothing deleted may show between two
 * parts. Anything the cutter does not fully understand is left whole.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { splitUpdate } from '../../src/sealed/split-update.ts'
import { Prng } from '../core/prng.ts'
import { handUpdate, id, item, skip, value } from './hand-update.ts'
import { randomUpdates } from './random-updates.ts'

const state = (doc: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(doc)).toString('hex')

/** A board-like doc: posts of several fields, some edited, some deleted. */
function board(posts: number, gc = true): Y.Doc {
  const doc = new Y.Doc({ gc })
  doc.clientID = 2 ** 52 + 77
  const items = doc.getMap<Y.Map<unknown>>('items')
  for (let i = 0; i < posts; i++) {
    doc.transact(() => {
      const m = new Y.Map<unknown>()
      items.set(`post-${i}`, m)
      m.set('title', `Post ${i}: a safe meeting, 🏳️‍🌈`)
      m.set('body', `Bring food for ${i} people. `.repeat(4))
      m.set('tags', ['mutual-aid', i])
    })
  }
  for (let i = 0; i < posts; i += 3) items.get(`post-${i}`)!.set('title', `Post ${i}, edited`)
  for (let i = 0; i < posts; i += 7) items.delete(`post-${i}`)
  return doc
}

describe('a large update applied in parts', () => {
  it('leaves every doc exactly as the whole update does, on random updates of every kind of content, cut at any size', () => {
    const rng = new Prng(0x5711)
    let split = 0
    for (let round = 0; round < 60; round++) {
      const whole = new Y.Doc()
      const parted = new Y.Doc()
      for (const update of randomUpdates(rng)) {
        const max = rng.pick([1, 8, 40, 200, 1000])
        const parts = splitUpdate(update, max)
        if (parts.length > 1) split++
        Y.applyUpdate(whole, update)
        for (const p of parts) Y.applyUpdate(parted, p)
        expect(state(parted)).toBe(state(whole))
        expect(parted.store.pendingStructs === null).toBe(whole.store.pendingStructs === null)
      }
      expect(parted.getText('text').toString()).toBe(whole.getText('text').toString())
      expect(parted.getMap('items').toJSON()).toEqual(whole.getMap('items').toJSON())
    }
    expect(split).toBeGreaterThan(150)
  })

  it('cuts a board’s half-megabyte update into parts of about the size asked, which rebuild the same board', () => {
    const doc = board(2500)
    const update = Y.encodeStateAsUpdate(doc)
    expect(update.length).toBeGreaterThan(500_000)
    const parts = splitUpdate(update, 32 * 1024)
    expect(parts.length).toBeGreaterThan(update.length / (40 * 1024))
    for (const p of parts) expect(p.length).toBeLessThan(32 * 1024 + 1024)
    const parted = new Y.Doc()
    for (const p of parts) Y.applyUpdate(parted, p)
    expect(state(parted)).toBe(state(doc))
  })

  it('never shows what was deleted between two parts: no post deleted, no title edited away', () => {
    const doc = board(400, false)
    const final = doc.getMap<Y.Map<unknown>>('items').toJSON() as Record<string, Record<string, unknown>>
    const parts = splitUpdate(Y.encodeStateAsUpdate(doc), 2 * 1024)
    expect(parts.length).toBeGreaterThan(20)
    const parted = new Y.Doc()
    let seen = 0
    for (const p of parts) {
      Y.applyUpdate(parted, p)
      const now = parted.getMap<Y.Map<unknown>>('items').toJSON() as Record<string, Record<string, unknown>>
      for (const [key, fields] of Object.entries(now)) {
        expect(final[key], key).toBeDefined()
        for (const [field, v] of Object.entries(fields)) expect(v, `${key}.${field}`).toEqual(final[key]![field])
        seen++
      }
    }
    expect(seen).toBeGreaterThan(1000)
  })

  it('deletes, with the first part, what the update deletes of structs it does not hold', () => {
    const a = new Y.Doc()
    a.clientID = 1
    const aItems = a.getMap<unknown>('items')
    for (let i = 0; i < 50; i++) aItems.set(`a-${i}`, `from a ${i}`)
    const b = new Y.Doc()
    b.clientID = 2
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    const bItems = b.getMap<unknown>('items')
    for (let i = 0; i < 50; i += 2) bItems.delete(`a-${i}`)
    for (let i = 0; i < 400; i++) bItems.set(`b-${i}`, `from b ${i} `.repeat(5))
    const update = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
    const parts = splitUpdate(update, 1024)
    expect(parts.length).toBeGreaterThan(10)
    const c = new Y.Doc()
    Y.applyUpdate(c, Y.encodeStateAsUpdate(a))
    Y.applyUpdate(c, parts[0]!)
    expect(c.getMap('items').has('a-0')).toBe(false)
    expect(c.getMap('items').has('a-1')).toBe(true)
    for (const p of parts.slice(1)) Y.applyUpdate(c, p)
    expect(state(c)).toBe(state(b))
  })

  it('leaves whole an update that is small, damaged, has a gap, or names a client twice', () => {
    const big = Y.encodeStateAsUpdate(board(100))
    expect(splitUpdate(big, big.length)).toEqual([big])
    expect(splitUpdate(big, 1000).length).toBeGreaterThan(5)
    const cut = big.subarray(0, big.length - 3)
    expect(splitUpdate(cut, 1000)).toEqual([cut])
    const v2 = Y.convertUpdateFormatV1ToV2(big)
    expect(splitUpdate(v2, 1000)).toEqual([v2])
    const structs = (client: number, from: number, n: number) => Array.from({ length: n }, (_, i) => item(client, from + i, { parent: 'items', key: `k${from + i}` }, value('x'.repeat(50))))
    const gap = handUpdate([{ client: 5, clock: 0, structs: [...structs(5, 0, 20), skip(5, 20, 3), ...structs(5, 23, 20)] }])
    expect(splitUpdate(gap, 100)).toEqual([gap])
    // Yjs reads only the last block of a client named twice: cut apart, both would be applied.
    const twice = handUpdate([
      { client: 5, clock: 0, structs: structs(5, 0, 20) },
      { client: 6, clock: 0, structs: [item(6, 0, { origin: id(5, 0) }, value(1))] },
      { client: 5, clock: 20, structs: structs(5, 20, 20) },
    ])
    expect(splitUpdate(twice, 100)).toEqual([twice])
    // Named twice in a row: read as one run, the first block would be applied too.
    const twiceInARow = handUpdate([
      { client: 5, clock: 0, structs: structs(5, 0, 20) },
      { client: 5, clock: 20, structs: structs(5, 20, 20) },
    ])
    expect(splitUpdate(twiceInARow, 100)).toEqual([twiceInARow])
  })

  it('gives each part its deletions when the update lists them out of order', () => {
    const structs = Array.from({ length: 60 }, (_, i) => item(5, i, { parent: 'items', key: `k${i}` }, value(`post ${i} `.repeat(8))))
    // Yjs writes deleted ranges in order of clock; a hand-written update need not.
    const update = handUpdate([{ client: 5, clock: 0, structs }], [[5, 50, 3], [5, 3, 4], [5, 20, 6], [5, 1, 1]])
    const parts = splitUpdate(update, 300)
    expect(parts.length).toBeGreaterThan(10)
    const whole = new Y.Doc()
    Y.applyUpdate(whole, update)
    const gone = [1, 3, 4, 5, 6, 20, 21, 22, 23, 24, 25, 50, 51, 52].map((i) => `k${i}`)
    for (const key of gone) expect(whole.getMap('items').has(key)).toBe(false)
    const parted = new Y.Doc()
    for (const p of parts) {
      Y.applyUpdate(parted, p)
      for (const key of gone) expect(parted.getMap('items').has(key), key).toBe(false)
    }
    expect(state(parted)).toBe(state(whole))
  })
})
