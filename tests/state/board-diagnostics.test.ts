/**
 * What the board shows of the engine's diagnostics is read again after a run
 * of records, once, not at each record: a joining device records every entry
 * that waits (for its author, its key or an earlier entry) one after another,
 * and reading them all again at each was 48 ms of a profiled join.
 */
import { describe, expect, it } from 'vitest'
import { BoardState } from '../../src/state/board.svelte.ts'
import { SessionMemory } from '../../src/state/session-memory.ts'
import { Diagnostics } from '../../src/sealed/diagnostics.ts'
import { record, session } from './fake-session.ts'

describe('the diagnostics a board shows', () => {
  it('are read once after a run of records, and show every record of it, newest first', async () => {
    const s = session(3)
    const diagnostics = new Diagnostics()
    let reads = 0
    Object.assign(s.sealed as object, {
      diagnostics,
      pendingCount: () => {
        reads++
        return diagnostics.events.length
      },
    })
    const board = new BoardState(s, record, new SessionMemory())
    expect(reads).toBe(1)

    for (let i = 0; i < 50; i++) diagnostics.record({ reason: 'pending_key', key: `AAAAAAAAAAA.${i + 1}`, author: 'AAAAAAAAAAA', via: null, detail: null, at: i })
    await Promise.resolve()

    expect(reads).toBe(2)
    expect(board.diagnostics.pending).toBe(50)
    expect(board.diagnostics.counts).toEqual([['pending_key', 50]])
    expect(board.diagnostics.events.map((e) => e.key).slice(0, 2)).toEqual(['AAAAAAAAAAA.50', 'AAAAAAAAAAA.49'])

    // A later record, in a task of its own, is shown too.
    diagnostics.record({ reason: 'forbidden_edit', key: 'BBBBBBBBBBB.1', author: 'BBBBBBBBBBB', via: null, detail: 'a field of Ana’s post', at: 60 })
    await Promise.resolve()
    expect(reads).toBe(3)
    expect(board.diagnostics.events[0]!.reason).toBe('forbidden_edit')
    board.destroy()
  })
})
