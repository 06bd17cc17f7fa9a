/**
 * What a device asks of the circle (membership-actions.ts), each one signed
 * entry: Ana refuses a request, rotates the keys without removing anyone,
 * and turns her old board into one with membership; Bob writes his profile;
 * a newcomer asks to be let in. Each is checked on the other devices, from
 * the entries they receive.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { deriveInvitation, foundedBoardId, fromBase64url, generateDeviceKeys, generateInvitationSecret } from '../../src/crypto/index.ts'
import { circle, CONTENT_KEY, device, exchange, member, settle, type Member } from './fixture.ts'

const post = async (m: Member, title: string) => {
  createItem(m.board.readable, { kind: 'notice', title, body: '', author: m.name, tags: [], pinned: false, expiresAt: null }, Date.now(), newItemId(m.board.myTag))
  await m.board.flush()
}
const titles = (m: Member) => readItems(m.board.readable).map((i) => i.title).sort()
/** The shared-map keys of `m`'s own entries, as `on` holds them. */
const entriesOf = (m: Member, on: Member = m) => [...on.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(`${m.board.myTag}.`))

async function asking(c: Awaited<ReturnType<typeof circle>>, name: string) {
  const invitation = await deriveInvitation(generateInvitationSecret())
  await c.founder.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'member', ask: false })
  const m = await device(name, { boardId: c.boardId, contentKeys: [], request: { key: invitation.requestKey } })
  const ask = () => m.board.request(name, { id: invitation.id, requestKey: invitation.requestKey, sign: (x) => invitation.signer.sign(x) })
  await ask()
  return { m, ask }
}

