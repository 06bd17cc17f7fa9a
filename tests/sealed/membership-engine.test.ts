/**
 * Membership as the engines on several devices live it: admission, removal
 * with key rotation, concurrent removals, linked and lost devices, and
 * invitations that are used up, revoked or never admitted.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { deriveInvitation, generateInvitationSecret, keyId, toBase64url } from '../../src/crypto/index.ts'
import { AdmissionRefused } from '../../src/sealed/index.ts'
import { CONTENT_KEY, circle, device, exchange, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const post = async (m: Member, title: string) => {
  createItem(m.board.readable, notice(title), Date.now(), newItemId(m.board.myTag))
  await m.board.flush()
}

describe('removal rotates the keys', () => {
  it('Ana removes Eve: the others move to a new key; Eve, syncing with them afterwards, reads nothing new and gets nothing accepted', async () => {
    const c = await circle('Ana', 'Alice', 'Eve')
    const [ana, alice, eve] = c.members as [Member, Member, Member]
    await post(alice, 'Before')
    await exchange(ana, alice, eve)
    await ana.board.remove([eve.board.myTag])
    await exchange(ana, alice)
    const newKey = ana.board.epoch!.key
    expect(newKey).not.toBe(toBase64url(keyId(CONTENT_KEY)))
    expect(alice.board.epoch?.key).toBe(newKey)
    expect(alice.board.epoch?.transport).toEqual(ana.board.epoch?.transport)
    await post(alice, 'After Eve left')
    // Eve writes too, not knowing yet; then she syncs with everyone (as if she reached the new room).
    await post(eve, 'Eve after her removal')
    await exchange(ana, alice, eve)
    for (const m of [ana, alice]) expect(titles(m.board.readable), m.name).toEqual(['After Eve left', 'Before'])
    // Eve's own device: the new post is there as ciphertext only, and her own later post stands nowhere.
    expect(titles(eve.board.readable)).toEqual(['Before'])
    expect(eve.board.keys.hasContentKey(newKey)).toBe(false)
    expect(eve.board.standing).toBe('removed')
    expect(ana.board.members().find((m) => m.name === 'Eve')?.removed).toBe(true)
    expect(ana.board.circle.history().some((h) => h.kind === 'removed' && h.by === ana.board.myTag)).toBe(true)
  })

  it('Carol was offline during the rotation: the rotation’s way out, handed over in the old room, brings her to the new key', async () => {
    const c = await circle('Ana', 'Carol', 'Eve')
    const [ana, carol, eve] = c.members as [Member, Member, Member]
    const oldKey = ana.board.epoch!.key
    await ana.board.remove([eve.board.myTag])
    // The old room holds only what a forwarding presence carries.
    const handoff = ana.board.handoff(oldKey)
    expect(handoff.length).toBe(2)
    const forwarding = new Y.Doc()
    forwarding.transact(() => {
      for (const [k, v] of handoff) forwarding.getMap('entries').set(k, v)
    })
    Y.applyUpdate(carol.board.sealed, Y.encodeStateAsUpdate(forwarding), 'remote')
    await settle(carol)
    expect(carol.board.epoch?.key).toBe(ana.board.epoch?.key)
    expect(carol.board.epoch?.transport).toEqual(ana.board.epoch?.transport)
    // Eve, in the old room too, learns nothing she can use.
    Y.applyUpdate(eve.board.sealed, Y.encodeStateAsUpdate(forwarding), 'remote')
    await settle(eve)
    expect(eve.board.epoch?.key).toBe(oldKey)
  })
})

describe('concurrent membership changes', () => {
  it('Alice removes Eve while Eve removes Alice (both moderators): every device ends with Alice in and Eve out', async () => {
    const c = await circle('Ana', 'Alice', 'Eve', 'Bob')
    const [ana, alice, eve, bob] = c.members as [Member, Member, Member, Member]
    await ana.board.setRole(alice.board.myTag, 'moderator')
    await ana.board.setRole(eve.board.myTag, 'moderator')
    await exchange(ana, alice, eve, bob)
    await Promise.all([alice.board.remove([eve.board.myTag]), eve.board.remove([alice.board.myTag])])
    await exchange(ana, alice, eve, bob)
    for (const m of [ana, alice, bob]) {
      const members = m.board.members()
      expect(members.find((x) => x.name === 'Eve')?.removed, m.name).toBe(true)
      expect(members.find((x) => x.name === 'Alice')?.removed, m.name).toBe(false)
      expect(m.board.epoch?.key, m.name).toBe(alice.board.epoch?.key)
    }
  })
})

describe('linked devices', () => {
  it('Bob links his laptop from his phone; both are Bob; the laptop, lost, is removed from the phone and reads nothing new', async () => {
    const c = await circle('Ana', 'Bob')
    const [ana, bob] = c.members as [Member, Member]
    const laptop = await c.admit('Bob’s laptop', bob, { as: 'device' })
    await post(laptop, 'From my laptop')
    await exchange(ana, bob, laptop)
    const view = ana.board.members().find((m) => m.id === bob.board.myTag)!
    expect(view.devices.map((d) => d.tag)).toEqual([bob.board.myTag, laptop.board.myTag])
    const [item] = readItems(ana.board.readable)
    const client = (ana.board.readable.getMap('items').get(item!.id) as Y.Map<unknown>)._item!.id.client
    expect(ana.board.authorOfClient(client)).toBe(bob.board.myTag)
    await bob.board.remove([laptop.board.myTag])
    await exchange(ana, bob)
    await post(ana, 'After the laptop was lost')
    await exchange(ana, bob, laptop)
    expect(titles(laptop.board.readable)).toEqual(['From my laptop'])
    expect(titles(bob.board.readable)).toEqual(['After the laptop was lost', 'From my laptop'])
  })
})

describe('invitations', () => {
  it('Mallory holds a used invitation: her request is never admitted and she reads nothing', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    await post(ana, 'Members only')
    const invitation = await deriveInvitation(generateInvitationSecret())
    await ana.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'member', ask: false })
    const asking = async (name: string) => {
      const m = await device(name, { boardId: c.boardId, contentKeys: [], request: { key: invitation.requestKey } })
      await m.board.request(name, { id: invitation.id, requestKey: invitation.requestKey, sign: (x) => invitation.signer.sign(x) })
      return m
    }
    const bob = await asking('Bob')
    await exchange(ana, bob)
    await ana.board.admit(ana.board.circle.openRequests()[0]!.hash)
    await exchange(ana, bob)
    expect(bob.board.standing).toBe('member')
    const mallory = await asking('Mallory')
    await exchange(ana, mallory)
    // Even asked to, Ana's device sends no keys: the invitation is used up, so the admission would not count.
    const request = [...ana.board.circle.requests.values()].find((r) => r.name === 'Mallory')!
    await expect(ana.board.admit(request.hash)).rejects.toThrow(AdmissionRefused)
    await exchange(ana, mallory)
    expect(ana.board.members().map((m) => m.name)).toEqual(['Ana', 'Bob'])
    expect(mallory.board.standing).not.toBe('member')
    expect(titles(mallory.board.readable)).toEqual([])
    const shared = new TextDecoder('latin1').decode(Y.encodeStateAsUpdate(mallory.board.sealed))
    expect(shared).not.toContain('Members only')
  })

  it('a revoked invitation admits nobody', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    const invitation = await deriveInvitation(generateInvitationSecret())
    await ana.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 5, expiresAt: null, as: 'member', ask: false })
    await ana.board.revoke(toBase64url(invitation.id))
    const mallory = await device('Mallory', { boardId: c.boardId, contentKeys: [], request: { key: invitation.requestKey } })
    await mallory.board.request('Mallory', { id: invitation.id, requestKey: invitation.requestKey, sign: (x) => invitation.signer.sign(x) })
    await exchange(ana, mallory)
    const hash = ana.board.circle.openRequests()[0]!.hash
    await expect(ana.board.admit(hash)).rejects.toThrow(AdmissionRefused)
    await exchange(ana, mallory)
    expect(ana.board.members().map((m) => m.name)).toEqual(['Ana'])
    expect(mallory.board.standing).toBe('waiting')
  })
})
