/**
 * What a device asks of the circle (membership-actions.ts), each one signed
 * entry: Ana refuses a request, rotates the keys without removing anyone,
 * and turns her old board into one with membership; Bob writes his profile;
 * a newcomer asks to be let in. Each is checked on the other devices, from
 * the entries they receive.
 */
import { describe, expect, it } from 'vitest'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { deriveInvitation, generateDeviceKeys, generateInvitationSecret } from '../../src/crypto/index.ts'
import { circle, device, exchange, member, type Member } from './fixture.ts'

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
    await exchange(ana, bob, mallory)
    const request = ana.board.circle.openRequests().find((r) => r.name === 'Mallory')!
    expect(bob.board.circle.openRequests().map((r) => r.hash)).toEqual([request.hash])
    await ana.board.refuse(request.hash)
    await exchange(ana, bob, mallory)
    expect(ana.board.circle.openRequests()).toEqual([])
    expect(bob.board.circle.openRequests()).toEqual([])
    expect(bob.board.circle.history().find((h) => h.kind === 'refused')).toMatchObject({ by: ana.board.myTag, request: request.hash })
    expect(mallory.board.standing).toBe('waiting')
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
    expect(bob.board.members().map((m) => [m.name, m.role])).toEqual([
      ['Ana', 'founder'],
      ['Bob', 'member'],
    ])
    expect(bob.board.standing).toBe('member')
  })
})
