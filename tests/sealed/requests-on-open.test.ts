/**
 * Every open of a board reads every join request ever made in it. A request
 * the circle has admitted or refused is not checked again (its invitation
 * proof is a signature on the page's thread, one per member who ever
 * joined); an open one still is, and shows (side-entries.ts). Requests are
 * looked at once the open's entries are handled and the circle is known.
 */
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { deriveInvitation, generateInvitationSecret, inlineCrypto, toBase64url, type EntryCrypto } from '../../src/crypto/index.ts'
import { circle, device, exchange, expectNoFailure } from './fixture.ts'

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

describe('join requests when a board opens', () => {
  it('Ana reopens her board: Bob’s and Cleo’s admitted requests are not checked again, Dan’s open one is, and shows', async () => {
    const c = await circle('Ana', 'Bob', 'Cleo')
    const ana = c.founder
    // Dan asks with an invitation of Ana's; nobody admits him yet.
    const invitation = await deriveInvitation(generateInvitationSecret())
    await ana.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'member', ask: false })
    const dan = await device('Dan', { boardId: c.boardId, contentKeys: [], request: { key: invitation.requestKey } })
    await dan.board.request('Dan', { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
    await exchange(ana, dan)
    expect(ana.board.circle.openRequests().map((r) => r.name)).toEqual(['Dan'])

    // The same device opens the board again from what it stored, its checks counted.
    const keysChecked: Uint8Array[] = []
    const counting: EntryCrypto = {
      verify(publicKey, signature, message) {
        keysChecked.push(publicKey)
        return inlineCrypto.verify(publicKey, signature, message)
      },
      decrypt: (...args) => inlineCrypto.decrypt(...args),
    }
    const stored = new Y.Doc()
    Y.applyUpdate(stored, Y.encodeStateAsUpdate(ana.board.sealed))
    const again = await device('Ana again', { keys: ana.keys, boardId: c.boardId, sealed: stored, crypto: counting })
    await again.board.flush()
    expectNoFailure(again)

    expect(again.board.circle.openRequests().map((r) => r.name)).toEqual(['Dan'])
    expect(again.board.circle.members().map((m) => m.name).sort()).toEqual(['Ana', 'Bob', 'Cleo'])
    // Invitation proofs are signed by invitations' keys, entries by devices': of the three requests, only Dan's proof was checked.
    const invitationKeys = again.board.circle.invites().map((i) => i.pub)
    expect(invitationKeys).toHaveLength(3)
    const proofs = keysChecked.filter((k) => invitationKeys.some((pub) => same(pub, k)))
    expect(proofs.map((k) => toBase64url(k))).toEqual([toBase64url(invitation.signer.publicKey)])
    expect(again.board.diagnostics.total).toBe(0)
    again.board.destroy()
  })
})
