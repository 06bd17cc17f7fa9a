/**
 * One task's local changes as one update (local-batch.ts): a run of this
 * device's own transactions, followed through 'afterTransaction' and
 * encoded once. A device that applies it must end with exactly what
 * applying every transaction's update (as Yjs encodes each) gives.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { LocalBatch, onlyOwn } from '../../src/sealed/local-batch.ts'
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

/** Follows `doc`'s transactions: each one's update as Yjs encodes it, and a batch of the run of own ones. */
function follow(doc: Y.Doc): { updates: Uint8Array[]; batch: LocalBatch; stop: () => void } {
  const updates: Uint8Array[] = []
  const batch = new LocalBatch(doc)
  const onUpdate = (u: Uint8Array) => updates.push(u)
  const onTransaction = (tr: Y.Transaction) => {
    if (batch.continues(tr)) batch.add(tr)
    else throw new Error('a transaction that does not continue the run')
  }
  doc.on('update', onUpdate)
  doc.on('afterTransaction', onTransaction)
  return { updates, batch, stop: () => (doc.off('update', onUpdate), doc.off('afterTransaction', onTransaction)) }
}

/** The one update a batch gives (or null): none of these is past a size limit. */
function one(parts: Uint8Array[]): Uint8Array | null {
  expect(parts.length).toBeLessThanOrEqual(1)
  return parts[0] ?? null
}

/** A fresh doc with these updates applied. */
function docOf(...updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc()
  for (const u of updates) Y.applyUpdate(doc, u)
  return doc
}

