import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { boundClientId, fingerprint, legacyBoundClientId, toBase64url } from '../../src/crypto/index.ts'
import { Circle, type RequestInfo } from '../../src/sealed/circle.ts'
import { ZERO_INVITE } from '../../src/sealed/membership/reduce.ts'
import type { JoinPayload } from '../../src/sealed/profile.ts'
import { circle, exchange } from './fixture.ts'
import { Device, History } from './membership-fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()

describe('a circle with membership', () => {
  it('Ana founds the board; Bob asks with an invitation, Ana’s device lets him in; Bob reads and posts', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    createItem(ana.board.readable, notice('Welcome'), Date.now(), newItemId(ana.board.myTag))
    await ana.board.flush()
    const bob = await c.admit('Bob')
    expect(titles(bob.board.readable)).toEqual(['Welcome'])
    createItem(bob.board.readable, notice('Hello from Bob'), Date.now(), newItemId(bob.board.myTag))
    await bob.board.flush()
    await exchange(ana, bob)
    expect(titles(ana.board.readable)).toEqual(['Hello from Bob', 'Welcome'])
    const members = ana.board.members()
    expect(members.map((m) => [m.name, m.role])).toEqual([
      ['Ana', 'founder'],
      ['Bob', 'member'],
    ])
    expect(members[1]).toMatchObject({ admittedBy: ana.board.myTag, invitedBy: ana.board.myTag })
    expect(ana.board.diagnostics.total + bob.board.diagnostics.total).toBe(0)
  })
})

/**
 * The circle on its own (circle.ts), as the Members screen and the judge
 * read it: profiles and control entries handed to it directly.
 */
const joinOf = (d: Device, name = d.name): JoinPayload => ({ v: 1, name, agree: toBase64url(d.agree), invitedBy: null, at: 1 })
const profile = (c: Circle, d: Device, seq = 1, name = d.name) => c.addProfile(d.tag, d.sign, seq, joinOf(d, name), d.agree)
const deviceView = (d: Device, removedBy: Device | null = null, relay = false) => ({ tag: d.tag, fingerprint: fingerprint(d.sign), removed: removedBy !== null, removedBy: removedBy?.tag ?? null, relay })
const request = (d: Device, hash = toBase64url(crypto.getRandomValues(new Uint8Array(16)))): RequestInfo => ({ hash, tag: d.tag, sign: d.sign, agree: d.agree, name: d.name, invite: ZERO_INVITE, seenAt: 1 })
/** Four devices, in the order of their tags. */
const byTag = () =>
  Array.from({ length: 4 }, (_, i) => new Device(`device ${i}`)).sort((a, b) => a.tag.localeCompare(b.tag)) as [Device, Device, Device, Device]

