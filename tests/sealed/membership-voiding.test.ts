/**
 * What a removal or a demotion takes back: everything the device signed
 * after its cutoff (a removal), or only what needed the rights it lost (a
 * demotion), wherever it landed in the order. Alice founded the board, Bob
 * moderates until she demotes him, Carol and Dan are members, Eve's device
 * equivocated.
 */
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../src/crypto/index.ts'
import { Circle } from '../../src/sealed/circle.ts'
import { extendMembership, reduceMembership } from '../../src/sealed/membership/reduce.ts'
import type { ControlEntry } from '../../src/sealed/membership/state.ts'
import { Device, FIRST_KEY, History, reduce, shuffles } from './membership-fixture.ts'

const inviteOp = (as: 'member' | 'device' | 'relay', id = crypto.getRandomValues(new Uint8Array(16))) =>
  ({ t: 'invite', id, pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as, ask: false }) as const
const admitOp = (d: Device, invite: Uint8Array) => ({ t: 'admit', request: crypto.getRandomValues(new Uint8Array(16)), invite, device: { sign: d.sign, agree: d.agree }, name: d.name }) as const
const idOf = (e: ControlEntry) => (e.op as { id: Uint8Array }).id
const key = (n: number) => new Uint8Array(8).fill(n)

describe('a removal voids what the device signed after its cutoff', () => {
  it('Alice removes Bob counting his changes up to his first: the first stands, the second, which she had received, is void', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, bob)
    const first = h.write(bob, { t: 'refuse', request: new Uint8Array(16).fill(1) })
    const second = h.write(bob, { t: 'refuse', request: new Uint8Array(16).fill(2) })
    const removal = h.write(alice, { t: 'remove', cutoffs: [{ device: bob.tag, seq: first.seq }], rekey: null })
    for (const order of [h.entries, ...shuffles(h.entries, 4)]) {
      const m = reduce(order, alice)
      expect(m.verdicts.get(removal.hash)).toBe('ok')
      expect(m.verdicts.get(first.hash)).toBe('ok')
      expect(m.verdicts.get(second.hash)).toBe('void_after_removal')
      expect([...m.refused]).toEqual([toBase64url(new Uint8Array(16).fill(1))])
      expect(m.firstRound).toBe(false)
    }
  })

  it('Alice removes Bob’s phone and laptop at once with a cutoff each: the laptop’s change after its own cutoff is void, the phone’s before its own stands', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const laptop = new Device('Bob’s laptop')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, bob)
    h.invite(bob, laptop, { as: 'device' })
    const fromLaptop = h.write(laptop, { t: 'refuse', request: new Uint8Array(16).fill(1) })
    const fromPhone = h.write(bob, { t: 'refuse', request: new Uint8Array(16).fill(2) })
    h.write(alice, { t: 'remove', cutoffs: [{ device: bob.tag, seq: fromPhone.seq }, { device: laptop.tag, seq: 0 }], rekey: null })
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(fromPhone.hash)).toBe('ok')
    expect(m.verdicts.get(fromLaptop.hash)).toBe('void_after_removal')
  })

  it('a removal that rotates the key: the rotation takes effect with it', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const eve = new Device('Eve')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, bob)
    h.invite(alice, eve)
    const removal = h.write(alice, { t: 'remove', cutoffs: [{ device: eve.tag, seq: 0 }], rekey: { key: key(2), parent: FIRST_KEY, to: [alice.tag, bob.tag] } })
    const m = reduce(h.entries, alice)
    expect(m.current).toMatchObject({ key: toBase64url(key(2)), hash: removal.hash, by: alice.tag, effective: true })
    expect(m.needsRekey).toBe(false)
  })

  it('Eve’s device equivocated: its changes from the one in dispute on are void from the start', () => {
    const alice = new Device('Alice')
    const eve = new Device('Eve')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, eve)
    const fine = h.write(eve, { t: 'refuse', request: new Uint8Array(16).fill(1) })
    const disputed = h.write(eve, { t: 'refuse', request: new Uint8Array(16).fill(2) })
    const m = reduceMembership({ entries: h.entries, isFounderGenesis: (e) => e.author === alice.tag, excluded: (e) => e.author === eve.tag && e.seq >= disputed.seq })
    expect(m.verdicts.get(fine.hash)).toBe('ok')
    expect(m.verdicts.get(disputed.hash)).toBe('void_after_removal')
    expect(m.refused.size).toBe(1)
    expect(m.firstRound).toBe(true)
  })
})

