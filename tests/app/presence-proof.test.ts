/**
 * Who is at the other end of a connection: each device proves itself in its
 * presence state, sealed for the circle; peers check it against the circle
 * their own engine knows.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { presenceProof } from '../../src/app/presence-proof.ts'
import { deriveInvitation, generateInvitationSecret, importDeviceSigner, type TransportSecret } from '../../src/crypto/index.ts'
import { PeerKinds } from '../../src/sync/peer-kinds.ts'
import { circle, device, exchange, TRANSPORT, type Member } from '../sealed/fixture.ts'

const ROOM = 'h1-room-of-the-circle'
const transport = TRANSPORT as TransportSecret
const proofOf = async (m: Member, as: 'member' | 'relay' = 'member', room = ROOM) => presenceProof({ sealed: m.board, signer: await importDeviceSigner(m.keys), room, transport, as })

async function circleWithRelay() {
  const c = await circle('Alice', 'Bob', 'Mallory')
  const invitation = await deriveInvitation(generateInvitationSecret())
  await c.founder.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'relay', ask: false })
  const relay = await device('Relay', { boardId: c.boardId, contentKeys: [], transport: TRANSPORT, request: { key: invitation.requestKey }, carrier: true })
  await relay.board.request('Relay', { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
  await exchange(c.founder, relay)
  await c.founder.board.admit(c.founder.board.circle.openRequests().find((r) => r.name === 'Relay')!.hash)
  await exchange(relay, ...c.members)
  return { ...c, relay }
}

describe('presence proofs', () => {
  it('Bob tells Alice (a member device) from the relay, and neither from Eve, who holds only the room’s secret', async () => {
    const { members, relay, boardId } = await circleWithRelay()
    const [alice, bob] = members as [Member, Member]
    const bobChecks = await proofOf(bob)
    const aliceState = await (await proofOf(alice)).mine('peer-alice', 11)
    const relayState = await (await proofOf(relay, 'relay')).mine('peer-relay', 12)
    expect(await bobChecks.check(aliceState, 11)).toEqual({ peerId: 'peer-alice', kind: 'member' })
    expect(await bobChecks.check(relayState, 12)).toEqual({ peerId: 'peer-relay', kind: 'relay' })
    // Eve has the transport secret (an old invite link) and her own keys; she is in no circle.
    const eve = await device('Eve', { boardId, contentKeys: [], transport: TRANSPORT, carrier: true })
    const eveState = await (await proofOf(eve, 'relay')).mine('peer-eve', 13)
    expect(eveState).not.toBeNull()
    expect(await bobChecks.check(eveState, 13)).toBeNull()
    // Nothing in the state is readable: no names, no keys in clear.
    expect(JSON.stringify(aliceState)).not.toMatch(/Alice/)
    expect(Object.keys(aliceState as object)).toEqual(['p'])
  })

  it('a proof stands for one room and one client: moved elsewhere it proves nothing', async () => {
    const { members } = await circleWithRelay()
    const [alice, bob] = members as [Member, Member]
    const state = await (await proofOf(alice)).mine('peer-alice', 11)
    expect(await (await proofOf(bob)).check(state, 12)).toBeNull()
    expect(await (await proofOf(bob, 'member', 'h1-another-room')).check(state, 11)).toBeNull()
    expect(await (await proofOf(bob)).check({ p: 'AAAA' }, 11)).toBeNull()
    expect(await (await proofOf(bob)).check({ p: 'x'.repeat(10_000) }, 11)).toBeNull()
    expect(await (await proofOf(bob)).check(null, 11)).toBeNull()
  })

  it('only members can read who is a member; a relay proves itself to anyone in the room', async () => {
    const { members, relay } = await circleWithRelay()
    const [alice] = members as [Member]
    const relayChecks = await proofOf(relay, 'relay')
    expect(await relayChecks.check(await (await proofOf(alice)).mine('peer-alice', 11), 11)).toBeNull()
  })

  it('a removed member proves nothing: Mallory’s device is out of the circle, and the new key is not hers', async () => {
    const { members, founder } = await circleWithRelay()
    const [, bob, mallory] = members as [Member, Member, Member]
    const before = await (await proofOf(mallory)).mine('peer-mallory', 14)
    expect(await (await proofOf(bob)).check(before, 14)).toEqual({ peerId: 'peer-mallory', kind: 'member' })
    await founder.board.remove([mallory.board.myTag])
    await exchange(founder, bob, mallory)
    expect(await (await proofOf(bob)).check(before, 14)).toBeNull()
    expect(await (await proofOf(mallory)).mine('peer-mallory', 14)).toBeNull()
  })

  it('a waiting newcomer shows nothing', async () => {
    const { boardId } = await circleWithRelay()
    const newcomer = await device('Noor', { boardId, contentKeys: [], transport: TRANSPORT })
    expect(await (await proofOf(newcomer)).mine('peer-noor', 15)).toBeNull()
  })
})

describe('peer kinds over presence', () => {
  it('Eve forwards Alice’s proof on her own connection: it counts for Alice’s connection only', async () => {
    const { members } = await circleWithRelay()
    const [alice, bob] = members as [Member, Member]
    const docs = { alice: new Y.Doc(), bob: new Y.Doc(), eve: new Y.Doc() }
    const aware = { alice: new Awareness(docs.alice), bob: new Awareness(docs.bob), eve: new Awareness(docs.eve) }
    let changes = 0
    const bobKinds = new PeerKinds(aware.bob, await proofOf(bob), () => changes++)
    const aliceKinds = new PeerKinds(aware.alice, await proofOf(alice), () => undefined)
    aliceKinds.publish('peer-alice')
    await until(() => aware.alice.getLocalState()?.p !== undefined)
    // Eve received Alice's state and passes it on to Bob, as y-webrtc does with everyone's presence.
    applyAwarenessUpdate(aware.eve, encodeAwarenessUpdate(aware.alice, [docs.alice.clientID]), 'alice')
    applyAwarenessUpdate(aware.bob, encodeAwarenessUpdate(aware.eve, [docs.alice.clientID, docs.eve.clientID]), 'eve')
    await until(() => bobKinds.kindOf('peer-alice') !== null)
    expect(bobKinds.kindOf('peer-alice')).toBe('member')
    expect(bobKinds.kindOf('peer-eve')).toBeNull()
    expect(changes).toBeGreaterThan(0)
    // Alice leaves: her proof goes with her state.
    applyAwarenessUpdate(aware.bob, encodeAwarenessUpdate(aware.alice, [docs.alice.clientID]), 'alice')
    aware.alice.setLocalState(null)
    applyAwarenessUpdate(aware.bob, encodeAwarenessUpdate(aware.alice, [docs.alice.clientID]), 'alice')
    expect(bobKinds.kindOf('peer-alice')).toBeNull()
    for (const k of [bobKinds, aliceKinds]) k.destroy()
    for (const a of Object.values(aware)) a.destroy()
  })
})

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5))
  if (!check()) throw new Error('timed out')
}
