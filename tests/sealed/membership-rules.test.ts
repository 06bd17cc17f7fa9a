/**
 * Ana founded the board, Mo moderates, Bob is a plain member with a laptop,
 * and a relay carries the board. Each tries the changes their role allows and
 * some it does not: every device reduces the same entries to the same verdicts.
 */
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../src/crypto/index.ts'
import { ZERO_INVITE } from '../../src/sealed/membership/reduce.ts'
import { Device, FIRST_KEY, History, reduce, shuffles } from './membership-fixture.ts'

const invite = (as: 'member' | 'device' | 'relay' = 'member', id: Uint8Array = crypto.getRandomValues(new Uint8Array(16))) =>
  ({ t: 'invite', id, pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as, ask: false }) as const
const admit = (d: Device, inviteId: Uint8Array) => ({ t: 'admit', request: crypto.getRandomValues(new Uint8Array(16)), invite: inviteId, device: { sign: d.sign, agree: d.agree }, name: d.name }) as const
const key = (n: number) => new Uint8Array(8).fill(n)

function circle() {
  const [ana, mo, bob, laptop, relay] = [new Device('Ana'), new Device('Mo'), new Device('Bob'), new Device('Bob’s laptop'), new Device('Relay')]
  const h = new History()
  h.genesis(ana)
  h.invite(ana, mo)
  h.role(ana, mo, 'moderator')
  h.invite(ana, bob)
  h.invite(bob, laptop, { as: 'device' })
  h.invite(ana, relay, { as: 'relay' })
  return { h, ana, mo, bob, laptop, relay, verdict: (e: { hash: string }) => reduce(h.entries, ana).verdicts.get(e.hash) }
}

describe('who may change the membership', () => {
  it('Bob, a member, may not change settings, rotate the key, invite a relay or revoke Ana’s invitation; he may revoke his own', () => {
    const { h, ana, bob, verdict } = circle()
    const anasInvite = h.write(ana, invite())
    const bobsInvite = h.write(bob, invite())
    expect(verdict(h.write(bob, { t: 'settings', membersMayInvite: false }))).toBe('not_allowed')
    expect(verdict(h.write(bob, { t: 'rekey', rekey: { key: key(2), parent: FIRST_KEY, to: [] } }))).toBe('not_allowed')
    expect(verdict(h.write(bob, invite('relay')))).toBe('not_allowed')
    expect(verdict(h.write(bob, { t: 'revoke', id: (anasInvite.op as { id: Uint8Array }).id }))).toBe('not_allowed')
    expect(verdict(h.write(bob, { t: 'revoke', id: (bobsInvite.op as { id: Uint8Array }).id }))).toBe('ok')
    expect(verdict(h.write(bob, { t: 'revoke', id: new Uint8Array(16).fill(9) }))).toBe('invalid')
    expect(verdict(h.write(bob, invite('device')))).toBe('ok')
    const m = reduce(h.entries, ana)
    expect(m.membersMayInvite).toBe(true)
    expect(m.current?.key).toBe(toBase64url(FIRST_KEY))
  })

  it('Mo, a moderator, may; but only Ana, the founder, changes roles, and not her own', () => {
    const { h, ana, mo, bob, verdict } = circle()
    expect(verdict(h.write(mo, { t: 'settings', membersMayInvite: false }))).toBe('ok')
    expect(verdict(h.write(mo, invite('member')))).toBe('ok')
    expect(verdict(h.role(mo, bob, 'moderator'))).toBe('not_allowed')
    expect(verdict(h.role(ana, ana, 'member'))).toBe('invalid')
    expect(verdict(h.write(ana, { t: 'role', member: 'AAAAAAAAAAA', role: 'member', cutoffs: [] }))).toBe('invalid')
    const m = reduce(h.entries, ana)
    expect(m.membersMayInvite).toBe(false)
    expect(m.roleOf(bob.tag)).toBe('member')
    expect(m.roleOf(mo.tag)).toBe('moderator')
    expect(m.roleOf(ana.tag)).toBe('founder')
  })

  it('a relay carries the board and changes nothing; a device nobody admitted, or removed, is no member', () => {
    const { h, ana, bob, laptop, relay, verdict } = circle()
    const stranger = new Device('Stranger')
    expect(verdict(h.write(relay, { t: 'refuse', request: new Uint8Array(16) }))).toBe('not_allowed')
    expect(verdict(h.write(stranger, { t: 'refuse', request: new Uint8Array(16) }))).toBe('not_member')
    h.remove(bob, laptop)
    expect(verdict(h.write(laptop, { t: 'refuse', request: new Uint8Array(16) }))).toBe('not_member')
    const m = reduce(h.entries, ana)
    expect(m.roleOf(relay.tag)).toBeNull()
    expect(m.isActive(relay.tag)).toBe(true)
    expect(m.isActive(laptop.tag)).toBe(false)
    expect(m.isActive(stranger.tag)).toBe(false)
    expect(m.devices.get(relay.tag)?.as).toBe('relay')
  })

  it('Bob refuses a request: any member may, and every device knows it was refused', () => {
    const { h, ana, bob, verdict } = circle()
    const request = new Uint8Array(16).fill(4)
    expect(verdict(h.write(bob, { t: 'refuse', request }))).toBe('ok')
    const m = reduce(h.entries, ana)
    expect(m.refused.has(toBase64url(request))).toBe(true)
    expect(m.history.at(-1)).toMatchObject({ kind: 'refused', by: bob.tag, request: toBase64url(request) })
  })

  it('a removal names at least one device, each known and not yet removed', () => {
    const { h, ana, bob, laptop, verdict } = circle()
    expect(verdict(h.write(ana, { t: 'remove', cutoffs: [], rekey: null }))).toBe('invalid')
    expect(verdict(h.write(ana, { t: 'remove', cutoffs: [{ device: 'AAAAAAAAAAA', seq: 0 }], rekey: null }))).toBe('invalid')
    expect(verdict(h.remove(bob, laptop))).toBe('ok')
    expect(verdict(h.remove(ana, laptop))).toBe('invalid')
  })

  it('an invitation for someone’s second device is used by that someone only', () => {
    const { h, ana, mo, bob, verdict } = circle()
    const bobsDeviceInvite = h.write(bob, invite('device'))
    const phone = new Device('Bob’s phone')
    expect(verdict(h.write(mo, admit(phone, (bobsDeviceInvite.op as { id: Uint8Array }).id)))).toBe('not_allowed')
    expect(verdict(h.write(bob, admit(phone, (bobsDeviceInvite.op as { id: Uint8Array }).id)))).toBe('ok')
    expect(reduce(h.entries, ana).members.get(bob.tag)?.devices).toContain(phone.tag)
    const again = h.write(ana, invite('member', (bobsDeviceInvite.op as { id: Uint8Array }).id))
    expect(verdict(again)).toBe('invalid')
  })

  it('a device that joined with an invite from before membership is admitted by a moderator, only while the first key is in use', () => {
    const { h, ana, bob, verdict } = circle()
    const zero = new Uint8Array(16)
    expect(toBase64url(zero)).toBe(ZERO_INVITE)
    expect(verdict(h.write(bob, admit(new Device('Old'), zero)))).toBe('not_allowed')
    const early = new Device('Early')
    expect(verdict(h.write(ana, admit(early, zero)))).toBe('ok')
    expect(reduce(h.entries, ana).roleOf(early.tag)).toBe('member')
    h.write(ana, { t: 'rekey', rekey: { key: key(2), parent: FIRST_KEY, to: h.circle() } })
    expect(verdict(h.write(ana, admit(new Device('Late'), zero)))).toBe('invalid')
    // A second genesis changes nothing.
    expect(verdict(h.write(ana, { t: 'genesis', nonce: new Uint8Array(16), name: 'Again', agree: ana.agree, key: key(5), members: [], membersMayInvite: false }, 'heads'))).toBe('invalid')
  })
})