describe('membership actions', () => {
  it('Mallory asks twice, one request is written; Ana refuses it: it is open on no device, and Mallory is never let in', async () => {
    const c = await circle('Ana', 'Bob')
    const [ana, bob] = c.members as [Member, Member]
    const { m: mallory, ask } = await asking(c, 'Mallory')
    await ask()
    expect(entriesOf(mallory)).toHaveLength(1)
    let told = 0
    ana.board.onCircleChange(() => told++)
    await exchange(ana, bob, mallory)
    expect(told, 'the Members screen is told of the request').toBeGreaterThan(0)
    const request = ana.board.circle.openRequests().find((r) => r.name === 'Mallory')!
    expect(bob.board.circle.openRequests().map((r) => r.hash)).toEqual([request.hash])
    await ana.board.refuse(request.hash)
    await exchange(ana, bob, mallory)
    expect(ana.board.circle.openRequests()).toEqual([])
    expect(bob.board.circle.openRequests()).toEqual([])
    expect(bob.board.circle.history().find((h) => h.kind === 'refused')).toMatchObject({ by: ana.board.myTag, request: request.hash })
    expect(mallory.board.standing).toBe('waiting')
  })

  it('Ana lets only moderators invite: Bob’s device counts it too', async () => {
    const c = await circle('Ana', 'Bob')
    const [ana, bob] = c.members as [Member, Member]
    expect(bob.board.circle.membership().membersMayInvite).toBe(true)
    await ana.board.setMembersMayInvite(false)
    await exchange(ana, bob)
    expect(bob.board.circle.membership().membersMayInvite).toBe(false)
    expect(bob.board.circle.history().at(-1)).toMatchObject({ kind: 'settings', by: ana.board.myTag, membersMayInvite: false })
  })

  it('Ana rotates the keys without removing anyone: Bob moves to the new key with her and reads what she posts in it', async () => {
    const c = await circle('Ana', 'Bob')
    const [ana, bob] = c.members as [Member, Member]
    const before = ana.board.epoch!.key
    await ana.board.rekey()
    const after = ana.board.epoch!.key
    expect(after).not.toBe(before)
    await post(ana, 'In the new room')
    await exchange(ana, bob)
    expect(bob.board.epoch?.key).toBe(after)
    expect(bob.board.epoch?.transport).toEqual(ana.board.epoch?.transport)
    expect(titles(bob)).toEqual(['In the new room'])
    expect(bob.board.members().map((m) => [m.name, m.removed])).toEqual([
      ['Ana', false],
      ['Bob', false],
    ])
  })

  it('Bob’s profile: the name he was let in with writes nothing, a new one is written once and shown to Ana', async () => {
    const c = await circle('Ana', 'Bob')
    const [ana, bob] = c.members as [Member, Member]
    const written = entriesOf(bob).length
    await bob.board.join('Bob')
    expect(entriesOf(bob)).toHaveLength(written)
    await bob.board.join('Robert')
    await bob.board.join('Robert')
    expect(entriesOf(bob)).toHaveLength(written + 1)
    await exchange(ana, bob)
    expect(ana.board.members().map((m) => m.name)).toEqual(['Ana', 'Robert'])
    await bob.board.join('Bob')
    expect(entriesOf(bob), 'back to the name he was let in with: his profile says otherwise, so it is written').toHaveLength(written + 2)
    await exchange(ana, bob)
    expect(ana.board.members().map((m) => m.name)).toEqual(['Ana', 'Bob'])
  })

  it('Bob’s laptop, linked to him, writes a profile of its own', async () => {
    const c = await circle('Ana', 'Bob')
    const [ana, bob] = c.members as [Member, Member]
    const laptop = await c.admit('Bob’s laptop', bob, { as: 'device' })
    const written = entriesOf(laptop).length
    await laptop.board.join('Bob at home')
    expect(entriesOf(laptop)).toHaveLength(written + 1)
    await exchange(ana, bob, laptop)
    expect(ana.board.members().map((m) => m.name), 'Bob wrote no profile: his member shows his laptop’s').toEqual(['Ana', 'Bob at home'])
  })

  it('what cannot be done is refused before anything is written: no such request or member, no key to found with, nothing to rotate on an old board', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    const written = entriesOf(ana).length
    await expect(ana.board.admit('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow('No such request')
    await expect(ana.board.setRole('nobody', 'moderator')).rejects.toThrow('No such member')
    expect(entriesOf(ana)).toHaveLength(written)
    const keyless = await device('Keyless', { contentKeys: [] })
    await expect(keyless.board.found('Keyless', new Uint8Array(16))).rejects.toThrow('A board is founded with its first content key')
    const old = await member('Olga')
    await expect(old.board.rekey()).rejects.toThrow('Nothing to rotate')
  })

  it('only the founder of an old board converts it, once, listing everyone who had joined as she knows them', async () => {
    const keys = await generateDeviceKeys()
    const ana = await member('Ana', { keys, founder: keys.signPublic })
    const bob = await member('Bob', { founder: keys.signPublic })
    await exchange(ana, bob)
    const bobs = entriesOf(bob).length
    await bob.board.convert()
    expect(entriesOf(bob), 'Bob is not the founder: he writes nothing').toHaveLength(bobs)
    await exchange(ana, bob)
    expect([ana.board.circle.managed, bob.board.circle.managed]).toEqual([false, false])
    const written = entriesOf(ana).length
    await ana.board.convert()
    await ana.board.convert()
    expect(entriesOf(ana)).toHaveLength(written + 1)
    await exchange(ana, bob)
    expect(bob.board.circle.managed).toBe(true)
    expect(bob.board.circle.membership().membersMayInvite, 'on a board from before membership, anyone could invite: still so').toBe(true)
    expect(bob.board.members().map((m) => [m.name, m.role])).toEqual([
      ['Ana', 'founder'],
      ['Bob', 'member'],
    ])
    expect(bob.board.standing).toBe('member')
  })

  it('a founder who never wrote her profile on the old board does not convert it', async () => {
    const keys = await generateDeviceKeys()
    const ana = await device('Ana', { keys, founder: keys.signPublic })
    const bob = await member('Bob', { founder: keys.signPublic })
    await exchange(ana, bob)
    await ana.board.convert()
    expect(entriesOf(ana)).toEqual([])
    expect(ana.board.circle.managed).toBe(false)
  })

  it('Eve joined the old board with an old invite after Ana converted it: Ana admits her on her join, and she reads what Ana posts', async () => {
    const keys = await generateDeviceKeys()
    const ana = await member('Ana', { keys, founder: keys.signPublic })
    const bob = await member('Bob', { founder: keys.signPublic })
    await exchange(ana, bob)
    await ana.board.convert()
    await exchange(ana, bob)
    const eve = await member('Eve', { founder: keys.signPublic })
    await exchange(ana, eve)
    const joiners = ana.board.legacyJoiners()
    expect(joiners.map((j) => [j.tag, j.name])).toEqual([[eve.board.myTag, 'Eve']])
    await ana.board.admit(joiners[0]!.hash)
    await post(ana, 'After the conversion')
    await exchange(ana, bob, eve)
    expect(eve.board.standing).toBe('member')
    expect(titles(eve)).toEqual(['After the conversion'])
    expect(ana.board.legacyJoiners()).toEqual([])
    expect(bob.board.members().map((m) => m.name)).toEqual(['Ana', 'Bob', 'Eve'])
  })

  it('a founder’s device that lost the room’s transport secret says so when asked to send keys: to a newcomer, or in a rotation', async () => {
    const keys = await generateDeviceKeys()
    const nonce = crypto.getRandomValues(new Uint8Array(16))
    const boardId = fromBase64url(foundedBoardId(keys.signPublic, nonce))!
    const ana = await device('Ana', { keys, boardId, contentKeys: [{ key: CONTENT_KEY }], transport: undefined })
    await ana.board.found('Ana', nonce)
    expect(ana.board.epoch?.transport).toBeNull()
    const invitation = await deriveInvitation(generateInvitationSecret())
    await ana.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'member', ask: false })
    const bob = await device('Bob', { boardId, contentKeys: [], request: { key: invitation.requestKey } })
    await bob.board.request('Bob', { id: invitation.id, requestKey: invitation.requestKey, sign: (x) => invitation.signer.sign(x) })
    await exchange(ana, bob)
    await expect(ana.board.admit(ana.board.circle.openRequests()[0]!.hash)).rejects.toThrow('This device does not hold the current transport secret')
    // Nothing was signed: Bob is not let in without his keys, and his request still waits for a device that can send them.
    await exchange(ana, bob)
    expect(ana.board.members().map((m) => m.name)).toEqual(['Ana'])
    expect(ana.board.circle.openRequests()).toHaveLength(1)
    await expect(ana.board.rekey()).rejects.toThrow('This device does not hold the current transport secret')
    // Refused actions, not bugs: Ana's engine goes on.
    await exchange(ana, bob)
    expect(ana.board.epoch?.transport).toBeNull()
  })
})

