/**
 * The list a board shows, kept sorted as items change: the changes that come
 * between two reads (a sync applies hundreds of slices between two renders)
 * are merged in when the list is next read, and what it shows is then what
 * sorting the whole board gives — through a seeded run of posts, edits,
 * pins and deletions from a peer, read at random moments, with and without
 * a query.
 */
import { flushSync } from 'svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { createItem, deleteItem, itemComparator, itemMatcher, newItemId, setPinned, updateItem } from '../../src/core/index.ts'
import { BoardState } from '../../src/state/board.svelte.ts'
import { SessionMemory } from '../../src/state/session-memory.ts'
import { mulberry32 } from '../support/mulberry32.ts'
import { record, session } from './fake-session.ts'

afterEach(() => vi.restoreAllMocks())

/** What sorting the whole board gives for the board's query. */
function sorted(board: BoardState): string[] {
  return board.items.filter(itemMatcher(board.query, board.now)).sort(itemComparator(board.query)).map((i) => i.id)
}

describe('a board’s list', () => {
  it('is what sorting the whole board gives, however many changes came between two reads', async () => {
    const s = session(200)
    const board = new BoardState(s, record, new SessionMemory())
    await board.prime()
    const shown: string[][] = []
    const stop = $effect.root(() => {
      $effect(() => {
        shown.push(board.matching.map((i) => i.id))
      })
    })
    flushSync()
    let seed = 0x11575
    const rand = (): number => {
      const [next, value] = mulberry32(seed)
      seed = next
      return value
    }
    // The peer writes as sync applies: another doc's changes, a transaction each.
    const peer = new Y.Doc()
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(s.doc))
    const send = (change: () => void) => {
      const before = Y.encodeStateVector(peer)
      change()
      Y.applyUpdate(s.doc, Y.encodeStateAsUpdate(peer, before), 'peer')
    }
    let reads = 0
    let post = 0
    for (let step = 0; step < 400; step++) {
      const ids = [...peer.getMap('items').keys()]
      const id = ids[Math.floor(rand() * ids.length)]!
      const r = rand()
      if (r < 0.3) send(() => void createItem(peer, { kind: 'notice', title: `new ${post}`, body: '', author: 'Bo', tags: [], pinned: false, expiresAt: null }, 5_000 + post++, newItemId('BBBBBBBBBBB')))
      else if (r < 0.55) send(() => void updateItem(peer, id, { title: `edited ${step}` }, 9_000 + step))
      else if (r < 0.7) send(() => void setPinned(peer, id, rand() < 0.5))
      else send(() => void deleteItem(peer, id))
      if (step === 200) board.setQuery({ text: 'new' })
      // Read now and then: several changes at once in between, or one.
      if (rand() < 0.3) {
        flushSync()
        reads++
        expect(board.matching.map((i) => i.id)).toEqual(sorted(board))
      }
    }
    flushSync()
    expect(board.matching.map((i) => i.id)).toEqual(sorted(board))
    // Others' changes that keep coming render in a task after them (SHOW_EVERY_MS): the last render comes then.
    const want = JSON.stringify(sorted(board))
    for (let i = 0; i < 100 && JSON.stringify(shown.at(-1)) !== want; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      flushSync()
    }
    expect(shown.at(-1)).toEqual(sorted(board))
    expect(reads).toBeGreaterThan(50)
    stop()
    board.destroy()
  })
})
