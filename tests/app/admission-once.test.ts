/**
 * An admission this device signs that the circle does not count (here: the
 * newcomer's key collides with a member's 32-bit legacy client id, which
 * costs an attacker a few hundred core-hours to grind) leaves the request
 * open. The inviter's phone must not sign it again at every change of the
 * membership: that was an endless loop of signed entries, each one more for
 * every member to download.
 */
const equalBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])
import { describe, expect, it, vi } from 'vitest'
import { askWith, boardWithInvite, Clock, Phone, receive } from './session-devices.ts'

/** While set, every key but this one has its legacy client id. */
let collideWith: Uint8Array | null = null

vi.mock('../../src/crypto/device.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/crypto/device.ts')>()
  return {
    ...real,
    legacyBoundClientId: (publicKey: Uint8Array) => real.legacyBoundClientId(collideWith && !equalBytes(publicKey, collideWith) ? collideWith : publicKey),
  }
})

const HOUR = 3600_000

describe('an admission the circle does not count', () => {
  it('is signed once, not again at every change: the request stays open, the phone stays quiet', async () => {
    const clock = new Clock(new Date('2030-01-01T10:00:00Z').getTime())
    const alice = new Phone('Alice', clock)
    const { board, link, fromHost } = await boardWithInvite(alice, { expiresAt: clock.now() + HOUR })
    await alice.start()
    const aliceKey = await alice.open(board).then((s) => s.sealed.circle.membership().devices.get(s.sealed.myTag)!.sign)
    await alice.stop()
    const request = await askWith(new Phone('Bob', clock), board, link, fromHost)

    collideWith = aliceKey
    try {
      await alice.start()
      const admitting = await alice.open(board)
      const mine = () => [...admitting.sealed.sealed.getMap('entries').keys()].filter((k) => k.startsWith(`${admitting.sealed.myTag}.`)).length
      const before = mine()
      await receive(alice, admitting, request)
      // Whatever the phone does by itself, it has done within a second.
      await new Promise((r) => setTimeout(r, 1000))
      await alice.act(() => admitting.flush())
      expect(admitting.sealed.members().some((m) => m.name === 'Bob')).toBe(false)
      expect(admitting.sealed.circle.openRequests()).toHaveLength(1)
      // One admission signed (it does not count), and nothing after it.
      expect(mine() - before).toBe(1)
      await alice.stop()
    } finally {
      collideWith = null
    }
  }, 30_000)
})
