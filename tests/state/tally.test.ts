/**
 * The filter bar's summary kept as items come and go (BoardTally): after
 * every change it is what a count over the whole board gives, for a seeded
 * random run of posts, edits and deletions with expired items and repeated
 * tags among them.
 */
import { describe, expect, it } from 'vitest'
import { allTags, isExpired, type Item, type ItemKind } from '../../src/core/index.ts'
import { BoardTally, type BoardSummary } from '../../src/state/tally.ts'
import { mulberry32 } from '../support/mulberry32.ts'

const KINDS: readonly ItemKind[] = ['notice', 'event', 'meeting', 'aid', 'resource']
const TAGS = ['food', 'housing', 'legal', 'rides', 'childcare', 'language']
const NOW = 1_000_000

function item(id: string, kind: ItemKind, tags: string[], createdAt: number, expiresAt: number | null): Item {
  return { id, kind, title: id, body: '', author: 'Ana', tags, pinned: false, createdAt, updatedAt: createdAt, expiresAt } as unknown as Item
}

/** The summary counted over every item, as the board counted it before it kept a tally. */
function recount(items: Iterable<Item>, now: number, isNew: (i: Item) => boolean): BoardSummary {
  const counts: Record<ItemKind | 'all', number> = { all: 0, notice: 0, event: 0, meeting: 0, aid: 0, resource: 0 }
  const live: Item[] = []
  let unread = 0
  for (const i of items) {
    if (isExpired(i, now)) continue
    live.push(i)
    counts.all++
    counts[i.kind]++
    if (isNew(i)) unread++
  }
  return { counts, tags: allTags(live), unread }
}

describe('a board’s tally', () => {
  it('stays equal to a count over the whole board through a seeded run of posts, edits and deletions', () => {
    let seed = 0x7a11
    const rand = (): number => {
      const [next, value] = mulberry32(seed)
      seed = next
      return value
    }
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
    const random = (id: string): Item => {
      // Repeated tags in one item count once; some items have none, some expired before NOW.
      const tags = Array.from({ length: Math.floor(rand() * 4) }, () => pick(TAGS))
      const expiresAt = rand() < 0.2 ? NOW - 1 + Math.floor(rand() * 3) : rand() < 0.5 ? null : NOW + 5_000
      return item(id, pick(KINDS), tags, Math.floor(rand() * 2 * NOW), expiresAt)
    }
    const isNew = (i: Item) => i.createdAt > NOW
    const board = new Map<string, Item>()
    for (let n = 0; n < 50; n++) board.set(`i${n}`, random(`i${n}`))
    const tally = new BoardTally(board.values(), NOW, isNew)
    expect(tally.summary).toEqual(recount(board.values(), NOW, isNew))
    let next = 50
    let dropped = 0
    for (let step = 0; step < 2_000; step++) {
      const before = tally.summary.tags.length
      const ids = [...board.keys()]
      const r = rand()
      // More deletions than posts: the board shrinks to a few items now and then, and tags drop out.
      if (r < 0.3 || ids.length === 0) {
        const id = `i${next++}`
        board.set(id, random(id))
        tally.add(board.get(id)!)
      } else if (r < 0.55) {
        const id = pick(ids)
        tally.remove(board.get(id)!)
        board.set(id, random(id))
        tally.add(board.get(id)!)
      } else {
        const id = pick(ids)
        tally.remove(board.get(id)!)
        board.delete(id)
      }
      expect(tally.summary).toEqual(recount(board.values(), NOW, isNew))
      if (tally.summary.tags.length < before) dropped++
    }
    // The run went through the cases that matter: many posts, and tags dropping out.
    expect(next).toBeGreaterThan(500)
    expect(dropped).toBeGreaterThan(10)
  })

  it('leaves a tag out once no live item uses it, and counts nothing of an expired item', () => {
    const a = item('a', 'aid', ['food', 'food', 'rides'], 1, null)
    const b = item('b', 'notice', ['rides'], 2, null)
    const gone = item('c', 'event', ['legal'], 3, NOW)
    const tally = new BoardTally([a, b, gone], NOW, () => true)
    expect(tally.summary).toEqual({ counts: { all: 2, notice: 1, event: 0, meeting: 0, aid: 1, resource: 0 }, tags: ['rides', 'food'], unread: 2 })
    tally.remove(b)
    expect(tally.summary.tags).toEqual(['food', 'rides'])
    tally.remove(a)
    expect(tally.summary).toEqual({ counts: { all: 0, notice: 0, event: 0, meeting: 0, aid: 0, resource: 0 }, tags: [], unread: 0 })
  })

  it('gives the same summary object until something it counts changes', () => {
    const tally = new BoardTally([item('a', 'notice', ['x'], 1, null)], NOW, () => false)
    const first = tally.summary
    expect(tally.summary).toBe(first)
    // An expired item changes nothing counted.
    tally.add(item('old', 'notice', ['y'], 1, NOW - 1))
    expect(tally.summary).toBe(first)
    tally.add(item('b', 'notice', [], 2, null))
    expect(tally.summary).not.toBe(first)
    expect(tally.summary.counts.all).toBe(2)
    expect(tally.summary.tags).toBe(first.tags)
  })
})
