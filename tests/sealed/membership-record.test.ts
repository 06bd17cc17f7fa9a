/**
 * What the membership records of each change, for the Members screen and its
 * history: who came in and how, who was invited, refused, removed, promoted,
 * and which key is in use. Alice founded the board; Bob joined before
 * membership existed and is listed in the genesis; Carol joins late.
 */
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../src/crypto/index.ts'
import type { ControlEntry } from '../../src/sealed/membership/state.ts'
import { Device, FIRST_KEY, History, reduce } from './membership-fixture.ts'

const inviteOp = (as: 'member' | 'device' | 'relay', id = crypto.getRandomValues(new Uint8Array(16))) =>
  ({ t: 'invite', id, pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as, ask: false }) as const
const admitOp = (d: Device, invite: Uint8Array, request = crypto.getRandomValues(new Uint8Array(16))) => ({ t: 'admit', request, invite, device: { sign: d.sign, agree: d.agree }, name: d.name }) as const
const idOf = (e: ControlEntry) => toBase64url((e.op as { id: Uint8Array }).id)

describe('the genesis', () => {
  it('lists the members of a board from before membership once each, never the founder again', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const h = new History()
    const genesis = h.write(
      alice,
      {
        t: 'genesis',
        nonce: new Uint8Array(16),
        name: 'Alice',
        agree: alice.agree,
        key: FIRST_KEY,
        members: [
          { sign: bob.sign, agree: bob.agree, name: 'Bob' },
          { sign: bob.sign, agree: bob.agree, name: 'Bob again' },
          { sign: alice.sign, agree: alice.agree, name: 'Alice as a member' },
        ],
        membersMayInvite: false,
      },
      [],
    )
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(genesis.hash)).toBe('ok')
    expect(m.position.get(genesis.hash)).toBe(0)
    expect([...m.members.values()]).toEqual([
      { id: alice.tag, role: 'founder', name: 'Alice', devices: [alice.tag], index: 0, admittedBy: null, invitedBy: null },
      { id: bob.tag, role: 'member', name: 'Bob', devices: [bob.tag], index: 1, admittedBy: alice.tag, invitedBy: null },
    ])
    expect(m.devices.get(alice.tag)).toMatchObject({ as: 'founder', member: alice.tag, admission: genesis.hash, removed: null })
    expect(m.devices.get(bob.tag)).toMatchObject({ as: 'listed', member: bob.tag, admission: genesis.hash, removed: null })
    expect(m.membersMayInvite).toBe(false)
    expect(m.current).toEqual({ key: toBase64url(FIRST_KEY), parent: null, hash: genesis.hash, by: alice.tag, recipients: new Set([alice.tag, bob.tag]), effective: true })
    expect(m.history).toEqual([{ kind: 'founded', hash: genesis.hash, by: alice.tag }])
    expect(m.needed.get(genesis.hash)).toBe('founder')
  })
})

