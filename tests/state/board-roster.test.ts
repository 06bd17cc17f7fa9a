/**
 * The roster a board shows is read again at every change of the circle, but
 * kept as it is when nothing in it changed: a joining device's sync settles
 * dozens of requests to join as it goes, each a change of the circle, and a
 * new roster makes the filter bar count the whole board again (one count of
 * the 10,000-item board per request, while the board was still arriving).
 */
import { describe, expect, it } from 'vitest'
import { BoardState } from '../../src/state/board.svelte.ts'
import { SessionMemory } from '../../src/state/session-memory.ts'
import type { MemberView } from '../../src/app/index.ts'
import { record, session } from './fake-session.ts'

const ana = (role: MemberView['role']): MemberView => ({
  id: 'AAAAAAAAAAA',
  name: 'Ana',
  role,
  devices: [{ tag: 'AAAAAAAAAAA', fingerprint: 'a1 b2', removed: false, removedBy: null, relay: false }],
  admittedBy: null,
  invitedBy: null,
  removed: false,
  equivocated: false,
  sharesName: false,
  index: 0,
})

describe('the roster a board shows', () => {
  it('stays the same object, and the board’s counts are not made again, when the circle changes but its members do not; a changed member is shown', async () => {
    const listeners = new Set<() => void>()
    const s = session(30, listeners)
    let role: MemberView['role'] = 'member'
    // Every read makes a new array, as the engine's does.
    ;(s.sealed as unknown as { members: () => MemberView[] }).members = () => [ana(role)]
    const board = new BoardState(s, record, new SessionMemory())
    await board.prime()
    const members = board.members
    const counts = board.counts
    expect(members.map((m) => m.role)).toEqual(['member'])
    expect(counts.notice).toBe(30)

    // A request to join was settled: the circle changed, its members did not.
    for (const f of listeners) f()
    expect(board.members).toBe(members)
    expect(board.counts).toBe(counts)

    role = 'moderator'
    for (const f of listeners) f()
    expect(board.members).not.toBe(members)
    expect(board.members.map((m) => m.role)).toEqual(['moderator'])
    board.destroy()
  })
})