describe('nothing voids the genesis', () => {
  it('Omar, made a founder, removes Alice, or demotes her, with a cutoff below her genesis: the board keeps its genesis and Alice stays its founder', () => {
    for (const take of ['remove', 'demote'] as const) {
      const alice = new Device('Alice')
      const omar = new Device('Omar')
      const h = new History()
      const genesis = h.genesis(alice)
      h.invite(alice, omar)
      h.role(alice, omar, 'founder')
      const cutoffs = [{ device: alice.tag, seq: 0 }]
      h.write(omar, take === 'remove' ? { t: 'remove', cutoffs, rekey: null } : { t: 'role', member: alice.tag, role: 'moderator', cutoffs })
      const m = reduce(h.entries, alice)
      expect(m.verdicts.get(genesis.hash), take).toBe('ok')
      expect(m.genesis?.hash, take).toBe(genesis.hash)
      expect(m.roleOf(alice.tag), take).toBe('founder')
      expect(m.isActive(alice.tag), take).toBe(true)
    }
  })
})

describe('a demotion voids only what needed the rights lost', () => {
  /** Alice, Bob (a moderator), Carol and Dan; Alice's invitation waits unused; the first key is still in use. */
  function circle() {
    const [alice, bob, carol, dan, laptop, frank, gil, old] = ['Alice', 'Bob', 'Carol', 'Dan', 'Bob’s laptop', 'Frank', 'Gil', 'Old'].map((n) => new Device(n)) as [Device, Device, Device, Device, Device, Device, Device, Device]
    const h = new History()
    h.genesis(alice)
    h.invite(alice, bob)
    h.invite(alice, carol)
    h.invite(alice, dan)
    h.role(alice, bob, 'moderator')
    const alicesInvite = h.write(alice, inviteOp('member'))
    const alicesOther = h.write(alice, inviteOp('member'))
    return { h, alice, bob, carol, dan, laptop, frank, gil, old, alicesInvite, alicesOther }
  }

  it('Bob, demoted to member after Alice had received his later changes: what a member may do stands, what needed a moderator is void', () => {
    const { h, alice, bob, dan, laptop, frank, old, alicesInvite, alicesOther } = circle()
    const cutoff = bob.seq
    const deviceInvite = h.write(bob, inviteOp('device'))
    const ownAdmission = h.write(bob, admitOp(laptop, idOf(deviceInvite)))
    const memberInvite = h.write(bob, inviteOp('member'))
    const refusal = h.write(bob, { t: 'refuse', request: new Uint8Array(16).fill(5) })
    const ownRevocation = h.write(bob, { t: 'revoke', id: idOf(memberInvite) })
    const ownRemoval = h.remove(bob, laptop)
    const othersRevocation = h.write(bob, { t: 'revoke', id: idOf(alicesInvite) })
    const othersAdmission = h.write(bob, admitOp(frank, idOf(alicesOther)))
    const oldAdmission = h.write(bob, admitOp(old, new Uint8Array(16)))
    const relayInvite = h.write(bob, inviteOp('relay'))
    const danRemoved = h.remove(bob, dan)
    const settings = h.write(bob, { t: 'settings', membersMayInvite: false })
    const rotation = h.write(bob, { t: 'rekey', rekey: { key: key(2), parent: FIRST_KEY, to: h.circle() } })
    const demotion = h.write(alice, { t: 'role', member: bob.tag, role: 'member', cutoffs: [{ device: bob.tag, seq: cutoff }] })
    const member = [deviceInvite, ownAdmission, memberInvite, refusal, ownRevocation, ownRemoval]
    const moderator = [othersRevocation, othersAdmission, oldAdmission, relayInvite, danRemoved, settings, rotation]
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(demotion.hash)).toBe('ok')
    for (const e of member) expect(m.verdicts.get(e.hash), e.op.t).toBe('ok')
    for (const e of moderator) expect(m.verdicts.get(e.hash), e.op.t).toBe('void_after_removal')
    expect(member.map((e) => m.needed.get(e.hash))).toEqual(['device', 'device', 'member', 'member', 'device', 'device'])
    expect(m.needed.get(demotion.hash)).toBe('founder')
    expect(m.isActive(dan.tag)).toBe(true)
    expect(m.devices.has(frank.tag)).toBe(false)
    expect(m.devices.has(old.tag)).toBe(false)
    expect(m.invites.get(toBase64url(idOf(alicesInvite)))?.revoked).toBe(false)
    expect(m.membersMayInvite).toBe(true)
    expect(m.current?.key).toBe(toBase64url(FIRST_KEY))
  })

  it('before his demotion Bob’s moderator changes were valid, and would still be: every one of them needed a moderator', () => {
    const { h, alice, bob, dan, frank, old, alicesInvite, alicesOther } = circle()
    const moderator = [
      h.write(bob, { t: 'revoke', id: idOf(alicesInvite) }),
      h.write(bob, admitOp(frank, idOf(alicesOther))),
      h.write(bob, admitOp(old, new Uint8Array(16))),
      h.write(bob, inviteOp('relay')),
      h.remove(bob, dan),
      h.write(bob, { t: 'settings', membersMayInvite: false }),
      h.write(bob, inviteOp('member')),
    ]
    const m = reduce(h.entries, alice)
    expect(moderator.map((e) => [m.verdicts.get(e.hash), m.needed.get(e.hash)])).toEqual(moderator.map(() => ['ok', 'moderator']))
  })

  it('when only moderators may invite, Bob’s invitation of a new member after his cutoff is void; of his own second device it is not', () => {
    const { h, alice, bob } = circle()
    h.write(alice, { t: 'settings', membersMayInvite: false })
    const cutoff = bob.seq
    const memberInvite = h.write(bob, inviteOp('member'))
    const deviceInvite = h.write(bob, inviteOp('device'))
    h.write(alice, { t: 'role', member: bob.tag, role: 'member', cutoffs: [{ device: bob.tag, seq: cutoff }] })
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(memberInvite.hash)).toBe('void_after_removal')
    expect(m.verdicts.get(deviceInvite.hash)).toBe('ok')
  })

  it('Bob, demoted, admits a phone of his with parents from before: its removal of Dan, ordered before the demotion, is void', () => {
    const { h, alice, bob, carol, dan } = circle()
    const before = h.heads()
    // Carol's change, which Alice had seen and Bob's backdated entries do not name: the demotion comes after it in the
    // order, and Bob's entries, a moderator's, before it.
    const carols = h.write(carol, inviteOp('device'), before)
    const demotion = h.write(alice, { t: 'role', member: bob.tag, role: 'member', cutoffs: [{ device: bob.tag, seq: bob.seq }] }, [carols])
    const phone = new Device('Bob’s phone')
    const invite = h.write(bob, inviteOp('device'), before)
    const phoneIn = h.write(bob, admitOp(phone, idOf(invite)), [invite])
    const removal = h.write(phone, { t: 'remove', cutoffs: [{ device: dan.tag, seq: dan.seq }], rekey: null }, [phoneIn])
    const m = reduce(h.entries, alice)
    expect([m.verdicts.get(demotion.hash), m.verdicts.get(invite.hash), m.verdicts.get(phoneIn.hash)]).toEqual(['ok', 'ok', 'ok'])
    // Until December 2026 it stood ('ok'): the phone was not among the demotion's cutoffs.
    expect(m.verdicts.get(removal.hash)).toBe('void_after_removal')
    expect(m.devices.get(dan.tag)!.removed).toBeNull()
  })

  it('Omar, a founder demoted to moderator: his later role change is void, his later settings change stands', () => {
    const { h, alice, carol } = circle()
    const omar = new Device('Omar')
    h.invite(alice, omar)
    h.role(alice, omar, 'founder')
    const cutoff = omar.seq
    const promotion = h.role(omar, carol, 'moderator')
    const settings = h.write(omar, { t: 'settings', membersMayInvite: false })
    h.write(alice, { t: 'role', member: omar.tag, role: 'moderator', cutoffs: [{ device: omar.tag, seq: cutoff }] })
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(promotion.hash)).toBe('void_after_removal')
    expect(m.verdicts.get(settings.hash)).toBe('ok')
    expect(m.roleOf(carol.tag)).toBe('member')
    expect(m.roleOf(omar.tag)).toBe('moderator')
  })

  it('Alice and Omar both demote Bob, a founder: Alice’s demotion is taken first, and Omar’s, which had seen less of Bob, takes nothing more', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const omar = new Device('Omar')
    const carol = new Device('Carol')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, bob)
    h.invite(alice, omar)
    h.invite(alice, carol)
    h.role(alice, bob, 'founder')
    h.role(alice, omar, 'founder')
    const omarSaw = h.heads()
    const bobsChange = h.role(bob, carol, 'moderator')
    h.write(omar, { t: 'role', member: bob.tag, role: 'moderator', cutoffs: [{ device: bob.tag, seq: bobsChange.seq - 1 }] }, omarSaw)
    h.write(alice, { t: 'role', member: bob.tag, role: 'moderator', cutoffs: [{ device: bob.tag, seq: bobsChange.seq }] }, [bobsChange])
    for (const order of [h.entries, ...shuffles(h.entries, 6)]) {
      const m = reduce(order, alice)
      expect(m.verdicts.get(bobsChange.hash)).toBe('ok')
      expect(m.roleOf(carol.tag)).toBe('moderator')
      expect(m.roleOf(bob.tag)).toBe('moderator')
    }
  })

  it('a promotion takes nothing back: Bob, made moderator then founder, changes Carol’s role and it stands', () => {
    const { h, alice, bob, carol } = circle()
    h.role(alice, bob, 'founder')
    const change = h.role(bob, carol, 'moderator')
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(change.hash)).toBe('ok')
    expect(m.decreases.has(bob.tag)).toBe(false)
    expect(m.firstRound).toBe(true)
  })

  it('Bob’s laptop was removed before Bob was demoted: the laptop stays removed from its cutoff, the demotion adds to it', () => {
    const { h, alice, bob, laptop } = circle()
    const invitation = h.write(bob, inviteOp('device'))
    const admission = h.write(bob, admitOp(laptop, idOf(invitation)))
    const removal = h.write(alice, { t: 'remove', cutoffs: [{ device: laptop.tag, seq: 0 }], rekey: null })
    const demotion = h.role(alice, bob, 'member')
    const m = reduce(h.entries, alice)
    expect(m.decreases.get(laptop.tag)?.map((d) => d.hash)).toEqual([removal.hash, demotion.hash])
    expect(m.rightsAt(laptop.tag, 1, [admission.hash])).toMatchObject({ active: false })
  })
})