describe('key epochs', () => {
  it('a rotation must list every device its author saw in the circle: one that leaves someone out is not taken; one admitted unseen may be missing', () => {
    const { h, ana, mo, laptop, bob, relay, verdict } = circle()
    const all = h.circle()
    const without = (d: Device) => all.filter((t) => t !== d.tag)
    // Bob removes his own laptop and rotates, leaving out the relay: the removal counts, his rotation does not.
    const base = h.heads()
    const removal = h.write(bob, { t: 'remove', cutoffs: [{ device: laptop.tag, seq: laptop.seq }], rekey: { key: key(2), parent: FIRST_KEY, to: without(relay) } }, base)
    let m = reduce(h.entries, ana)
    expect(m.verdicts.get(removal.hash)).toBe('ok')
    expect(m.devices.get(laptop.tag)?.removed).toBeTruthy()
    expect(m.current?.key).toBe(toBase64url(FIRST_KEY))
    expect(m.needsRekey).toBe(true)
    // Mo, a moderator, leaves Bob out: invalid.
    expect(verdict(h.write(mo, { t: 'rekey', rekey: { key: key(3), parent: FIRST_KEY, to: without(bob) } }))).toBe('invalid')
    // Carol is let in while Ana rotates without having seen her: Ana's rotation is taken (Carol gets the key as anyone let in later does).
    const seen = h.heads()
    const carol = new Device('Carol')
    h.invite(ana, carol)
    const anas = h.write(ana, { t: 'rekey', rekey: { key: key(4), parent: FIRST_KEY, to: h.circle().filter((t) => t !== carol.tag) } }, seen)
    m = reduce(h.entries, ana)
    expect(m.verdicts.get(anas.hash)).toBe('ok')
    expect(m.current?.key).toBe(toBase64url(key(4)))
    // Whatever order a device got them in.
    for (const order of shuffles(h.entries, 8)) {
      const again = reduce(order, ana)
      expect([again.current?.key, again.verdicts.get(removal.hash), again.devices.get(laptop.tag)?.removed?.hash]).toEqual([m.current?.key, 'ok', removal.hash])
    }
  })

  it('a removal leaves a removed device holding the key in use until a rotation; two rotations from one key: the first taken wins', () => {
    const { h, ana, mo, laptop, bob } = circle()
    h.remove(bob, laptop)
    expect(reduce(h.entries, ana).needsRekey).toBe(true)
    const base = h.heads()
    const anas = h.write(ana, { t: 'rekey', rekey: { key: key(2), parent: FIRST_KEY, to: h.circle() } }, base)
    const mos = h.write(mo, { t: 'rekey', rekey: { key: key(3), parent: FIRST_KEY, to: h.circle() } }, base)
    const m = reduce(h.entries, ana)
    expect(m.current?.key).toBe(toBase64url(key(2)))
    expect(m.epochs.get(toBase64url(key(3)))).toMatchObject({ effective: false, parent: toBase64url(FIRST_KEY), by: mo.tag, hash: mos.hash })
    expect(m.epochs.get(toBase64url(key(2)))).toMatchObject({ effective: true, by: ana.tag, hash: anas.hash })
    expect(m.needsRekey).toBe(false)
    // A rotation to a key already known changes nothing.
    h.write(mo, { t: 'rekey', rekey: { key: key(2), parent: key(3), to: h.circle() } })
    expect(reduce(h.entries, ana).epochs.get(toBase64url(key(2)))).toMatchObject({ effective: true, by: ana.tag })
  })
})