describe('a removal by a device that never had an entry of the removed one', () => {
  it('Carol, a moderator offline while Ana let Eve in, hears of Eve only through Ana’s admission: she removes Eve with cutoff 0, and no entry of Eve’s counts anywhere', async () => {
    const c = await circle('Ana', 'Carol')
    const [ana, carol] = c.members as [Member, Member]
    await ana.board.setRole(carol.board.myTag, 'moderator')
    await exchange(ana, carol)
    c.members.splice(c.members.indexOf(carol), 1)
    const eve = await c.admit('Eve')
    await post(eve, 'Meet at the back door')
    await exchange(ana, eve)
    expect(titles(ana)).toEqual(['Meet at the back door'])
    const eves = `${eve.board.myTag}.`
    const sent = new Y.Doc()
    for (const [k, v] of ana.board.sealed.getMap('entries')) if (!k.startsWith(eves)) sent.getMap('entries').set(k, v)
    Y.applyUpdate(carol.board.sealed, Y.encodeStateAsUpdate(sent), 'remote')
    await settle(carol)
    expect(entriesOf(eve, carol), 'Carol holds nothing Eve signed').toEqual([])
    expect(carol.board.members().map((m) => m.name)).toEqual(['Ana', 'Carol', 'Eve'])

    await carol.board.remove([eve.board.myTag])
    await exchange(ana, carol, eve)
    for (const m of [ana, carol]) {
      expect(m.board.circle.membership().devices.get(eve.board.myTag)?.removed, `${m.name}: Eve is removed from before her first entry`).toMatchObject({ cutoff: 0, by: carol.board.myTag })
      expect(titles(m), `${m.name} shows nothing of Eve’s`).toEqual([])
    }
  })
})