describe('a circle from before membership: everyone with a profile, the founder moderating', () => {
  it('lists the founder first, then by tag (never by the time a profile claims), and marks an equivocator and names shown twice', () => {
    // The founder's tag sorts last: only the rule "founder first" puts her first.
    const [bob, eve, zoe, ana] = byTag()
    const c = new Circle({ founder: ana.sign, isFounderGenesis: () => false })
    profile(c, zoe, 1, 'Zoe')
    profile(c, eve, 1, 'bob')
    profile(c, ana, 1, 'Ana')
    profile(c, bob, 1, 'Bob')
    expect(c.addEquivocator(eve.tag, 3)).toBe(true)
    const view = (d: Device, name: string, index: number, more: { role?: 'founder'; equivocated?: boolean; sharesName?: boolean } = {}) => ({
      id: d.tag,
      name,
      role: more.role ?? 'member',
      devices: [deviceView(d)],
      admittedBy: null,
      invitedBy: null,
      removed: false,
      equivocated: more.equivocated ?? false,
      sharesName: more.sharesName ?? false,
      index,
    })
    expect(c.managed).toBe(false)
    expect(c.members()).toEqual([
      view(ana, 'Ana', 0, { role: 'founder' }),
      view(bob, 'Bob', 1, { sharesName: true }),
      view(eve, 'bob', 2, { equivocated: true, sharesName: true }),
      view(zoe, 'Zoe', 3),
    ])
  })

  it('knows the devices with a profile: their keys, their member (themselves), their rights; no invitations, history or cutoffs but an equivocator’s', () => {
    const [ana, bob, eve, stranger] = byTag()
    const c = new Circle({ founder: ana.sign, isFounderGenesis: () => false })
    for (const d of [ana, bob, eve]) profile(c, d)
    c.addEquivocator(eve.tag, 3)
    c.addEquivocator(ana.tag, 5)
    expect([c.knows(bob.tag), c.knows(stranger.tag)]).toEqual([true, false])
    expect([c.memberOf(bob.tag), c.memberOf(stranger.tag)]).toEqual([bob.tag, null])
    expect(c.keysOf(bob.tag)).toEqual({ sign: bob.sign, agree: bob.agree })
    expect(c.keysOf(stranger.tag)).toBeNull()
    const ok = (active: boolean, moderator: boolean) => ({ kind: 'ok', active, moderator, relay: false })
    expect(c.rightsAt(ana.tag, 4, null)).toEqual(ok(true, true))
    expect(c.rightsAt(ana.tag, 5, null), 'the founder’s entries in dispute moderate nothing').toEqual(ok(false, false))
    expect(c.rightsAt(bob.tag, 9, null)).toEqual(ok(true, false))
    expect(c.rightsAt(eve.tag, 2, null)).toEqual(ok(true, false))
    expect(c.rightsAt(eve.tag, 3, null)).toEqual(ok(false, false))
    expect(c.rightsAt(stranger.tag, 1, null)).toEqual(ok(false, false))
    expect([c.cutoffOf(eve.tag), c.cutoffOf(ana.tag), c.cutoffOf(bob.tag)]).toEqual([2, 4, null])
    expect([c.invites(), c.history()]).toEqual([[], []])
    const asked = request(stranger)
    c.requests.set(asked.hash, asked)
    expect(c.openRequests()).toEqual([asked])
  })

  it('a later profile renames a device, an older one arriving after it does not', () => {
    const [ana, bob] = byTag()
    const c = new Circle({ founder: ana.sign, isFounderGenesis: () => false })
    profile(c, bob, 2, 'Robert')
    profile(c, bob, 1, 'Bobby')
    expect(c.profiles.get(bob.tag)?.name).toBe('Robert')
    profile(c, bob, 3, 'Rob')
    expect(c.profiles.get(bob.tag)).toEqual({ seq: 3, name: 'Rob', sign: bob.sign, agree: bob.agree, at: 1 })
  })

  it('an equivocator’s dispute starts at the first number it is known from: a later proof changes nothing', () => {
    const [eve] = byTag()
    const c = new Circle({ founder: null, isFounderGenesis: () => false })
    expect(c.addEquivocator(eve.tag, 5)).toBe(true)
    expect(c.addEquivocator(eve.tag, 5)).toBe(false)
    expect(c.addEquivocator(eve.tag, 7)).toBe(false)
    expect(c.cutoffOf(eve.tag)).toBe(4)
    expect(c.addEquivocator(eve.tag, 2)).toBe(true)
    expect(c.cutoffOf(eve.tag)).toBe(1)
  })

  it('finds the device a Yjs client id is bound to, in either width, and a ground key whose id is another device’s', () => {
    const [ana, bob, zoe, stranger] = byTag()
    const c = new Circle({ founder: ana.sign, isFounderGenesis: () => false })
    profile(c, ana)
    profile(c, bob)
    expect(c.ownerOfClient(boundClientId(bob.sign))).toBe(bob.tag)
    expect(c.ownerOfClient(legacyBoundClientId(bob.sign))).toBe(bob.tag)
    expect(c.ownerOfClient(boundClientId(zoe.sign))).toBeNull()
    profile(c, zoe)
    expect(c.ownerOfClient(boundClientId(zoe.sign)), 'a profile added since is found').toBe(zoe.tag)
    expect(c.collides(stranger.tag, bob.sign), 'Eve’s key binds Bob’s client id').toBe(true)
    expect(c.collides(bob.tag, bob.sign)).toBe(false)
    expect(c.collides(stranger.tag, stranger.sign)).toBe(false)
  })
})

