/**
 * One task's local changes merged into one update (local-batch.ts): a run of
 * this device's own transactions is joined as it is, anything else merged
 * by Y.mergeUpdates. Either way, a device that applies the batch must end
 * with exactly what applying every transaction's update gives.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { LocalBatch } from '../../src/sealed/local-batch.ts'
import { Prng } from '../core/prng.ts'
import { TEXTS } from './random-updates.ts'

/** A value Yjs takes in a map or an array. */
const value = (rng: Prng): unknown => rng.pick<unknown>([null, true, rng.int(1000) - 500, rng.next() * 1e6, rng.pick(TEXTS), { at: rng.pick(TEXTS) }, [1, 'x'], Uint8Array.of(rng.int(256))])

/** What the updates make of a doc holding `base`, as a state and as JSON. */
function applied(base: Uint8Array, updates: readonly Uint8Array[]): { state: Uint8Array; json: unknown } {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, base)
  for (const u of updates) Y.applyUpdate(doc, u)
  const out = { state: Y.encodeStateAsUpdate(doc), json: doc.toJSON() }
  doc.destroy()
  return out
}

/** One local change on `doc` by its own client, of a kind chosen by `rng` (maps, text, arrays, deletions of anyone's). */
function change(rng: Prng, doc: Y.Doc): void {
  const items = doc.getMap<unknown>('items')
  switch (rng.int(8)) {
    case 0:
      items.set(`k${rng.int(20)}`, value(rng))
      break
    case 1:
      items.set(`m${rng.int(5)}`, new Y.Map<unknown>([['title', rng.pick(TEXTS)], ['pinned', false]]))
      break
    case 2: {
      const keys = [...items.keys()]
      if (keys.length > 0) items.delete(rng.pick(keys))
      break
    }
    case 3: {
      const text = doc.getText('text')
      if (text.length > 0 && rng.int(3) === 0) text.delete(rng.int(text.length), Math.min(text.length, 1 + rng.int(4)))
      else text.insert(rng.int(text.length + 1), rng.pick(TEXTS) || 'z', rng.int(2) === 0 ? { bold: true } : undefined)
      break
    }
    case 4: {
      const list = doc.getArray<unknown>('list')
      if (list.length > 0 && rng.int(2) === 0) list.delete(rng.int(list.length), 1)
      else list.insert(rng.int(list.length + 1), [value(rng), rng.pick(TEXTS)])
      break
    }
    case 5: {
      const m = items.get(`m${rng.int(5)}`)
      if (m instanceof Y.Map) m.set(rng.pick(['title', 'body']), rng.pick(TEXTS))
      else items.set(`k${rng.int(20)}`, rng.int(100))
      break
    }
    case 6:
      // Several changes in one transaction.
      doc.transact(() => {
        for (let i = 0; i < 3; i++) items.set(`t${rng.int(4)}`, value(rng))
      })
      break
    default:
      // Typing: one character after the last, which Yjs merges into the struct before.
      doc.getText('text').insert(doc.getText('text').length, 'x')
  }
}

/** A doc of another device's and this device's earlier content (what later changes build on and delete). */
function shared(rng: Prng, me: number): { doc: Y.Doc; base: Uint8Array } {
  const other = new Y.Doc()
  other.clientID = me + 1
  for (let i = 0; i < 10; i++) change(rng, other)
  const doc = new Y.Doc({ gc: rng.int(2) === 0 })
  doc.clientID = me
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
  for (let i = 0; i < rng.int(4); i++) change(rng, doc)
  other.destroy()
  return { doc, base: Y.encodeStateAsUpdate(doc) }
}

describe('one task’s local changes as one update', () => {
  it('a run of the device’s own transactions is joined, and gives exactly what the transactions gave (300 seeded runs)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new Prng(seed)
      const { doc, base } = shared(rng, 1000 + rng.int(1000) + (rng.int(3) === 0 ? 2 ** 40 : 0))
      const batch = new LocalBatch()
      const updates: Uint8Array[] = []
      doc.on('update', (u: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
        updates.push(u)
        batch.add(u, tr)
      })
      for (let i = 1 + rng.int(30); i > 0; i--) change(rng, doc)
      const merged = batch.take()
      if (updates.length === 0) {
        expect(merged, `seed ${seed}`).toBeNull()
        continue
      }
      expect(batch.joined, `seed ${seed}`).toBe(true)
      const expected = applied(base, updates)
      const got = applied(base, [merged!])
      expect(got.json, `seed ${seed}`).toEqual(expected.json)
      expect(got.state, `seed ${seed}`).toEqual(expected.state)
      expect(applied(base, [Y.mergeUpdates(updates)]).state, `seed ${seed}: what Y.mergeUpdates gives`).toEqual(expected.state)
      doc.destroy()
    }
  })

  it('a batch in which another client’s structs were written, or a gap in the device’s clock, is merged by Yjs, with the same result', () => {
    const rng = new Prng(7)
    const { doc, base } = shared(rng, 4000)
    const batch = new LocalBatch()
    const updates: Uint8Array[] = []
    const take = (u: Uint8Array, _origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
      updates.push(u)
      batch.add(u, tr)
    }
    doc.on('update', take)
    change(rng, doc)
    doc.getMap('items').set('mine', 1)
    expect(batch.joined).toBe(true)
    // A change written under another client id in the same task (Yjs allows it; the engine's own are never batched).
    const id = doc.clientID
    doc.clientID = 4001
    doc.getMap('items').set('theirs', 2)
    doc.clientID = id
    expect(batch.joined).toBe(false)
    doc.getMap('items').set('after', 3)
    expect(applied(base, [batch.take()!]).state).toEqual(applied(base, updates).state)

    // A gap: a change of this client's that was not given to the batch.
    const gap = new LocalBatch()
    const gapUpdates: Uint8Array[] = []
    const before = Y.encodeStateAsUpdate(doc)
    doc.off('update', take)
    doc.on('update', (u: Uint8Array, _o: unknown, _d: Y.Doc, tr: Y.Transaction) => {
      gapUpdates.push(u)
      if (gapUpdates.length !== 2) gap.add(u, tr)
    })
    for (let i = 0; i < 3; i++) doc.getMap('items').set(`gap${i}`, i)
    expect(gap.joined).toBe(false)
    expect(applied(before, [gapUpdates[1]!, gap.take()!]).state).toEqual(applied(before, gapUpdates).state)
  })

  it('1,000 posts in one task are joined without Y.mergeUpdates reading them again', () => {
    const doc = new Y.Doc()
    doc.clientID = 77
    const batch = new LocalBatch()
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array, _o: unknown, _d: Y.Doc, tr: Y.Transaction) => {
      updates.push(u)
      batch.add(u, tr)
    })
    const items = doc.getMap('items')
    for (let i = 0; i < 1000; i++) items.set(`post${i}`, new Y.Map<unknown>([['title', `Post ${i}`], ['body', 'Soup at six'.repeat(10)]]))
    expect(batch.joined).toBe(true)
    const merged = batch.take()!
    expect(applied(new Uint8Array([0, 0]), [merged]).state).toEqual(Y.encodeStateAsUpdate(doc))
  })
})
