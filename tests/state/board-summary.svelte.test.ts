/**
 * The filter bar's counts, tags and new-post count of a board as the app
 * renders them ($effect): each change of the board is counted for the items
 * it touched (BoardTally), not by counting the whole board again, and what
 * shows is what a count over the whole board gives.
 */
import { flushSync } from 'svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { allTags, createItem, deleteItem, isExpired, newItemId, updateItem, type ItemKind } from '../../src/core/index.ts'
import { BoardState } from '../../src/state/board.svelte.ts'
import { SessionMemory } from '../../src/state/session-memory.ts'
import { BoardTally } from '../../src/state/tally.ts'
import { record, session } from './fake-session.ts'

afterEach(() => vi.restoreAllMocks())

/** The summary counted over every item the board holds. */
function recount(board: BoardState) {
  const counts: Record<ItemKind | 'all', number> = { all: 0, notice: 0, event: 0, meeting: 0, aid: 0, resource: 0 }
  const live = board.items.filter((i) => !isExpired(i, board.now))
  for (const i of live) {
    counts.all++
    counts[i.kind]++
  }
  const unread = live.filter((i) => board.isNew(i)).length
  return { counts, tags: allTags(live), unread }
}

/** What `read` gives at each render of an effect, as the app renders the board; and a way to stop. */
function rendered<T>(read: () => T): { shown: T[]; stop: () => void } {
  const shown: T[] = []
  const stop = $effect.root(() => {
    $effect(() => {
      shown.push(read())
    })
  })
  flushSync()
  return { shown, stop }
}

/** Another device's change, applied as sync applies it (not a local transaction). */
function fromPeer(doc: Y.Doc, change: (peer: Y.Doc) => void): void {
  const peer = new Y.Doc()
  Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc))
  const before = Y.encodeStateVector(peer)
  change(peer)
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(peer, before), 'peer')
  peer.destroy()
}

describe('a board’s summary', () => {
  it('follows posts, edits, deletions and a last visit, counting only what each change touched', async () => {
    const s = session(300)
    // Notices 0–299 were created at 1,000–1,299: the last visit was at 1,250.
    const board = new BoardState(s, record, new SessionMemory(), 1_250)
    await board.prime()
    // Each change below comes alone, after a quiet spell: it shows at once (AT_ONCE_ITEMS).
    let clock = 0
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 1_000))
    const { shown: seen, stop } = rendered(() => ({ counts: board.counts, tags: board.tags, unread: board.unread }))
    expect(seen.at(-1)).toEqual(recount(board))
    expect(seen.at(-1)!.unread).toBe(49)

    const added = vi.spyOn(BoardTally.prototype, 'add')
    const id = newItemId('BBBBBBBBBBB')
    fromPeer(s.doc, (peer) => {
      const r = createItem(peer, { kind: 'aid', title: 'rides to the clinic', body: '', author: 'Bo', tags: ['rides', 'rides', 't0'], pinned: false, expiresAt: null, aidType: 'offer', category: 'health', status: 'open' }, 5_000, id)
      expect(r.ok).toBe(true)
    })
    flushSync()
    // One item added to the tally, not the board's 301.
    expect(added).toHaveBeenCalledTimes(1)
    expect(seen.at(-1)).toEqual(recount(board))
    expect(seen.at(-1)).toMatchObject({ counts: { all: 301, aid: 1, notice: 300 }, unread: 50 })
    expect(seen.at(-1)!.tags).toContain('rides')

    fromPeer(s.doc, (peer) => expect(updateItem(peer, id, { tags: ['legal'] }, 6_000).ok).toBe(true))
    flushSync()
    expect(seen.at(-1)).toEqual(recount(board))
    expect(seen.at(-1)!.tags).not.toContain('rides')
    expect(seen.at(-1)!.tags).toContain('legal')

    const firstNotice = board.items.find((i) => i.title === 'notice 0')!.id
    fromPeer(s.doc, (peer) => {
      deleteItem(peer, firstNotice)
      deleteItem(peer, id)
    })
    flushSync()
    expect(seen.at(-1)).toEqual(recount(board))
    expect(seen.at(-1)).toMatchObject({ counts: { all: 299, aid: 0, notice: 299 }, unread: 49 })
    expect(added).toHaveBeenCalledTimes(2)

    // A new last visit is a new count over the board.
    board.markAllRead()
    flushSync()
    expect(seen.at(-1)!.unread).toBe(0)
    expect(seen.at(-1)).toEqual(recount(board))
    stop()
    board.destroy()
  })

  it('counts an item that expires when the clock reaches it', async () => {
    const s = session(3)
    const board = new BoardState(s, record, new SessionMemory())
    await board.prime()
    const { shown: counts, stop } = rendered(() => board.counts.all)
    const soon = board.now + 60_000
    fromPeer(s.doc, (peer) => expect(createItem(peer, { kind: 'notice', title: 'until noon', body: '', author: 'Bo', tags: [], pinned: false, expiresAt: soon }, board.now, newItemId('BBBBBBBBBBB')).ok).toBe(true))
    flushSync()
    expect(counts.at(-1)).toBe(4)
    board.now = soon
    flushSync()
    expect(counts.at(-1)).toBe(3)
    stop()
    board.destroy()
  })

  it('keeps the traces of expired meetings until the clock or the board changes them', async () => {
    const s = session(3)
    const board = new BoardState(s, record, new SessionMemory())
    await board.prime()
    let clock = 0
    vi.spyOn(performance, 'now').mockImplementation(() => (clock += 1_000))
    const { shown: traces, stop } = rendered(() => board.traces)
    const start = board.now + 60_000
    const meeting = (title: string, id: string) =>
      fromPeer(s.doc, (peer) => expect(createItem(peer, { kind: 'meeting', title, body: '', author: 'Bo', tags: [], pinned: false, place: 'back room', start, end: start + 3_600_000, access: 'ask for Sam' }, board.now, id).ok).toBe(true))
    const first = newItemId('BBBBBBBBBBB')
    const second = newItemId('BBBBBBBBBBB')
    meeting('circle', first)
    meeting('second circle', second)
    flushSync()
    expect(traces.at(-1)).toEqual([])
    // A member deletes the second before it expires: it leaves no trace.
    fromPeer(s.doc, (peer) => deleteItem(peer, second))
    flushSync()
    board.now = start + 3_600_000
    flushSync()
    expect(traces.at(-1)!.map((t) => t.id)).toEqual([first])
    // Read again with nothing changed: the same list.
    expect(board.traces).toBe(traces.at(-1))
    stop()
    board.destroy()
  })
})
