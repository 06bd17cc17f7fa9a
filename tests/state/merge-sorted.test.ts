import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { createItem, itemComparator, itemMatcher, readItems, setPinned, type Item } from '../../src/core/index.ts'
import { mergeSorted } from '../../src/state/board.svelte.ts'
import { Prng } from '../core/prng.ts'
import { HOUR, NOW, eventDraft, noticeDraft, unwrap } from '../core/fixtures.ts'

/** A board of `n` posts at random times (some at the same moment, some pinned, some events), read as the feed reads it. */
function board(n: number, rng: Prng): Item[] {
  const doc = new Y.Doc()
  for (let i = 0; i < n; i++) {
    const at = NOW - rng.int(21) * HOUR
    const id = `post-${i.toString().padStart(4, '0')}`
    unwrap(createItem(doc, rng.int(3) === 0 ? eventDraft({ title: `Event ${i}`, start: NOW + (rng.int(46) - 5) * HOUR, end: null }) : noticeDraft({ title: `Notice ${i}` }), at, id))
    if (rng.chance(0.1)) setPinned(doc, id, true)
  }
  return readItems(doc)
}

describe('the feed of a board that arrives in slices', () => {
  it('merges a slice of new posts into the sorted feed exactly where sorting everything again puts them, for every order the feed offers (each on the posts it shows)', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rng = new Prng(seed)
      const all = board(rng.int(121), rng)
      for (const when of [undefined, 'upcoming', 'past'] as const) {
        const items = all.filter(itemMatcher({ when }, NOW))
        const compare = itemComparator({ when })
        const split = rng.int(items.length + 1)
        const shown = items.slice(0, split).sort(compare)
        const arriving = items.slice(split).sort(compare)
        expect(mergeSorted(shown, arriving, compare).map((i) => i.id)).toEqual([...items].sort(compare).map((i) => i.id))
      }
    }
  })

  it('gives a new list, leaving the one on screen as it was', () => {
    const compare = (a: number, b: number) => a - b
    const shown = [1, 4, 9]
    expect(mergeSorted(shown, [], compare)).not.toBe(shown)
    expect(mergeSorted(shown, [0, 5, 10], compare)).toEqual([0, 1, 4, 5, 9, 10])
    expect(shown).toEqual([1, 4, 9])
  })
})
