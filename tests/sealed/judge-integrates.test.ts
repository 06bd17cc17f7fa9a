/**
 * The judge and Yjs must agree on what an update does. A struct the judge
 * accepts that Yjs then holds back lands later, next to whatever fills the
 * gap, where nobody judged it; one Yjs cannot integrate throws halfway
 * through and stops the engine. So: whatever the judge accepts, Yjs
 * integrates whole, at once, without throwing. Checked on updates written
 * at random by hand (hand-update.ts) — blocks, gaps, garbage, neighbours and
 * parents anywhere, before and after, known and not — from a seeded
 * generator, against a board where Alice, Eve and Mo have posts.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { judgeUpdate, type Author } from '../../src/sealed/authority.ts'
import { Prng } from '../core/prng.ts'
import { gc, handUpdate, id, item, map, skip, value, type Block, type Deleted } from './hand-update.ts'
import { alice, Board, eve, items, mo, post } from './judge-fixture.ts'

const start = new Board()
start.act(alice, (d) => items(d).set('alice/1', post({ title: 'Safe house list', pinned: false })))
start.act(eve, (d) => items(d).set('eve/1', post({ title: 'Free food', place: 'The hall' })))
start.act(mo, (d) => d.getMap('meta').set('name', 'Circle'))
start.act(eve, (d) => items(d).get('eve/1')!.set('title', 'Free food tonight'))
const startState = Y.encodeStateAsUpdate(start.doc)

function board(): Board {
  const b = new Board()
  Y.applyUpdate(b.doc, startState)
  return b
}

/** One update `author` might send, made up at random. */
function randomUpdate(rng: Prng, b: Board, author: Author): Uint8Array {
  const state = (client: number) => Y.getState(b.doc.store, client)
  const start = state(author.client) - (rng.int(4) === 0 ? 1 : 0)
  const count = 1 + rng.int(4)
  const clocks: number[] = []
  for (let i = 0, c = start; i < count; i++) clocks.push(c++)
  const end = start + count + 1
  const anyId = (at: number): Y.ID => {
    const client = rng.pick([alice.client, eve.client, mo.client, author.client, author.client, author.client])
    const near = client === author.client ? at + rng.int(5) - 3 : rng.int(state(client) + 2)
    return id(client, Math.max(0, near))
  }
  const structs: (Y.Item | Y.GC | Y.Skip)[] = []
  for (const clock of clocks) {
    const roll = rng.int(12)
    if (roll === 0) structs.push(gc(author.client, clock, 1))
    else if (roll === 1) structs.push(skip(author.client, clock, 1))
    else {
      const content = rng.int(3) === 0 ? map() : value(rng.pick([false, true, 'x']))
      const placeRoll = rng.int(5)
      const own = `${author.tag}/${1 + rng.int(2)}`
      const place =
        placeRoll === 4
          ? { origin: id(author.client, clock - 1 - rng.int(2)) }
          : placeRoll === 0
            ? { parent: rng.pick(['items', 'items', 'meta']), key: rng.pick([own, own, 'alice/1', 'name']) }
            : placeRoll === 1
              ? { parent: anyId(clock), key: rng.pick(['title', 'pinned']) }
              : placeRoll === 2
                ? { origin: anyId(clock) }
                : { origin: anyId(clock), rightOrigin: anyId(clock) }
      structs.push(item(author.client, clock, place, content))
    }
  }
  // Mostly one block; now and then the same structs split in two.
  const split = rng.int(6) === 0 && structs.length > 1 ? 1 + rng.int(structs.length - 1) : structs.length
  const blocks: Block[] = [{ client: author.client, clock: start, structs: structs.slice(0, split) }]
  if (split < structs.length) blocks.push({ client: author.client, clock: start + split, structs: structs.slice(split) })
  const deleted: Deleted[] = []
  for (let i = rng.int(3); i > 0; i--) {
    const client = rng.pick([alice.client, eve.client, mo.client])
    deleted.push([client, rng.int(Math.max(1, client === author.client ? end : state(client) + 1)), 1 + rng.int(2)])
  }
  return handUpdate(blocks, deleted)
}

describe('whatever the judge accepts, Yjs integrates whole', () => {
  it('on 10,000 updates written at random by Eve and Mo', () => {
    const rng = new Prng(0x5eed)
    const verdicts = { accept: 0, refuse: 0, wait: 0 }
    for (let i = 0; i < 10_000; i++) {
      const b = board()
      const author = rng.int(3) === 0 ? mo : eve
      const update = randomUpdate(rng, b, author)
      const verdict = judgeUpdate(b.ctx, author, update)
      verdicts[verdict.kind]++
      if (verdict.kind !== 'accept') continue
      const what = `update ${i} by ${author.tag}: ${Buffer.from(update).toString('hex')}`
      expect(() => Y.applyUpdate(b.doc, update), what).not.toThrow()
      expect(b.doc.store.pendingStructs, what).toBeNull()
      expect(b.doc.store.pendingDs, what).toBeNull()
      if (verdict.range) expect(Y.getState(b.doc.store, author.client), what).toBe(verdict.range.to)
    }
    // The generator reaches every verdict often enough to mean something.
    expect(verdicts.accept).toBeGreaterThan(300)
    expect(verdicts.refuse).toBeGreaterThan(1000)
    expect(verdicts.wait).toBeGreaterThan(300)
  }, 60_000)
})
