import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import {
  AID_CATEGORIES,
  AID_STATUSES,
  AID_TYPES,
  createItem,
  deleteItem,
  initBoard,
  itemsMap,
  readItems,
  readMeta,
  setPinned,
  sweepExpired,
  updateMeta,
  updateItem,
  type ItemKind,
} from '../../src/core/index.ts'
import { DAY, HOUR, MINUTE, NOW } from './fixtures.ts'
import { TestNetwork } from './network.ts'
import { Prng } from './prng.ts'

const USERS = ['Alice', 'Bob', 'Carol', 'Dana', 'Emre']
const WORDS = ['food', 'room', 'لقاء', 'встреча', 'buluşma', 'café', 'legal', 'ride', 'دعم', 'help']
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
const OPERATIONS = 200

function phrase(prng: Prng, words: number): string {
  return Array.from({ length: words }, () => prng.pick(WORDS)).join(' ')
}

/** A valid draft of a random kind, as a user at time `now` would post it. */
function randomDraft(prng: Prng, author: string, now: number): Record<string, unknown> {
  const kind = prng.pick<ItemKind>(['notice', 'event', 'meeting', 'aid', 'resource'])
  const start = now + prng.int(48) * HOUR
  const draft: Record<string, unknown> = {
    kind,
    title: phrase(prng, 3),
    body: phrase(prng, 8),
    author,
    tags: Array.from({ length: prng.int(3) }, () => prng.pick(WORDS)),
    expiresAt: prng.chance(0.3) ? now + (1 + prng.int(12)) * HOUR : null,
  }
  if (kind === 'event') Object.assign(draft, { start, end: prng.chance(0.5) ? start + HOUR : null, place: phrase(prng, 2) })
  if (kind === 'meeting') Object.assign(draft, { start, end: start + 2 * HOUR, place: phrase(prng, 2), access: 'code 1234', expiresAt: null })
  if (kind === 'aid') Object.assign(draft, { aidType: prng.pick(AID_TYPES), category: prng.pick(AID_CATEGORIES) })
  if (kind === 'resource') Object.assign(draft, { contact: phrase(prng, 2), notes: phrase(prng, 4) })
  return draft
}

/** A random edit: a field or two of what a person might change. Some are invalid on purpose. */
function randomPatch(prng: Prng, now: number): Record<string, unknown> {
  const patches: (() => Record<string, unknown>)[] = [
    () => ({ title: phrase(prng, 2) }),
    () => ({ body: phrase(prng, 5) }),
    () => ({ tags: [prng.pick(WORDS), prng.pick(WORDS)] }),
    () => ({ title: phrase(prng, 1), body: phrase(prng, 3) }),
    () => ({ start: now + prng.int(24) * HOUR }),
    () => ({ end: now + prng.int(24) * HOUR }),
    () => ({ status: prng.pick(AID_STATUSES) }),
    () => ({ place: phrase(prng, 2), contact: phrase(prng, 2) }),
    () => ({ title: '' }),
  ]
  return prng.pick(patches)()
}

/** Runs one seeded session: five users act on their own devices while the network misbehaves. */
function runSession(seed: number): { net: TestNetwork; outcomes: Record<string, number> } {
  const prng = new Prng(seed)
  const net = new TestNetwork(USERS.length, prng)
  const outcomes: Record<string, number> = {}
  const count = (what: string): void => {
    outcomes[what] = (outcomes[what] ?? 0) + 1
  }
  let now = NOW
  let nextId = 0
  initBoard(net.docs[0] as Y.Doc, { name: 'Circle', description: 'Seed board' }, now)

  for (let op = 0; op < OPERATIONS; op++) {
    now += prng.int(20) * MINUTE
    const user = prng.int(USERS.length)
    const doc = net.docs[user] as Y.Doc
    const visible = readItems(doc)
    const roll = prng.next()
    if (roll < 0.3 || visible.length === 0) {
      count(createItem(doc, randomDraft(prng, USERS[user] as string, now), now, `u${user}-${nextId++}`).ok ? 'created' : 'create refused')
    } else if (roll < 0.6) {
      count(updateItem(doc, prng.pick(visible).id, randomPatch(prng, now), now).ok ? 'edited' : 'edit refused')
    } else if (roll < 0.7) {
      count(deleteItem(doc, prng.pick(visible).id) ? 'deleted' : 'delete missed')
    } else if (roll < 0.8) {
      count(setPinned(doc, prng.pick(visible).id, prng.chance(0.5)) ? 'pinned' : 'pin missed')
    } else if (roll < 0.9) {
      count(updateMeta(doc, prng.chance(0.5) ? { name: phrase(prng, 2) } : { description: phrase(prng, 4) }, now).ok ? 'meta' : 'meta refused')
    } else if (roll < 0.95) {
      count(`swept ${sweepExpired(doc, now).length > 0 ? 'some' : 'none'}`)
    } else {
      // A broken peer writes garbage straight into the doc.
      const raw = new Y.Map<unknown>()
      itemsMap(doc).set(`junk${nextId++}`, raw)
      raw.set('kind', prng.pick(['notice', 'poll', 7]))
      raw.set('title', prng.chance(0.5) ? 'x'.repeat(300) : 12)
      count('garbage')
    }
    for (let steps = prng.int(4); steps > 0; steps--) net.step()
  }
  net.flush()
  return { net, outcomes }
}

describe('five users on a flaky network converge', () => {
  it.each(SEEDS)('seed %i: every device ends with the same board', (seed) => {
    const { net, outcomes } = runSession(seed)
    const [first, ...others] = net.docs as [Y.Doc, ...Y.Doc[]]
    const items = readItems(first)
    const meta = readMeta(first)
    const vector = Y.encodeStateVector(first)
    others.forEach((doc, i) => {
      const where = `seed ${seed}, ${USERS[i + 1]} vs Alice`
      expect(readItems(doc), where).toEqual(items)
      expect(readMeta(doc), where).toEqual(meta)
      expect(Y.encodeStateVector(doc), where).toEqual(vector)
    })
    // The session really exercised what it claims to.
    const why = `seed ${seed}: ${JSON.stringify({ ...outcomes, ...net.stats })}`
    expect(items.length, why).toBeGreaterThan(0)
    expect(meta.name, why).not.toBe('')
    expect((outcomes.created ?? 0) > 20 && (outcomes.edited ?? 0) > 20 && (outcomes.deleted ?? 0) > 0, why).toBe(true)
    expect(net.stats.dropped > 0 && net.stats.reordered > 0 && net.stats.delayed > 0, why).toBe(true)
  })

  it('replays exactly from its seed', () => {
    const once = runSession(SEEDS[0] as number)
    const again = runSession(SEEDS[0] as number)
    expect(readItems(again.net.docs[2] as Y.Doc)).toEqual(readItems(once.net.docs[2] as Y.Doc))
    expect(again.outcomes).toEqual(once.outcomes)
    expect(again.net.stats).toEqual(once.net.stats)
  })

  it('keeps expiring items expiring after the merge', () => {
    const { net } = runSession(SEEDS[1] as number)
    const doc = net.docs[0] as Y.Doc
    sweepExpired(doc, NOW + 30 * DAY)
    expect(readItems(doc).every((item) => item.expiresAt === null)).toBe(true)
  })
})