describe('one task’s local changes as one update', () => {
  it('a run of the device’s own transactions, encoded once, gives exactly what the transactions gave (300 seeded runs)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = new Prng(seed)
      const { doc, base } = shared(rng, 1000 + rng.int(1000) + (rng.int(3) === 0 ? 2 ** 40 : 0))
      const { updates, batch, stop } = follow(doc)
      for (let i = 1 + rng.int(30); i > 0; i--) change(rng, doc)
      stop()
      const taken = one(batch.take())
      if (updates.length === 0) {
        expect(taken, `seed ${seed}`).toBeNull()
        continue
      }
      const expected = applied(base, updates)
      const got = applied(base, [taken!])
      expect(got.json, `seed ${seed}`).toEqual(expected.json)
      expect(Buffer.compare(got.state, expected.state), `seed ${seed}`).toBe(0)
      // The same on a device that got the transactions one by one up to a point, then the run (nothing lost, nothing twice).
      const cut = rng.int(updates.length)
      expect(Buffer.compare(applied(base, [...updates.slice(0, cut), taken!]).state, expected.state), `seed ${seed}, after ${cut}`).toBe(0)
      // Cut under a size limit: each part is whole transactions (a device that applies the parts in order has,
      // after each, the structs the transactions up to some point made; what later ones deleted, deleted).
      const parts = batch.take(50 + rng.int(400))
      const clocks = (d: Y.Doc) => Buffer.from(Y.encodeStateVector(d)).toString('base64')
      const prefixes = new Set(updates.map((_, i) => clocks(docOf(base, ...updates.slice(0, i + 1)))))
      for (let k = 1; k <= parts.length; k++) {
        expect(prefixes.has(clocks(docOf(base, ...parts.slice(0, k)))), `seed ${seed}, part ${k} of ${parts.length}`).toBe(true)
      }
      expect(Buffer.compare(applied(base, parts).state, expected.state), `seed ${seed}, in parts`).toBe(0)
      doc.destroy()
    }
  })

  it('text created and deleted within the run leaves with it: only its place is sealed', () => {
    const doc = new Y.Doc()
    doc.clientID = 31
    const { updates, batch, stop } = follow(doc)
    const items = doc.getMap<unknown>('items')
    items.set('post', new Y.Map<unknown>([['title', 'Meet at the blue door'], ['body', 'Stays']]))
    ;(items.get('post') as Y.Map<unknown>).set('title', 'Meet at the library')
    stop()
    const taken = one(batch.take())!
    const has = (u: Uint8Array, text: string) => Buffer.from(u).includes(Buffer.from(text))
    expect(updates.some((u) => has(u, 'blue door')), 'Yjs encoded each transaction as it was').toBe(true)
    expect(has(taken, 'blue door')).toBe(false)
    expect(has(taken, 'Meet at the library')).toBe(true)
    expect(docOf(taken).getMap('items').toJSON()).toEqual({ post: { title: 'Meet at the library', body: 'Stays' } })
  })

  it('continues only the run: not another doc, client, a gap in the clock, or a transaction that wrote another client’s structs', () => {
    const doc = new Y.Doc()
    doc.clientID = 40
    const transactions: Y.Transaction[] = []
    doc.on('afterTransaction', (tr: Y.Transaction) => transactions.push(tr))
    const items = doc.getMap<unknown>('items')
    items.set('a', 1)
    const batch = new LocalBatch(doc)
    expect(batch.continues(transactions[0]!)).toBe(true)
    batch.add(transactions[0]!)
    items.set('b', 2)
    expect(batch.continues(transactions[1]!)).toBe(true)
    batch.add(transactions[1]!)
    // A gap: a change of this client's the run did not get.
    items.set('c', 3)
    items.set('d', 4)
    expect(batch.continues(transactions[3]!)).toBe(false)
    // Another client's structs in the transaction.
    const other = new Y.Doc()
    other.clientID = 41
    other.getMap('items').set('theirs', 5)
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
    expect(onlyOwn(transactions[4]!)).toBe(false)
    expect(new LocalBatch(doc).continues(transactions[4]!)).toBe(false)
    expect(new LocalBatch(other).continues(transactions[0]!)).toBe(false)
    // The run holds what it was given, and nothing after it.
    expect(docOf(one(batch.take())!).getMap('items').toJSON()).toEqual({ a: 1, b: 2 })
  })

  it('a run ends where it ended, even after more of the client’s structs are written, merged into its last one or not', () => {
    const doc = new Y.Doc()
    doc.clientID = 50
    const batch = new LocalBatch(doc)
    doc.on('afterTransaction', (tr: Y.Transaction) => batch.end < 0 && batch.add(tr))
    doc.getText('t').insert(0, 'mine ')
    // Typing merges into the struct before: the run ends inside one struct, and is cut there.
    doc.getText('t').insert(5, 'later')
    expect(doc.store.clients.get(50)).toHaveLength(1)
    expect(docOf(one(batch.take())!).getText('t').toString()).toBe('mine ')
    const split = new Y.Doc()
    split.clientID = 51
    const run = new LocalBatch(split)
    split.on('afterTransaction', (tr: Y.Transaction) => run.end < 0 && run.add(tr))
    split.getMap('m').set('first', 1)
    split.getMap('m').set('second', 2)
    expect(docOf(one(run.take())!).getMap('m').toJSON(), 'a struct of its own after the run: not written').toEqual({ first: 1 })
  })

  it('a run past the size limit is cut between transactions, a part under the limit each, one larger transaction alone', () => {
    const doc = new Y.Doc()
    doc.clientID = 70
    const { updates, batch, stop } = follow(doc)
    const list = doc.getArray<string>('posts')
    // Values pushed one after another: Yjs merges them into one struct, which the parts cut again.
    for (let i = 0; i < 10; i++) list.push([`${i}`.padEnd(1000, '.')])
    list.push(['big'.padEnd(5000, '!')])
    list.push(['after'])
    stop()
    expect(doc.store.clients.get(70)).toHaveLength(1)
    const parts = batch.take(3000)
    // 1,00x bytes a transaction: two in a part; the large one alone; the last one after it.
    expect(parts.map((p) => Y.decodeUpdate(p).structs.reduce((n, s) => n + s.length, 0))).toEqual([2, 2, 2, 2, 2, 1, 1])
    expect(parts.slice(0, 5).every((p) => p.byteLength <= 3000)).toBe(true)
    expect(docOf(...parts).getArray('posts').toArray()).toEqual(list.toArray())
    expect(Buffer.compare(Y.encodeStateAsUpdate(docOf(...parts)), Y.encodeStateAsUpdate(docOf(...updates)))).toBe(0)
    expect(batch.take(1_000_000), 'under the limit: one').toHaveLength(1)
  })

  it('deletions only, and nothing at all', () => {
    const doc = new Y.Doc()
    doc.clientID = 60
    doc.getMap('items').set('gone', 1)
    const base = Y.encodeStateAsUpdate(doc)
    const { batch, stop } = follow(doc)
    expect(one(batch.take())).toBeNull()
    doc.getMap('items').delete('gone')
    stop()
    const after = docOf(base, one(batch.take())!)
    expect(after.getMap('items').toJSON()).toEqual({})
    expect(Buffer.compare(Y.encodeStateAsUpdate(after), Y.encodeStateAsUpdate(doc))).toBe(0)
  })

  it('1,000 posts in one task: one update, and no transaction encoded for it', () => {
    const doc = new Y.Doc()
    doc.clientID = 77
    const batch = new LocalBatch(doc)
    doc.on('afterTransaction', (tr: Y.Transaction) => batch.add(tr))
    const items = doc.getMap('items')
    for (let i = 0; i < 1000; i++) items.set(`post${i}`, new Y.Map<unknown>([['title', `Post ${i}`], ['body', 'Soup at six'.repeat(10)]]))
    expect((doc as unknown as { _observers: Map<string, unknown> })._observers.has('update')).toBe(false)
    const taken = one(batch.take())!
    expect(Buffer.compare(applied(new Uint8Array([0, 0]), [taken]).state, Y.encodeStateAsUpdate(doc))).toBe(0)
  })
})
