/**
 * What a device may do at a given entry, asked of the membership by every
 * content entry it judges: Alice founded the board, Bob is a member with a
 * phone and a laptop, Carol joins late, Eve is removed, a relay carries the
 * board, and a stranger was never admitted.
 */
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../src/crypto/index.ts'
import { reduceMembership } from '../../src/sealed/membership/reduce.ts'
import { Device, FIRST_KEY, History, reduce } from './membership-fixture.ts'

const NOTHING = { kind: 'ok', active: false, moderator: false, relay: false }

function board() {
  const [alice, bob, laptop, carol, eve, relay] = ['Alice', 'Bob', 'Bob’s laptop', 'Carol', 'Eve', 'Relay'].map((n) => new Device(n)) as [Device, Device, Device, Device, Device, Device]
  const h = new History()
  const genesis = h.genesis(alice)
  const bobIn = h.invite(alice, bob)
  const laptopIn = h.invite(bob, laptop, { as: 'device' })
  const relayIn = h.invite(alice, relay, { as: 'relay' })
  const eveIn = h.invite(alice, eve)
  return { h, alice, bob, laptop, carol, eve, relay, genesis, bobIn, laptopIn, relayIn, eveIn }
}

describe('rights at an entry', () => {
  it('an old entry from before membership (no heads) saw only the genesis: Alice, the founder, moderates; Bob, admitted later, had no rights yet', () => {
    const { h, alice, bob } = board()
    const m = reduce(h.entries, alice)
    expect(m.rightsAt(alice.tag, 1, null)).toEqual({ kind: 'ok', active: true, moderator: true, relay: false })
    expect(m.rightsAt(alice.tag, 1, [])).toEqual({ kind: 'ok', active: true, moderator: true, relay: false })
    expect(m.rightsAt(bob.tag, 1, null)).toEqual(NOTHING)
  })

  it('a member listed in the genesis had the rights of a member from the start, even in an entry that saw nothing', () => {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const h = new History()
    h.write(alice, { t: 'genesis', nonce: new Uint8Array(16), name: 'Alice', agree: alice.agree, key: FIRST_KEY, members: [{ sign: bob.sign, agree: bob.agree, name: 'Bob' }], membersMayInvite: true }, [])
    const m = reduce(h.entries, alice)
    expect(m.rightsAt(bob.tag, 1, null)).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
  })

  it('Bob’s entry that had not seen his own admission has no rights; a stranger has none; the relay is marked a relay', () => {
    const { h, alice, bob, relay, genesis, bobIn, relayIn } = board()
    const stranger = new Device('Stranger')
    const m = reduce(h.entries, alice)
    expect(m.rightsAt(bob.tag, 1, [genesis.hash])).toEqual(NOTHING)
    expect(m.rightsAt(bob.tag, 1, [bobIn.hash])).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
    expect(m.rightsAt(stranger.tag, 1, [bobIn.hash])).toEqual(NOTHING)
    expect(m.rightsAt(stranger.tag, 1, null)).toEqual(NOTHING)
    expect(m.rightsAt(relay.tag, 1, [relayIn.hash])).toEqual({ kind: 'ok', active: true, moderator: false, relay: true })
  })

  it('Bob is demoted from moderator: he stays active, only his moderation ends, from his cutoff on', () => {
    const { h, alice, bob } = board()
    h.role(alice, bob, 'moderator')
    bob.seq = 3
    const demotion = h.role(alice, bob, 'member')
    const m = reduce(h.entries, alice)
    expect(m.rightsAt(bob.tag, 3, [demotion.hash])).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
    expect(m.rightsAt(bob.tag, 4, [demotion.hash])).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
  })

  it('a demotion that named only Bob’s phone ends the moderation of his laptop once seen, not from a cutoff', () => {
    const { h, alice, bob, laptop } = board()
    const promotion = h.role(alice, bob, 'moderator')
    const demotion = h.write(alice, { t: 'role', member: bob.tag, role: 'member', cutoffs: [{ device: bob.tag, seq: bob.seq }] })
    const m = reduce(h.entries, alice)
    expect(m.rightsAt(laptop.tag, 50, [promotion.hash])).toMatchObject({ active: true, moderator: true })
    expect(m.rightsAt(laptop.tag, 50, [demotion.hash])).toMatchObject({ active: true, moderator: false })
    expect(m.rightsAt(bob.tag, bob.seq + 1, [promotion.hash])).toMatchObject({ active: true, moderator: false })
  })

  it('Bob, made a member again, admits a phone after his cutoff, naming the heads he had as a moderator: neither it nor a device it admits moderates, whatever heads they name', () => {
    const { h, alice, bob, laptop } = board()
    h.role(alice, bob, 'moderator')
    const before = h.heads()
    h.role(alice, bob, 'member')
    // What Bob signs after hearing of his demotion, backdated: an invitation for a device of his own and its use.
    const phone = new Device('Bob’s phone')
    const tablet = new Device('Bob’s tablet')
    const id = crypto.getRandomValues(new Uint8Array(16))
    const invite = h.write(bob, { t: 'invite', id, pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as: 'device', ask: false }, before)
    const phoneIn = h.write(bob, { t: 'admit', request: crypto.getRandomValues(new Uint8Array(16)), invite: id, device: { sign: phone.sign, agree: phone.agree }, name: phone.name }, [invite])
    const tabletIn = h.invite(phone, tablet, { as: 'device' })
    const m = reduce(h.entries, alice)
    expect([m.verdicts.get(invite.hash), m.verdicts.get(phoneIn.hash), m.verdicts.get(tabletIn.hash)]).toEqual(['ok', 'ok', 'ok'])
    expect(m.members.get(bob.tag)!.devices).toContain(phone.tag)
    for (const seq of [1, 50, 10_000]) {
      expect(m.rightsAt(phone.tag, seq, [phoneIn.hash]), `phone, entry ${seq}`).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
      expect(m.rightsAt(tablet.tag, seq, [tabletIn.hash]), `tablet, entry ${seq}`).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
    }
    // Bob's laptop, admitted before his cutoff (Alice knew it, and would have listed it): as before, until it has seen the demotion.
    expect(m.rightsAt(laptop.tag, 50, before.map((e) => e.hash))).toMatchObject({ active: true, moderator: true })
  })

  it('Bob removes his lost phone, which had admitted his laptop: the laptop stays in, whatever it has seen', () => {
    const { h, alice, bob } = board()
    const laptop = new Device('Bob’s new laptop')
    const laptopIn = h.invite(bob, laptop, { as: 'device' })
    const removal = h.write(laptop, { t: 'remove', cutoffs: [{ device: bob.tag, seq: bob.seq }], rekey: null })
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(removal.hash)).toBe('ok')
    expect(m.rightsAt(laptop.tag, 2, [removal.hash])).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
    expect(m.rightsAt(laptop.tag, 2, [laptopIn.hash])).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
    expect(m.rightsAt(bob.tag, bob.seq + 1, [removal.hash])).toMatchObject({ active: false })
  })

  it('Eve and Bob’s laptop are removed together, with different cutoffs: each device counts from its own', () => {
    const { h, alice, eve, laptop, eveIn } = board()
    const removal = h.write(alice, { t: 'remove', cutoffs: [{ device: eve.tag, seq: 7 }, { device: laptop.tag, seq: 2 }], rekey: null })
    const m = reduce(h.entries, alice)
    expect(m.verdicts.get(removal.hash)).toBe('ok')
    expect(m.rightsAt(eve.tag, 7, [eveIn.hash])).toMatchObject({ active: true })
    expect(m.rightsAt(eve.tag, 8, [eveIn.hash])).toMatchObject({ active: false })
    expect(m.rightsAt(laptop.tag, 2, [eveIn.hash])).toMatchObject({ active: true })
    expect(m.rightsAt(laptop.tag, 3, [eveIn.hash])).toMatchObject({ active: false })
    // Once the removal is seen, even an entry numbered before the cutoff counts for nothing.
    expect(m.rightsAt(eve.tag, 1, [removal.hash])).toMatchObject({ active: false })
  })
})

describe('what the Members screen asks', () => {
  it('a stranger has no role; a board with no genesis yet has no key, so needs no new one', () => {
    const { h, alice } = board()
    const stranger = new Device('Stranger')
    expect(reduce(h.entries, alice).roleOf(stranger.tag)).toBeNull()
    const empty = reduceMembership({ entries: [], isFounderGenesis: () => false })
    expect(empty.needsRekey).toBe(false)
    expect(empty.current).toBeNull()
  })

  it('a rotation sent to Carol, who is not admitted yet, still leaves no removed device holding the key', () => {
    const { h, alice, carol } = board()
    h.write(alice, { t: 'rekey', rekey: { key: new Uint8Array(8).fill(2), parent: FIRST_KEY, to: [...h.circle(), carol.tag] } })
    const m = reduce(h.entries, alice)
    expect(m.current?.key).toBe(toBase64url(new Uint8Array(8).fill(2)))
    expect(m.needsRekey).toBe(false)
  })
})
