/**
 * Only a recipient can check its own lockbox. Eve, a plain member, removes
 * her own phone; her rotation lists every device, as it must, but the box
 * she seals for Bob does not open for him (she sealed it to another key).
 * Every other device takes the rotation as the board's, and what Ana posts
 * with its key is unreadable on Bob's phone, as is every later rotation
 * (sealed in rooms its keys opened): removing Eve does not bring his phone
 * back. His device cannot prove any of it, but it says so, naming Eve; a
 * new invitation does bring him back. A newcomer whose welcome holds no box
 * that opens for her is told the same way.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { deriveInvitation, generateInvitationSecret } from '../../src/crypto/index.ts'
import { circle, device, exchange, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const leftOut = (m: Member) => m.board.diagnostics.events.filter((e) => e.reason === 'left_out').map((e) => e.author)

async function post(m: Member, title: string): Promise<void> {
  createItem(m.board.readable, notice(title), Date.now(), newItemId(m.board.myTag))
  await settle(m)
}

describe('a lockbox that does not open for its recipient', () => {
  it('Bob’s device says Eve’s rotation left him out; removing her does not bring it back, a new invitation does', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    const phone = await c.admit('Eve’s phone', eve, { as: 'device' })
    await exchange(ana, bob, eve, phone)
    await post(ana, 'Ana before')
    await exchange(ana, bob, eve)

    // Her own view, hers to tamper with: Bob's agreement key swapped for her phone's, so his box opens for nobody he is.
    const devices = eve.board.circle.membership().devices
    const bobs = devices.get(bob.board.myTag)! as { agree: Uint8Array }
    const real = bobs.agree
    bobs.agree = devices.get(phone.board.myTag)!.agree
    try {
      await eve.board.remove([phone.board.myTag])
    } finally {
      bobs.agree = real
    }
    await exchange(ana, bob, eve)
    // The rotation lists everyone: every device takes it as the board's.
    for (const m of [ana, bob]) expect(m.board.circle.membership().current?.by, m.name).toBe(eve.board.myTag)
    expect(leftOut(bob)).toEqual([eve.board.myTag])
    expect(leftOut(ana)).toEqual([])

    await post(ana, 'Ana after Eve’s rotation')
    await exchange(ana, bob, eve)
    expect(titles(bob.board.readable)).toEqual(['Ana before'])

    // Ana removes Eve. Her rotation is sealed in the room Eve's keys opened: Bob's phone reads neither.
    await ana.board.remove([eve.board.myTag])
    await exchange(ana, bob, eve)
    await post(ana, 'Ana after removing Eve')
    await exchange(ana, bob)
    expect(titles(bob.board.readable)).toEqual(['Ana before'])
    expect(leftOut(bob)).toEqual([eve.board.myTag])
    // What the message tells him to ask for: a new invitation, for a phone that reads everything again.
    // (The invitation carries the room the board is in now.)
    const again = await c.admit('Bob’s phone again', ana, { transport: ana.board.epoch!.transport! })
    await exchange(ana, again)
    expect(titles(again.board.readable)).toEqual(['Ana after Eve’s rotation', 'Ana after removing Eve', 'Ana before'])
  })

  it('a rotation that opens says nothing', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    const phone = await c.admit('Eve’s phone', eve, { as: 'device' })
    await exchange(ana, bob, eve, phone)
    await eve.board.remove([phone.board.myTag])
    await exchange(ana, bob, eve)
    for (const m of [ana, bob, eve]) expect(leftOut(m), m.name).toEqual([])
  })

  it('Carol, let in by a welcome that holds no box that opens for her, still waits and is told who sealed it', async () => {
    const c = await circle('Ana', 'Bob')
    const [ana, bob] = c.members as [Member, Member]
    const invitation = await deriveInvitation(generateInvitationSecret())
    await ana.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'member', ask: false })
    const carol = await device('Carol', { boardId: c.boardId, contentKeys: [], request: { key: invitation.requestKey } })
    await carol.board.request('Carol', { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
    await exchange(ana, carol)
    const request = ana.board.circle.openRequests().find((r) => r.name === 'Carol')!
    // Ana's device, tampered: Carol's agreement key swapped for Bob's as it seals her welcome.
    ;(ana.board.circle.requests.get(request.hash) as { agree: Uint8Array }).agree = bob.board.circle.membership().devices.get(bob.board.myTag)!.agree
    await ana.board.admit(request.hash)
    await exchange(ana, carol)
    expect(carol.board.standing).toBe('waiting')
    expect(leftOut(carol)).toEqual([ana.board.myTag])
  })
})
