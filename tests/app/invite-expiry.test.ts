/**
 * An invitation's expiry is checked by the admitting device's clock (the
 * engine cannot: every device must reach the same verdict whatever its
 * clock). Bob asked in time, but Alice's phone sees his request only after
 * the invitation expired: her phone must not let him in. Asked and seen in
 * time, he is let in at once (the control). An invitation that asks first
 * waits for a person to say yes.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { BoardSession } from '../../src/app/board-session.ts'
import { askWith, boardWithInvite, Clock, Phone, receive } from './session-devices.ts'

const HOUR = 3600_000

async function askedThenSeen(after: number, ask = false, revoked = false): Promise<{ admitting: BoardSession; alice: Phone }> {
  const clock = new Clock(new Date('2030-01-01T10:00:00Z').getTime())
  const alice = new Phone('Alice', clock)
  const { board, link, fromHost } = await boardWithInvite(alice, { expiresAt: clock.now() + HOUR, ask, revoked })
  const request = await askWith(new Phone('Bob', clock), board, link, fromHost)

  clock.advance(after)
  await alice.start()
  const admitting = await alice.open(board)
  await receive(alice, admitting, request)
  return { admitting, alice }
}

const bobIn = (s: BoardSession) => s.sealed.members().some((m) => m.name === 'Bob' && !m.removed)

const waitFor = async (done: () => boolean) => {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 10))
}

/** The inviter's phone, given time to act by itself, has let nobody in: Bob's request is still open. */
async function nobodyLetIn({ admitting, alice }: { admitting: BoardSession; alice: Phone }): Promise<void> {
  expect(admitting.sealed.circle.openRequests()).toHaveLength(1)
  await new Promise((r) => setTimeout(r, 300))
  await alice.act(() => admitting.flush())
  expect(bobIn(admitting)).toBe(false)
  await alice.stop()
}

describe('the inviter’s phone lets a newcomer in by itself only on an open invitation', () => {
  it('an invitation that expired before the inviter’s phone saw the request lets nobody in; seen in time, Bob is let in at once', async () => {
    await nobodyLetIn(await askedThenSeen(2 * HOUR))

    const inTime = await askedThenSeen(HOUR / 2)
    await waitFor(() => bobIn(inTime.admitting))
    expect(bobIn(inTime.admitting)).toBe(true)
    await inTime.alice.stop()
  }, 30_000)

  it('seen at the very millisecond it expires, the invitation still lets Bob in', async () => {
    const edge = await askedThenSeen(HOUR)
    await waitFor(() => bobIn(edge.admitting))
    expect(bobIn(edge.admitting)).toBe(true)
    await edge.alice.stop()
  }, 30_000)

  it('an invitation revoked after Bob got the link lets nobody in, even in time', async () => {
    const revoked = await askedThenSeen(HOUR / 2, false, true)
    expect(revoked.admitting.sealed.circle.invites().map((i) => i.revoked)).toEqual([true])
    await nobodyLetIn(revoked)
  }, 30_000)

  it('an invitation that asks first lets nobody in by itself, even in time', async () => {
    await nobodyLetIn(await askedThenSeen(HOUR / 2, true))
  }, 30_000)
})

describe('a one-time invitation', () => {
  it('lets one person in, even when two asked with it before the inviter’s phone saw either', async () => {
    const clock = new Clock(new Date('2030-01-01T10:00:00Z').getTime())
    const alice = new Phone('Alice', clock)
    const { board, link, fromHost } = await boardWithInvite(alice, { expiresAt: clock.now() + HOUR })
    // The link was passed on: Bob and Carol both ask with it while Alice's phone is off.
    const requests = [await askWith(new Phone('Bob', clock), board, link, fromHost), await askWith(new Phone('Carol', clock), board, link, fromHost)]

    await alice.start()
    const admitting = await alice.open(board)
    // Both requests reach her phone at once.
    await receive(alice, admitting, Y.mergeUpdates(requests))
    const inside = () => admitting.sealed.members().filter((m) => (m.name === 'Bob' || m.name === 'Carol') && !m.removed).map((m) => m.name)
    await waitFor(() => inside().length > 0)
    await new Promise((r) => setTimeout(r, 300))
    await alice.act(() => admitting.flush())
    expect(inside()).toHaveLength(1)
    // Only one admission was signed: the other asker got no keys.
    const admissions = admitting.sealed.circle.membership().history.filter((h) => h.kind === 'admitted')
    expect(admissions).toHaveLength(1)
    await alice.stop()
  }, 30_000)
})