describe('who may take rights away', () => {
  it('Alice may promote Bob while one of his devices is left; not Eve, whose every device is removed', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const laptop = new Device('Bob’s laptop')
    const eve = new Device('Eve')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, bob)
    h.invite(bob, laptop, { as: 'device' })
    h.invite(alice, eve)
    h.remove(alice, laptop)
    h.remove(alice, eve)
    const bobs = h.role(alice, bob, 'moderator')
    const eves = h.role(alice, eve, 'moderator')
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(bobs.hash)).toBe('ok')
    expect(m.verdicts.get(eves.hash)).toBe('invalid')
  })

  it('Bob, a member, may not remove Dan, another member; Mo, a moderator, may remove Dan and the relay', () => {
    const [alice, mo, bob, dan, relay] = ['Alice', 'Mo', 'Bob', 'Dan', 'Relay'].map((n) => new Device(n)) as [Device, Device, Device, Device, Device]
    const h = new History()
    h.genesis(alice)
    h.invite(alice, mo)
    h.role(alice, mo, 'moderator')
    h.invite(alice, bob)
    h.invite(alice, dan)
    h.invite(alice, relay, { as: 'relay' })
    const bobs = h.remove(bob, dan)
    const mos = h.remove(mo, dan)
    const relayRemoved = h.remove(mo, relay)
    const m = reduce(h.entries, alice)
    expect([bobs, mos, relayRemoved].map((e) => m.verdicts.get(e.hash))).toEqual(['not_allowed', 'ok', 'ok'])
    expect([m.needed.get(mos.hash), m.needed.get(relayRemoved.hash)]).toEqual(['moderator', 'moderator'])
    expect(m.isActive(relay.tag)).toBe(false)
  })
})