describe('a circle with membership, as the Members screen and the judge see it', () => {
  /** Alice founds; Bob (with his laptop), Carol, Dan and a relay are let in; Alice removes Carol and Bob's laptop, whose device equivocated. */
  function story() {
    const alice = new Device('Alice')
    const bob = new Device('Bob')
    const laptop = new Device('Bob’s laptop')
    const carol = new Device('ana')
    const dan = new Device('Dan')
    const relay = new Device('Relay')
    const h = new History()
    h.genesis(alice)
    const bobIn = h.invite(alice, bob)
    h.invite(bob, laptop, { as: 'device' })
    h.invite(alice, carol)
    h.invite(alice, dan)
    h.invite(alice, relay, { as: 'relay' })
    laptop.seq = 2
    const removal = h.write(alice, { t: 'remove', cutoffs: [{ device: carol.tag, seq: 0 }, { device: laptop.tag, seq: 2 }], rekey: null })
    const c = new Circle({ founder: null, isFounderGenesis: (e) => e.author === alice.tag })
    for (const e of h.entries) c.addControl(e)
    return { alice, bob, laptop, carol, dan, relay, h, c, bobIn, removal }
  }

  it('lists members in the order they were let in, named by their own profile, then the relay; removed devices and members; names shown twice among those not removed', () => {
    const { alice, bob, laptop, carol, dan, relay, c } = story()
    profile(c, alice, 1, 'Ana')
    profile(c, laptop, 1, 'bob at home')
    c.addEquivocator(laptop.tag, 1)
    profile(c, dan, 1, 'Bob at home')
    const removedMember = { role: 'member', admittedBy: alice.tag, invitedBy: alice.tag, removed: true, equivocated: false, sharesName: false }
    expect(c.members()).toEqual([
      { id: alice.tag, name: 'Ana', role: 'founder', devices: [deviceView(alice)], admittedBy: null, invitedBy: null, removed: false, equivocated: false, sharesName: false, index: 0 },
      { id: bob.tag, name: 'bob at home', role: 'member', devices: [deviceView(bob), deviceView(laptop, alice)], admittedBy: alice.tag, invitedBy: alice.tag, removed: false, equivocated: true, sharesName: true, index: 1 },
      { id: carol.tag, name: 'ana', devices: [deviceView(carol, alice)], index: 2, ...removedMember },
      { id: dan.tag, name: 'Bob at home', role: 'member', devices: [deviceView(dan)], admittedBy: alice.tag, invitedBy: alice.tag, removed: false, equivocated: false, sharesName: true, index: 3 },
      { id: relay.tag, name: 'relay', role: 'relay', devices: [deviceView(relay, null, true)], admittedBy: alice.tag, invitedBy: alice.tag, removed: false, equivocated: false, sharesName: false, index: Number.MAX_SAFE_INTEGER },
    ])
    profile(c, relay, 1, 'Night relay')
    profile(c, bob, 1, 'Bob')
    expect(c.members().map((m) => m.name)).toEqual(['Ana', 'Bob', 'ana', 'Bob at home', 'Night relay'])
  })

  it('knows admitted devices only (a profile is not an admission), their member, their keys as admitted, and the cutoff of each removed or disputed one', () => {
    const { alice, bob, laptop, carol, relay, c } = story()
    const stranger = new Device('Stranger')
    profile(c, stranger)
    // Bob's profile names another agreement key than his admission: the admission's counts.
    c.addProfile(bob.tag, bob.sign, 1, joinOf(bob), laptop.agree)
    expect(c.managed).toBe(true)
    expect([c.knows(laptop.tag), c.knows(relay.tag), c.knows(stranger.tag)]).toEqual([true, true, false])
    expect([c.memberOf(laptop.tag), c.memberOf(alice.tag), c.memberOf(relay.tag), c.memberOf(stranger.tag)]).toEqual([bob.tag, alice.tag, null, null])
    expect(c.keysOf(bob.tag)).toEqual({ sign: bob.sign, agree: bob.agree })
    expect(c.keysOf(stranger.tag), 'a device never admitted: its profile’s keys').toEqual({ sign: stranger.sign, agree: stranger.agree })
    expect(c.keysOf(new Device('Nobody').tag)).toBeNull()
    expect([c.cutoffOf(laptop.tag), c.cutoffOf(carol.tag), c.cutoffOf(bob.tag)]).toEqual([2, 0, null])
    c.addEquivocator(laptop.tag, 2)
    expect(c.cutoffOf(laptop.tag), 'the earlier of removal and dispute').toBe(1)
    c.addEquivocator(carol.tag, 4)
    expect(c.cutoffOf(carol.tag)).toBe(0)
    expect(c.ownerOfClient(boundClientId(relay.sign)), 'an admitted device with no profile').toBe(relay.tag)
  })

  it('Eve’s device equivocated: the circle counts her membership changes before the one in dispute, none from it', () => {
    const alice = new Device('Alice')
    const eve = new Device('Eve')
    const h = new History()
    h.genesis(alice)
    h.invite(alice, eve)
    const fine = h.write(eve, { t: 'refuse', request: new Uint8Array(16).fill(1) })
    const disputed = h.write(eve, { t: 'refuse', request: new Uint8Array(16).fill(2) })
    const c = new Circle({ founder: null, isFounderGenesis: (e) => e.author === alice.tag })
    for (const e of h.entries) c.addControl(e)
    expect(c.membership().verdicts.get(disputed.hash)).toBe('ok')
    c.addEquivocator(eve.tag, disputed.seq)
    expect(c.membership().verdicts.get(fine.hash)).toBe('ok')
    expect(c.membership().verdicts.get(disputed.hash)).toBe('void_after_removal')
    expect([...c.membership().refused]).toEqual([toBase64url(new Uint8Array(16).fill(1))])
  })

  it('a relay removed is shown removed, device and all, with who removed it', () => {
    const { alice, relay, h, c } = story()
    c.addControl(h.remove(alice, relay))
    expect(c.members().find((m) => m.role === 'relay')).toMatchObject({ id: relay.tag, removed: true, devices: [deviceView(relay, alice, true)] })
  })

  it('a device in dispute writes nothing active from the disputed number on, whatever its admission allows', () => {
    const { dan, h, c } = story()
    const heads = h.heads().map((e) => e.hash)
    expect(c.rightsAt(dan.tag, 2, heads)).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
    c.addEquivocator(dan.tag, 3)
    expect(c.rightsAt(dan.tag, 2, heads)).toEqual({ kind: 'ok', active: true, moderator: false, relay: false })
    expect(c.rightsAt(dan.tag, 3, heads)).toEqual({ kind: 'ok', active: false, moderator: false, relay: false })
    expect(c.rightsAt(dan.tag, 3, ['a change nobody here has seen'])).toEqual({ kind: 'wait' })
  })

  it('lists as open only the requests nobody admitted or refused, from devices not in yet', () => {
    const { alice, bob, h, c } = story()
    const [frank, gina, hugo] = byTag()
    const refused = h.write(alice, { t: 'refuse', request: crypto.getRandomValues(new Uint8Array(16)) })
    c.addControl(refused)
    const admittedHash = toBase64url((h.entries.find((e) => e.op.t === 'admit')!.op as { request: Uint8Array }).request)
    const asked = [request(frank, admittedHash), request(gina, toBase64url((refused.op as { request: Uint8Array }).request)), request(bob), request(hugo)]
    for (const r of asked) c.requests.set(r.hash, r)
    expect(c.openRequests()).toEqual([asked[3]])
  })

  it('heads are the changes no other names, sorted; a change handed over twice counts once; the owners of client ids follow admissions', () => {
    const { alice, h, c } = story()
    const last = h.entries[h.entries.length - 1]!
    const newcomer = new Device('Newcomer')
    const invite = h.write(alice, { t: 'invite', id: crypto.getRandomValues(new Uint8Array(16)), pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as: 'member', ask: false }, [last])
    const both = [h.write(alice, { t: 'settings', membersMayInvite: false }, [invite]), h.write(alice, { t: 'refuse', request: new Uint8Array(16) }, [invite])]
    expect(c.ownerOfClient(boundClientId(newcomer.sign))).toBeNull()
    c.addControl(invite)
    for (const e of [...both].sort((a, b) => (a.hash < b.hash ? 1 : -1))) c.addControl(e)
    c.addControl(both[0]!)
    expect(c.hasControl(invite.hash)).toBe(true)
    expect(c.hasControl('never seen')).toBe(false)
    expect(c.heads()).toEqual(both.map((e) => e.hash).sort())
    const admission = h.write(alice, { t: 'admit', request: new Uint8Array(16).fill(9), invite: (invite.op as { id: Uint8Array }).id, device: { sign: newcomer.sign, agree: newcomer.agree }, name: newcomer.name })
    expect(c.ownerOfClient(boundClientId(newcomer.sign))).toBeNull()
    c.addControl(admission)
    expect(c.heads()).toEqual([admission.hash])
    expect(c.ownerOfClient(boundClientId(newcomer.sign)), 'the circle grew in place: its owners are looked up again').toBe(newcomer.tag)
  })

  it('shows invitations and history as copies, which the membership growing in place leaves as they were', () => {
    const { alice, c } = story()
    const m = c.membership()
    expect(c.invites()).toEqual([...m.invites.values()])
    expect(c.invites()[0]).not.toBe([...m.invites.values()][0])
    const history = c.history()
    expect(history).toEqual(m.history)
    expect(history).not.toBe(m.history)
    expect(history[0]).toMatchObject({ kind: 'founded', by: alice.tag })
  })
})