describe('the history every member sees', () => {
  it('Alice invites and admits Carol, Bob’s laptop and a relay, Bob refuses a request, revokes, is promoted, and Alice removes, rotates and changes a setting: each is recorded as done', () => {
    const [alice, bob, carol, laptop, relay] = ['Alice', 'Bob', 'Carol', 'Bob’s laptop', 'Relay'].map((n) => new Device(n)) as [Device, Device, Device, Device, Device]
    const h = new History()
    const genesis = h.genesis(alice)
    const bobsInvite = h.write(alice, inviteOp('member'))
    const bobIn = h.write(alice, admitOp(bob, (bobsInvite.op as { id: Uint8Array }).id, new Uint8Array(16).fill(1)))
    const carolsInvite = h.write(alice, inviteOp('member'))
    const carolIn = h.write(alice, admitOp(carol, (carolsInvite.op as { id: Uint8Array }).id, new Uint8Array(16).fill(2)))
    const laptopsInvite = h.write(bob, inviteOp('device'))
    const laptopIn = h.write(bob, admitOp(laptop, (laptopsInvite.op as { id: Uint8Array }).id, new Uint8Array(16).fill(3)))
    const relaysInvite = h.write(alice, inviteOp('relay'))
    const relayIn = h.write(alice, admitOp(relay, (relaysInvite.op as { id: Uint8Array }).id, new Uint8Array(16).fill(4)))
    const refusal = h.write(bob, { t: 'refuse', request: new Uint8Array(16).fill(5) })
    const spare = h.write(bob, inviteOp('member'))
    const revocation = h.write(bob, { t: 'revoke', id: (spare.op as { id: Uint8Array }).id })
    const promotion = h.role(alice, bob, 'moderator')
    const removal = h.write(alice, { t: 'remove', cutoffs: [{ device: laptop.tag, seq: laptop.seq }, { device: relay.tag, seq: relay.seq }], rekey: null })
    const rotation = h.write(alice, { t: 'rekey', rekey: { key: new Uint8Array(8).fill(2), parent: FIRST_KEY, to: [alice.tag, bob.tag, carol.tag] } })
    const settings = h.write(bob, { t: 'settings', membersMayInvite: false })
    const m = reduce(h.entries, alice)
    expect(m.history).toEqual([
      { kind: 'founded', hash: genesis.hash, by: alice.tag },
      { kind: 'invited', hash: bobsInvite.hash, by: alice.tag, invite: idOf(bobsInvite) },
      { kind: 'admitted', hash: bobIn.hash, by: alice.tag, device: bob.tag, as: 'member' },
      { kind: 'invited', hash: carolsInvite.hash, by: alice.tag, invite: idOf(carolsInvite) },
      { kind: 'admitted', hash: carolIn.hash, by: alice.tag, device: carol.tag, as: 'member' },
      { kind: 'invited', hash: laptopsInvite.hash, by: bob.tag, invite: idOf(laptopsInvite) },
      { kind: 'admitted', hash: laptopIn.hash, by: bob.tag, device: laptop.tag, as: 'device' },
      { kind: 'invited', hash: relaysInvite.hash, by: alice.tag, invite: idOf(relaysInvite) },
      { kind: 'admitted', hash: relayIn.hash, by: alice.tag, device: relay.tag, as: 'relay' },
      { kind: 'refused', hash: refusal.hash, by: bob.tag, request: toBase64url(new Uint8Array(16).fill(5)) },
      { kind: 'invited', hash: spare.hash, by: bob.tag, invite: idOf(spare) },
      { kind: 'revoked', hash: revocation.hash, by: bob.tag, invite: idOf(spare) },
      { kind: 'role', hash: promotion.hash, by: alice.tag, member: bob.tag, role: 'moderator' },
      { kind: 'removed', hash: removal.hash, by: alice.tag, devices: [laptop.tag, relay.tag] },
      { kind: 'rekeyed', hash: rotation.hash, by: alice.tag },
      { kind: 'settings', hash: settings.hash, by: bob.tag, membersMayInvite: false },
    ])
    expect(m.devices.get(carol.tag)).toMatchObject({ as: 'member', member: carol.tag, admittedBy: alice.tag, invitedBy: alice.tag })
    expect(m.devices.get(laptop.tag)).toMatchObject({ as: 'device', member: bob.tag, removed: { cutoff: 0, by: alice.tag, hash: removal.hash } })
    expect(m.devices.get(relay.tag)).toMatchObject({ as: 'relay', member: null })
    expect([...m.admitted]).toEqual([1, 2, 3, 4].map((n, i) => [toBase64url(new Uint8Array(16).fill(n)), [bob, carol, laptop, relay][i]!.tag]))
    expect(m.invites.get(idOf(spare))).toMatchObject({ revoked: true, used: 0, createdBy: bob.tag })
    expect(m.invites.get(idOf(carolsInvite))).toMatchObject({ revoked: false, used: 1, epoch: toBase64url(FIRST_KEY) })
  })

  it('a device that joined with an invitation from before membership is recorded as a member, admitted by the moderator, invited by nobody', () => {
    const alice = new Device('Alice')
    const old = new Device('Old')
    const h = new History()
    h.genesis(alice)
    const admission = h.write(alice, admitOp(old, new Uint8Array(16)))
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(admission.hash)).toBe('ok')
    expect(m.devices.get(old.tag)).toMatchObject({ as: 'member', member: old.tag, admittedBy: alice.tag, invitedBy: null })
    expect(m.history.at(-1)).toEqual({ kind: 'admitted', hash: admission.hash, by: alice.tag, device: old.tag, as: 'member' })
  })
})

describe('invitations', () => {
  it('Bob revokes his invitation: Carol can no longer be admitted with it', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const carol = new Device('Carol')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, bob)
    const invitation = h.write(bob, inviteOp('member'))
    h.write(bob, { t: 'revoke', id: (invitation.op as { id: Uint8Array }).id })
    const admission = h.write(bob, admitOp(carol, (invitation.op as { id: Uint8Array }).id))
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(admission.hash)).toBe('invalid')
    expect(m.devices.has(carol.tag)).toBe(false)
  })

  it('Mo, a moderator, may admit Carol with Alice’s invitation; Bob, a member, may not', () => {
    const [alice, mo, bob, carol, dan] = ['Alice', 'Mo', 'Bob', 'Carol', 'Dan'].map((n) => new Device(n)) as [Device, Device, Device, Device, Device]
    const h = new History()
    h.genesis(alice)
    h.invite(alice, mo)
    h.role(alice, mo, 'moderator')
    h.invite(alice, bob)
    const alices = h.write(alice, inviteOp('member'))
    const another = h.write(alice, inviteOp('member'))
    const bobs = h.write(bob, admitOp(dan, (another.op as { id: Uint8Array }).id))
    const mos = h.write(mo, admitOp(carol, (alices.op as { id: Uint8Array }).id))
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(bobs.hash)).toBe('not_allowed')
    expect(m.verdicts.get(mos.hash)).toBe('ok')
    expect(m.devices.get(carol.tag)).toMatchObject({ as: 'member', admittedBy: mo.tag, invitedBy: alice.tag })
  })

  it('when only moderators may invite, Bob may still invite his own second device', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, bob)
    h.write(alice, { t: 'settings', membersMayInvite: false })
    const deviceInvite = h.write(bob, inviteOp('device'))
    expect(reduce(h.entries, alice).verdicts.get(deviceInvite.hash)).toBe('ok')
  })
})
