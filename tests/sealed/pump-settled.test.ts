/**
 * An accepted entry's large update is applied in parts, the rest in the
 * slices after (pump.ts `apply`); whatever the engine reads of the readable
 * doc to judge or to compact, it reads through `settled()`, with every
 * accepted entry wholly applied. These stories drive the pump alone: its
 * rounds drain the parts before they handle the next entry, so through the
 * whole engine a part-applied doc is hard to put in front of the judge.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { SEALED_ORIGIN } from '../../src/sealed/origins.ts'
import { Pump, APPLY_PART_BYTES, type PumpContext } from '../../src/sealed/pump.ts'

/** What `apply` and `settled` use of the engine: the readable doc's listener, off while the pump writes, and told what it wrote after. */
function pump(): { pump: Pump; writes: { detached: number; attached: number; told: Y.Transaction[] } } {
  const writes = { detached: 0, attached: 0, told: [] as Y.Transaction[] }
  const ctx = {
    writes: {
      detach: () => void writes.detached++,
      attach: () => void writes.attached++,
      engineWrote: (tr: Y.Transaction) => void writes.told.push(tr),
    },
  } as unknown as PumpContext
  return { pump: new Pump(ctx, 12345), writes }
}

/** One author's posts, as one update of well over `APPLY_PART_BYTES`. */
function posts(client: number, from: number, n: number): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = client
  const items = doc.getMap<Y.Map<unknown>>('items')
  for (let i = from; i < from + n; i++) {
    const m = new Y.Map<unknown>()
    items.set(`post-${client}-${i}`, m)
    m.set('title', `Post ${i}: the food bank opens at nine`)
    m.set('body', 'Bring bags; ask for Sam at the side door. '.repeat(10))
  }
  return Y.encodeStateAsUpdate(doc)
}

const count = (doc: Y.Doc) => doc.getMap('items').size

describe('what the engine reads of a large entry applied in parts', () => {
  it('sees it wholly applied: settled() applies what is left before it answers', () => {
    const { pump: p } = pump()
    const update = posts(7, 0, 400)
    expect(update.length).toBeGreaterThan(4 * APPLY_PART_BYTES)
    p.apply(update)
    // Cutting it was a step of its own: its parts, the first too, wait for the pump's next steps (the page may
    // show some of them before the rest); the engine never reads it so.
    expect(count(p.readable)).toBe(0)
    expect(count(p.settled())).toBe(400)
    expect(p.settled()).toBe(p.readable)
    const whole = new Y.Doc()
    Y.applyUpdate(whole, update)
    expect(Y.encodeStateAsUpdate(p.readable)).toEqual(Y.encodeStateAsUpdate(whole))
  })

  it('applies the rest of one entry before any of the next', () => {
    const { pump: p } = pump()
    p.apply(posts(7, 0, 400))
    // The next entry of the same author goes on from where the first ends: its structs need all of the first's.
    const first = new Y.Doc()
    first.clientID = 7
    Y.applyUpdate(first, posts(7, 0, 400))
    const before = Y.encodeStateVector(first)
    first.getMap<string>('items').set('post-7-400', 'a late notice')
    p.apply(Y.encodeStateAsUpdate(first, before))
    expect(count(p.readable)).toBe(401)
    expect(p.readable.store.pendingStructs).toBeNull()
  })

  it('writes the rest with the listener for this device’s own changes off, and gives it back', () => {
    const { pump: p, writes } = pump()
    p.apply(posts(7, 0, 400))
    const own = p.readable.clientID
    const seen: unknown[] = []
    p.readable.on('update', (_u: Uint8Array, origin: unknown) => seen.push(origin))
    p.settled()
    expect(writes.detached).toBe(1)
    expect(writes.attached).toBe(1)
    // Told after, once the listener is back: the transaction's origin says whose it was.
    expect(writes.told.map((tr) => tr.origin)).toEqual([SEALED_ORIGIN])
    // Nothing it applies is taken for this device's own change, and the doc keeps this device's client id.
    expect(seen).toEqual([SEALED_ORIGIN])
    expect(p.readable.clientID).toBe(own)
    // Nothing left: no write at all.
    p.settled()
    expect(writes.detached).toBe(1)
  })
})
