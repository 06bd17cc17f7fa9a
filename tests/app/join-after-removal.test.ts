/**
 * Every removal rotates the board's keys and moves it to a new room. A
 * newcomer invited afterwards is let in on its own phone too, and reads
 * what the circle posts: the welcomes and rotations sealed in the rooms
 * before it came (which it cannot open) hold nothing up.
 */
import { describe, expect, it } from 'vitest'
import { readItems } from '../../src/core/index.ts'
import { Clock, foundBoard, letIn, Phone, receive, sent } from './session-devices.ts'

describe('after a removal', () => {
  it('Carol, invited after Alice removed Eve, is let in on her own phone and reads Alice’s next post', async () => {
    const clock = new Clock(new Date('2030-01-01T10:00:00Z').getTime())
    const [alice, eve, carol] = ['Alice', 'Eve', 'Carol'].map((n) => new Phone(n, clock)) as [Phone, Phone, Phone]
    const board = await foundBoard(alice)
    await alice.stop()
    await letIn(alice, eve, board, 'Eve')

    await alice.start()
    let alices = await alice.open(board)
    await alice.act(() => alices.removeMember(alices.sealed.members().find((m) => m.name === 'Eve')!.id))
    await alice.stop()

    // letIn waits until Carol's own phone stands as a member holding the board's key.
    await letIn(alice, carol, board, 'Carol')

    await alice.start()
    alices = await alice.open(board)
    await alice.act(() => alices.createItem({ kind: 'notice', title: 'Pantry open on Sunday', body: '', author: 'x', tags: [], pinned: false, expiresAt: null }))
    const fromAlice = sent(alices)
    await alice.stop()
    await carol.start()
    const carols = await carol.open(board)
    await receive(carol, carols, fromAlice)
    expect(carols.sealed.standing).toBe('member')
    expect(readItems(carols.doc).map((i) => i.title)).toEqual(['Pantry open on Sunday'])
    await carol.stop()
  }, 30_000)
})
