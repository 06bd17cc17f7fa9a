/**
 * Two moderators remove two members at the same moment, unseen by each
 * other: each rotation still sends the new keys to the member the other
 * removed. The first moderator's phone to see both rotates once more, by
 * itself — once, not at every change of the membership it sees meanwhile.
 */
import { describe, expect, it } from 'vitest'
import type { BoardSession } from '../../src/app/board-session.ts'
import { Clock, foundBoard, letIn, Phone, receive, sent } from './session-devices.ts'

const idOf = (s: BoardSession, name: string) => s.sealed.members().find((m) => m.name === name)!.id
const rekeysBy = (s: BoardSession, tag: string) => s.sealed.circle.membership().history.filter((h) => h.kind === 'rekeyed' && h.by === tag).length

describe('two removals at the same moment', () => {
  it('the phone that sees both rotates once more, by itself, and only once', async () => {
    const clock = new Clock(new Date('2030-01-01T10:00:00Z').getTime())
    const [alice, ana, bob, eve] = ['Alice', 'Ana', 'Bob', 'Eve'].map((n) => new Phone(n, clock)) as [Phone, Phone, Phone, Phone]
    const board = await foundBoard(alice)
    await alice.stop()
    for (const [phone, name] of [[ana, 'Ana'], [bob, 'Bob'], [eve, 'Eve']] as const) await letIn(alice, phone, board, name)

    // Alice makes Ana a moderator; Ana's phone learns it (and everything else).
    await alice.start()
    let alices = await alice.open(board)
    await alice.act(() => alices.setRole(idOf(alices, 'Ana'), 'moderator'))
    const promotion = sent(alices)
    await alice.stop()
    await ana.start()
    const anas = await ana.open(board)
    await receive(ana, anas, promotion)
    expect(anas.sealed.canModerate).toBe(true)

    // Offline from each other: Ana removes Eve, Alice removes Bob.
    await ana.act(() => anas.removeMember(idOf(anas, 'Eve')))
    const fromAna = sent(anas)
    await ana.stop()
    await alice.start()
    alices = await alice.open(board)
    await alice.act(() => alices.removeMember(idOf(alices, 'Bob')))
    const before = rekeysBy(alices, alices.sealed.myTag)

    // Alice's phone sees Ana's removal: both removed members still hold a key in use.
    await receive(alice, alices, fromAna)
    for (let i = 0; i < 100 && alices.sealed.circle.membership().needsRekey; i++) await new Promise((r) => setTimeout(r, 20))
    await new Promise((r) => setTimeout(r, 500))
    await alice.act(() => alices.flush())
    expect(alices.sealed.circle.membership().needsRekey).toBe(false)
    expect(rekeysBy(alices, alices.sealed.myTag) - before).toBe(1)
    await alice.stop()
  }, 60_000)
})
