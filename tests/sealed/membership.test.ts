import { describe, expect, it } from 'vitest'
import { Device, History, reduce, shuffles } from './membership-fixture.ts'

describe('membership: who is in the circle, decided the same way on every device', () => {
  it('Ana founds the board, invites Bob and admits him; Bob is a member invited and admitted by Ana', () => {
    const ana = new Device('Ana')
    const bob = new Device('Bob')
    const h = new History()
    h.genesis(ana)
    h.invite(ana, bob)
    const m = reduce(h.entries, ana)
    expect([...m.members.values()].map((x) => [x.name, x.role])).toEqual([
      ['Ana', 'founder'],
      ['Bob', 'member'],
    ])
    expect(m.members.get(bob.tag)).toMatchObject({ admittedBy: ana.tag, invitedBy: ana.tag })
    expect(m.current?.recipients.has(bob.tag)).toBe(true)
  })

  it('a genesis by anyone but the founder has no effect', () => {
    const ana = new Device('Ana')
    const eve = new Device('Eve')
    const h = new History()
    h.genesis(eve)
    const m = reduce(h.entries, ana)
    expect(m.genesis).toBeNull()
    expect(m.members.size).toBe(0)
  })

  it('Alice removes Eve while Eve removes Alice: the more senior one stays, whatever order the entries arrive in', () => {
    const ana = new Device('Ana')
    const alice = new Device('Alice')
    const eve = new Device('Eve')
    const h = new History()
    h.genesis(ana)
    h.invite(ana, alice)
    h.invite(ana, eve)
    h.role(ana, alice, 'moderator')
    h.role(ana, eve, 'moderator')
    const base = h.heads()
    h.remove(alice, eve, base)
    h.remove(eve, alice, base)
    for (const order of shuffles(h.entries, 12)) {
      const m = reduce(order, ana)
      expect(m.devices.get(eve.tag)?.removed?.by, 'Eve removed by Alice').toBe(alice.tag)
      expect(m.devices.get(alice.tag)?.removed, 'Alice stays').toBeNull()
    }
  })

  it('two founders demote each other: the one admitted first keeps the role, on every device', () => {
    const ana = new Device('Ana')
    const omar = new Device('Omar')
    const h = new History()
    h.genesis(ana)
    h.invite(ana, omar)
    h.role(ana, omar, 'founder')
    const base = h.heads()
    h.role(ana, omar, 'member', base)
    h.role(omar, ana, 'member', base)
    for (const order of shuffles(h.entries, 12)) {
      const m = reduce(order, ana)
      expect(m.members.get(ana.tag)?.role).toBe('founder')
      expect(m.members.get(omar.tag)?.role).toBe('member')
    }
  })

  it('what a removed member did after the remover’s cutoff is void: Eve’s concurrent invitation admits nobody', () => {
    const ana = new Device('Ana')
    const eve = new Device('Eve')
    const bob = new Device('Bob')
    const mallory = new Device('Mallory')
    const h = new History()
    h.genesis(ana)
    h.invite(ana, bob)
    h.invite(ana, eve)
    h.role(ana, eve, 'moderator')
    const base = h.heads()
    // Bob writes something that Ana sees before she removes Eve, so Eve's
    // concurrent entries (Eve is senior to Bob) come first in the order:
    // valid when taken, void once the removal is taken.
    const bobs = h.write(bob, { t: 'settings', membersMayInvite: true }, base)
    const removal = h.remove(ana, eve, [bobs])
    const id = crypto.getRandomValues(new Uint8Array(16))
    const invite = h.write(eve, { t: 'invite', id, pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as: 'member', ask: false }, base)
    const admit = h.write(eve, { t: 'admit', request: new Uint8Array(16), invite: id, device: { sign: mallory.sign, agree: mallory.agree }, name: 'Mallory' }, [invite])
    for (const order of shuffles(h.entries, 12)) {
      const m = reduce(order, ana)
      expect(m.devices.has(mallory.tag)).toBe(false)
      expect(m.verdicts.get(invite.hash)).toBe('void_after_removal')
      expect(m.verdicts.get(admit.hash)).not.toBe('ok')
      expect(m.verdicts.get(removal.hash)).toBe('ok')
    }
  })

  it('an invitation admits as many as its uses, not after it is revoked, and not after the key is rotated', () => {
    const ana = new Device('Ana')
    const [bob, carol, dan] = [new Device('Bob'), new Device('Carol'), new Device('Dan')]
    const h = new History()
    h.genesis(ana)
    const id = crypto.getRandomValues(new Uint8Array(16))
    h.write(ana, { t: 'invite', id, pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as: 'member', ask: false })
    const admit = (d: Device) => h.write(ana, { t: 'admit', request: crypto.getRandomValues(new Uint8Array(16)), invite: id, device: { sign: d.sign, agree: d.agree }, name: d.name })
    admit(bob)
    const second = admit(carol)
    let m = reduce(h.entries, ana)
    expect(m.devices.has(bob.tag)).toBe(true)
    expect(m.verdicts.get(second.hash)).toBe('invalid')
    const id2 = crypto.getRandomValues(new Uint8Array(16))
    h.write(ana, { t: 'invite', id: id2, pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 5, expiresAt: null, as: 'member', ask: false })
    h.write(ana, { t: 'rekey', rekey: { key: new Uint8Array(8).fill(2), parent: new Uint8Array(8).fill(1), to: [ana.tag, bob.tag] } })
    const late = h.write(ana, { t: 'admit', request: new Uint8Array(16), invite: id2, device: { sign: dan.sign, agree: dan.agree }, name: 'Dan' })
    m = reduce(h.entries, ana)
    expect(m.verdicts.get(late.hash)).toBe('invalid')
    expect(m.devices.has(dan.tag)).toBe(false)
  })

  it('only moderators may invite when the board says so; a member’s invitation is then refused', () => {
    const ana = new Device('Ana')
    const bob = new Device('Bob')
    const h = new History()
    h.genesis(ana)
    h.invite(ana, bob)
    h.write(ana, { t: 'settings', membersMayInvite: false })
    const attempt = h.write(bob, { t: 'invite', id: new Uint8Array(16).fill(3), pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as: 'member', ask: false })
    expect(reduce(h.entries, ana).verdicts.get(attempt.hash)).toBe('not_allowed')
  })

  it('a moderator may not remove a founder; a member may remove only their own devices', () => {
    const ana = new Device('Ana')
    const mod = new Device('Mo')
    const bob = new Device('Bob')
    const bobLaptop = new Device('Bob’s laptop')
    const h = new History()
    h.genesis(ana)
    h.invite(ana, mod)
    h.role(ana, mod, 'moderator')
    h.invite(ana, bob)
    h.invite(bob, bobLaptop, { as: 'device' })
    const coup = h.remove(mod, ana)
    const ownDevice = h.remove(bob, bobLaptop)
    const notOwn = h.remove(bob, mod)
    const m = reduce(h.entries, ana)
    expect(m.verdicts.get(coup.hash)).toBe('not_allowed')
    expect(m.verdicts.get(ownDevice.hash)).toBe('ok')
    expect(m.verdicts.get(notOwn.hash)).toBe('not_allowed')
    expect(m.members.get(bob.tag)?.devices).toEqual([bob.tag, bobLaptop.tag])
  })

  it('rights count from when the author saw them; a demotion counts from its cutoff', () => {
    const ana = new Device('Ana')
    const bob = new Device('Bob')
    const h = new History()
    h.genesis(ana)
    const admitted = h.invite(ana, bob)
    bob.seq = 5 // Bob has written up to 5
    const promotion = h.role(ana, bob, 'moderator')
    let m = reduce(h.entries, ana)
    expect(m.rightsAt(bob.tag, 6, [admitted.hash])).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
    expect(m.rightsAt(bob.tag, 6, [promotion.hash])).toEqual({ kind: 'ok', active: true, moderator: true, relay: false })
    bob.seq = 9
    h.role(ana, bob, 'member') // cutoff 9
    m = reduce(h.entries, ana)
    expect(m.rightsAt(bob.tag, 9, [promotion.hash])).toMatchObject({ moderator: true })
    expect(m.rightsAt(bob.tag, 10, [promotion.hash])).toMatchObject({ moderator: false })
    expect(m.rightsAt(bob.tag, 10, ['unknown-head'])).toEqual({ kind: 'wait' })
  })

  it('a removal counts from its cutoff; the removed device is then not active', () => {
    const ana = new Device('Ana')
    const eve = new Device('Eve')
    const h = new History()
    h.genesis(ana)
    const admitted = h.invite(ana, eve)
    eve.seq = 4
    h.remove(ana, eve)
    const m = reduce(h.entries, ana)
    expect(m.rightsAt(eve.tag, 4, [admitted.hash])).toMatchObject({ active: true })
    expect(m.rightsAt(eve.tag, 5, [admitted.hash])).toMatchObject({ active: false })
    expect(m.needsRekey).toBe(true)
  })

  it('a device whose Yjs client id equals a member’s is not admitted', () => {
    const ana = new Device('Ana')
    const h = new History()
    h.genesis(ana)
    const twin = new Device('Twin')
    ;(twin as { sign: Uint8Array }).sign = ana.sign
    const attempt = h.invite(ana, twin)
    expect(reduce(h.entries, ana).verdicts.get(attempt.hash)).toBe('invalid')
  })
})
