/**
 * A large board's items are read before its first render, in slices with the
 * page let run between (BoardState.prime): every item is read, the list the
 * board opens on is sorted and counted before the render, the first render
 * shows FIRST_PAGE cards and the page then fills, and a board closed while
 * it is read stops reading.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { BoardState, FILL_STEP, FIRST_PAGE, PAGE_SIZE } from '../../src/state/board.svelte.ts'
import { SessionMemory } from '../../src/state/session-memory.ts'
import { ticks } from '../support/ticks.ts'
import { postNotices, record, session } from './fake-session.ts'


afterEach(() => vi.restoreAllMocks())

describe('a board’s items before its first render', () => {
  it('are all read, in slices with the page let run between, and the list it opens on is sorted and counted', async () => {
    const s = session(300)
    const board = new BoardState(s, record, new SessionMemory())
    const log: string[] = []
    let now = 0
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 1))
    const parse = vi.spyOn(s.doc.getMap('items'), 'get')
    parse.mockImplementation(function (this: Y.Map<unknown>, key: string) {
      log.push('read')
      return Y.Map.prototype.get.call(this, key)
    })
    const stop = ticks(log)
    await board.prime()
    stop()
    expect(board.items).toHaveLength(300)
    expect(board.counts.all).toBe(300)
    expect(board.matching.slice(0, 3).map((i) => i.title)).toEqual(['notice 299', 'notice 298', 'notice 297'])
    // The event loop ran between the first item read and the last.
    expect(log.slice(log.indexOf('read'), log.lastIndexOf('read'))).toContain('tick')
    expect(log.filter((e) => e === 'read')).toHaveLength(300)
  })

  it('read again, in slices, what a sync changed while they were read, so the first render has little left to read', async () => {
    const s = session(300)
    const board = new BoardState(s, record, new SessionMemory())
    const log: string[] = []
    let now = 0
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 5))
    let count = 0
    const get = vi.spyOn(s.doc.getMap('items'), 'get')
    get.mockImplementation(function (this: Y.Map<unknown>, key: string) {
      log.push('read')
      // Half-way through, a sync brings 1,000 items and edits one already read.
      if (++count === 150) {
        s.doc.transact(() => {
          postNotices(s.doc, 1000, 300)
          ;(Y.Map.prototype.get.call(this, [...this.keys()][0]!) as Y.Map<unknown>).set('title', 'edited during the sync')
        })
      }
      return Y.Map.prototype.get.call(this, key)
    })
    const stop = ticks(log)
    await board.prime()
    stop()
    // Read before any render (a render reads the rest: here none).
    expect(board.items).toHaveLength(1300)
    expect(board.matching).toHaveLength(1300)
    expect(board.counts.all).toBe(1300)
    expect(board.items.some((i) => i.title === 'edited during the sync')).toBe(true)
    // The 1,001 changed items were read again after the first 300 reads, with the event loop run between.
    const reads = log.flatMap((e, i) => (e === 'read' ? [i] : []))
    expect(reads.length).toBeGreaterThanOrEqual(300 + 1001)
    expect(log.slice(reads[300], reads.at(-1))).toContain('tick')
  })

  it('show FIRST_PAGE cards first, then FILL_STEP more a task up to a whole page', async () => {
    const board = new BoardState(session(150), record, new SessionMemory())
    await board.prime()
    expect(board.visible).toHaveLength(FIRST_PAGE)
    board.fillPage()
    expect(board.visible).toHaveLength(FIRST_PAGE + FILL_STEP)
    // Then FILL_STEP a task, up to the page (each step's own render: board-sync.svelte.test.ts).
    for (let i = 0; i < 200 && board.visible.length < PAGE_SIZE; i++) await new Promise((resolve) => setTimeout(resolve, 0))
    expect(board.visible).toHaveLength(PAGE_SIZE)
    board.showMore()
    board.fillPage()
    for (let i = 0; i < 200 && board.visible.length < 2 * PAGE_SIZE; i++) await new Promise((resolve) => setTimeout(resolve, 0))
    expect(board.visible).toHaveLength(2 * PAGE_SIZE)
    board.destroy()
  })

  it('stop being read when the board is closed meanwhile', async () => {
    const s = session(300)
    const board = new BoardState(s, record, new SessionMemory())
    let now = 0
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 5))
    const read = vi.spyOn(s.doc.getMap('items'), 'get')
    const priming = board.prime()
    await new Promise((resolve) => setImmediate(resolve))
    board.destroy()
    await priming
    expect(read.mock.calls.length).toBeGreaterThan(0)
    expect(read.mock.calls.length).toBeLessThan(50)
  })
})
