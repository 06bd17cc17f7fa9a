/**
 * Eve (a member; members may invite) invites and admits Carl. Later,
 * removed, she signs a second version of an old membership change of hers
 * (the sequence number of her invitation). That proves her an equivocator,
 * and everything she signed from there on is void — but not the changes
 * another member built on, where no other version was: Carl's admission
 * stays, and with it Carl and his posts. Found by an audit on 2026-12-06:
 * Carl, who did nothing wrong, lost his membership and his posts on every
 * device.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { fromBase64url, importContentKey, importDeviceSigner, keyId, sealEntry, type EntryHeader } from '../../src/crypto/index.ts'
import { entryKey } from '../../src/sealed/index.ts'
import { encodeControl } from '../../src/sealed/membership/ops.ts'
import { Circle } from '../../src/sealed/circle.ts'
import { circle, exchange, settle, type Member } from './fixture.ts'
import { Device, History, shuffles } from './membership-fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const entries = (m: Member) => m.board.sealed.getMap('entries')

describe('an equivocator’s membership changes that others built on', () => {
  it('Carl, let in by Eve, stays in with his posts when Eve, removed, signs a second version of an older change; her second version counts nowhere', async () => {
    const c = await circle('Ana', 'Eve')
    const [ana, eve] = c.members as [Member, Member]
    const eveHeadsBefore = eve.board.circle.heads().map((h) => fromBase64url(h)!)
    const eveSeqBefore = Math.max(...[...entries(eve).keys()].filter((k) => k.startsWith(`${eve.board.myTag}.`)).map((k) => Number(k.slice(eve.board.myTag.length + 1).split('-').at(-1))))
    const carl = await c.admit('Carl', eve)
    createItem(carl.board.readable, notice('Carl’s post'), Date.now(), newItemId(carl.board.myTag))
    await settle(carl)
    await exchange(ana, eve, carl)
    expect(titles(ana.board.readable)).toEqual(['Carl’s post'])
    // Ana removes Eve. Carl stays.
    await ana.board.remove([eve.board.myTag])
    await exchange(ana, carl)
    expect(titles(ana.board.readable)).toEqual(['Carl’s post'])

    // Eve, removed, signs a second entry under the sequence number of her invitation of Carl.
    const seq = eveSeqBefore + 1
    const key = eve.board.keys.contentKeys().at(-1)!
    const h: EntryHeader = { kind: 'control', boardId: c.boardId, keyId: keyId(key), author: eve.keys.signPublic, seq, from: seq }
    const bytes = await sealEntry(h, encodeControl({ parents: eveHeadsBefore, op: { t: 'settings', membersMayInvite: false } }), await importContentKey(key), await importDeviceSigner(eve.keys))
    expect(entries(ana).has(entryKey(h))).toBe(true)
    entries(ana).set(entryKey(h), bytes)
    await settle(ana)
    await exchange(ana, carl)
    for (const m of [ana, carl]) {
      expect(m.board.circle.equivocators.has(eve.board.myTag), m.name).toBe(true)
      expect(titles(m.board.readable), m.name).toEqual(['Carl’s post'])
      expect(m.board.circle.membership().membersMayInvite, m.name).toBe(true)
    }
    expect(carl.board.standing).toBe('member')
  })
})

describe('which of an equivocator’s membership changes count (the circle on its own)', () => {
  /** Ana founds; Eve, a member, invites and lets Carl in; Ana builds on that. Eve then signs a second version of her invitation's number. */
  function story() {
    const [ana, eve, carl] = [new Device('Ana'), new Device('Eve'), new Device('Carl')]
    const h = new History()
    h.genesis(ana)
    h.invite(ana, eve)
    const base = h.heads()
    h.invite(eve, carl)
    const c = new Circle({ founder: ana.sign, isFounderGenesis: (e) => e.author === ana.tag })
    const add = () => {
      for (const e of h.entries) c.addControl(e)
    }
    return { ana, eve, carl, h, base, c, add }
  }

  it('what another member built on, where no other version was, counts; a version nobody built on does not', () => {
    const { ana, eve, carl, h, base, c, add } = story()
    const invitation = h.entries.find((e) => e.author === eve.tag && e.op.t === 'invite')!
    // Ana's next change is built on Eve's admission of Carl.
    h.write(ana, { t: 'settings', membersMayInvite: true })
    // Eve's second version of her invitation's number, and a change of hers after it that nobody built on.
    eve.seq = invitation.seq - 1
    const second = h.write(eve, { t: 'settings', membersMayInvite: false }, base)
    const after = h.write(eve, { t: 'settings', membersMayInvite: false }, [second])
    add()
    c.addEquivocator(eve.tag, invitation.seq)
    const m = c.membership()
    expect(m.devices.get(carl.tag)?.removed ?? null).toBeNull()
    expect(m.members.has(carl.tag)).toBe(true)
    expect(m.verdicts.get(second.hash)).toBe('void_after_removal')
    expect(m.verdicts.get(after.hash)).toBe('void_after_removal')
    expect(m.membersMayInvite).toBe(true)
  })

  it('two versions of one number, each built on by another member: neither counts, nor what followed them', () => {
    const { ana, eve, carl, h, base, c, add } = story()
    const bob = new Device('Bob')
    const bobIn = h.invite(ana, bob)
    const invitation = h.entries.find((e) => e.author === eve.tag && e.op.t === 'invite')!
    const onFirst = h.write(ana, { t: 'settings', membersMayInvite: true })
    eve.seq = invitation.seq - 1
    const second = h.write(eve, { t: 'settings', membersMayInvite: false }, base)
    // Bob's invitation, built on Eve's second version (members may invite): a change that counts.
    const bobs = h.write(bob, { t: 'invite', id: crypto.getRandomValues(new Uint8Array(16)), pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as: 'member', ask: false }, [second, bobIn])
    add()
    c.addEquivocator(eve.tag, invitation.seq)
    const m = c.membership()
    expect(m.verdicts.get(invitation.hash)).toBe('void_after_removal')
    expect(m.verdicts.get(second.hash)).toBe('void_after_removal')
    // Carl's admission stands on an invitation that counts nowhere.
    expect(m.members.has(carl.tag)).toBe(false)
    expect(m.verdicts.get(onFirst.hash)).toBe('ok')
    expect(m.verdicts.get(bobs.hash)).toBe('ok')
  })

  it('a change that does not count vouches for nothing: Eve’s phone, removed with her, building on her second version', () => {
    const [ana, eve, phone, carl] = [new Device('Ana'), new Device('Eve'), new Device('Eve’s phone'), new Device('Carl')]
    const h = new History()
    h.genesis(ana)
    h.invite(ana, eve)
    h.invite(eve, phone, { as: 'device' })
    const base = h.heads()
    h.invite(eve, carl)
    const invitation = h.entries.filter((e) => e.author === eve.tag && e.op.t === 'invite').at(-1)!
    h.write(ana, { t: 'remove', cutoffs: [{ device: eve.tag, seq: eve.seq }, { device: phone.tag, seq: phone.seq }], rekey: null })
    eve.seq = invitation.seq - 1
    const second = h.write(eve, { t: 'settings', membersMayInvite: false }, base)
    const phones = h.write(phone, { t: 'settings', membersMayInvite: false }, [second])
    const c = new Circle({ founder: ana.sign, isFounderGenesis: (e) => e.author === ana.tag })
    for (const e of h.entries) c.addControl(e)
    c.addEquivocator(eve.tag, invitation.seq)
    const m = c.membership()
    expect(m.verdicts.get(phones.hash)).not.toBe('ok')
    expect(m.verdicts.get(second.hash)).toBe('void_after_removal')
    expect(m.members.has(carl.tag)).toBe(true)
    expect(m.membersMayInvite).toBe(true)
  })

  it('whatever order a device gets the changes in, and the proof before, between or after them: the same membership', () => {
    const { ana, eve, h, base } = story()
    const bob = new Device('Bob')
    const bobIn = h.invite(ana, bob)
    const invitation = h.entries.find((e) => e.author === eve.tag && e.op.t === 'invite')!
    h.write(ana, { t: 'settings', membersMayInvite: true })
    eve.seq = invitation.seq - 1
    const second = h.write(eve, { t: 'settings', membersMayInvite: false }, base)
    h.write(bob, { t: 'invite', id: crypto.getRandomValues(new Uint8Array(16)), pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as: 'member', ask: false }, [second, bobIn])
    h.write(eve, { t: 'settings', membersMayInvite: false }, [second])
    const seen = (entries: readonly typeof h.entries[number][], proofAt: number) => {
      const c = new Circle({ founder: ana.sign, isFounderGenesis: (e) => e.author === ana.tag })
      entries.forEach((e, i) => {
        if (i === proofAt) c.addEquivocator(eve.tag, invitation.seq)
        c.addControl(e)
        // Read as it goes, as a device does after every change.
        c.membership()
      })
      if (proofAt >= entries.length) c.addEquivocator(eve.tag, invitation.seq)
      const m = c.membership()
      return { members: [...m.members.keys()].sort(), verdicts: [...m.verdicts].sort(), mayInvite: m.membersMayInvite }
    }
    const expected = seen(h.entries, h.entries.length)
    shuffles(h.entries, 12).forEach((order, i) => expect(seen(order, i % (order.length + 1)), `order ${i}`).toEqual(expected))
  })
})