describe('the membership grown in place', () => {
  it('a change with no effect, or a removal that voids nothing, keeps the membership object a circle holds', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const laptop = new Device('Bob’s laptop')
    const h = new History()
    const circle = new Circle({ founder: null, isFounderGenesis: (e) => e.author === alice.tag })
    circle.addControl(h.genesis(alice))
    h.invite(alice, bob)
    h.invite(bob, laptop, { as: 'device' })
    for (const e of h.entries.slice(1)) circle.addControl(e)
    const m = circle.membership()
    const refused = h.write(bob, { t: 'settings', membersMayInvite: false })
    circle.addControl(refused)
    expect(circle.membership()).toBe(m)
    expect(m.verdicts.get(refused.hash)).toBe('not_allowed')
    circle.addControl(h.remove(bob, laptop))
    expect(circle.membership()).toBe(m)
    expect(m.isActive(laptop.tag)).toBe(false)
    expect(m.firstRound).toBe(true)
  })

  it('Alice demotes Bob with a cutoff before the settings change of his she had received: the circle voids it, as a full reduce does', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, bob)
    h.role(alice, bob, 'moderator')
    const cutoff = bob.seq
    const settings = h.write(bob, { t: 'settings', membersMayInvite: false })
    h.write(alice, { t: 'role', member: bob.tag, role: 'member', cutoffs: [{ device: bob.tag, seq: cutoff }] })
    const circle = new Circle({ founder: null, isFounderGenesis: (e) => e.author === alice.tag })
    // Read after each change, as the board does, so that each following change is grown in place.
    for (const e of h.entries) {
      circle.addControl(e)
      circle.membership()
    }
    expect(circle.membership().verdicts.get(settings.hash)).toBe('void_after_removal')
    expect(circle.membership().membersMayInvite).toBe(true)
  })

  it('grown without an equivocation check (none is given): the same as a full reduce', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const h = new History()
    const genesis = h.genesis(alice)
    h.invite(alice, bob)
    const input = { entries: [genesis], isFounderGenesis: (e: ControlEntry) => e.author === alice.tag }
    const m = reduceMembership(input)
    for (const e of h.entries.slice(1)) expect(extendMembership(m, e, input)).toBe(true)
    expect(m.members.get(bob.tag)?.role).toBe('member')
  })
})
