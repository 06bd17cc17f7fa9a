/**
 * Join requests, welcomes and rotations are looked at apart from their
 * author's turn (side-entries.ts), as soon as what they depend on is known.
 * These stories hand Bob's device such entries directly, with a circle and
 * keys written by hand, to see what it records, what keys it takes, what it
 * refuses and what it keeps for another look: Alice moderates, Carol asks to
 * join, Eve tries to get in or to lure Bob away.
 */
import { describe, expect, it } from 'vitest'
import {
  deriveInvitation,
  deviceTag,
  fromBase64url,
  generateDeviceKeys,
  generateInvitationSecret,
  importAgreement,
  inlineCrypto,
  importDeviceSigner,
  sealLockboxes,
  keyId,
  toBase64url,
  type DeviceKeyMaterial,
  type EntryKind,
  type ParsedEntry,
} from '../../src/crypto/index.ts'
import type { Verified } from '../../src/sealed/author-log.ts'
import type { Circle, RequestInfo } from '../../src/sealed/circle.ts'
import type { BoardKeys } from '../../src/sealed/keys.ts'
import type { ControlVerdict, EpochInfo } from '../../src/sealed/membership/state.ts'
import { decodeRequest, encodeGift, encodeRequest, encodeRotate, encodeWelcome, lockboxContext, requestProofMessage, type KeyGift } from '../../src/sealed/payloads.ts'
import { SideEntries, type KeySource } from '../../src/sealed/side-entries.ts'

const BOARD = Uint8Array.from({ length: 16 }, (_, i) => 30 + i)
const KEY_ID = Uint8Array.from({ length: 8 }, (_, i) => i + 1)
const hash = () => toBase64url(crypto.getRandomValues(new Uint8Array(16)))
const gift: KeyGift = { contentKeys: [new Uint8Array(32).fill(7)], transport: new Uint8Array(32).fill(9) }

interface Invite {
  readonly id: string
  readonly pub: Uint8Array
}

/** Bob's device, with the circle as the test says it stands. */
async function bobsDevice(bob: DeviceKeyMaterial, opts: { carrier?: boolean; ownRequest?: string; ownRequestWaiting?: boolean; knownKeys?: string[]; knownTransports?: string[]; theBoards?: boolean | null } = {}) {
  const invites: Invite[] = []
  const verdicts = new Map<string, ControlVerdict>()
  const epochs = new Map<string, Pick<EpochInfo, 'hash' | 'recipients'>>()
  /** What Bob's device did, in order: a request recorded, keys taken. */
  const events: string[] = []
  const requests = new (class extends Map<string, RequestInfo> {
    override set(k: string, v: RequestInfo) {
      events.push(`request ${v.name}`)
      return super.set(k, v)
    }
  })()
  const taken: [KeyGift, KeySource][] = []
  const rejected: string[][] = []
  /** Requests the circle has admitted or refused (by hash). */
  const decided = new Set<string>()
  /** Invitation proofs checked, by the engine's crypto. */
  const proofsChecked: Uint8Array[] = []
  const circle = { invites: () => invites, requests, membership: () => ({ verdicts, epochs }), requestDecided: (h: string) => decided.has(h) } as unknown as Circle
  const keys = {
    hasContentKey: (id: string) => opts.knownKeys?.includes(id) ?? false,
    transport: (id: string) => (opts.knownTransports?.includes(id) ? new Uint8Array(32) : null),
  } as unknown as BoardKeys
  const side = new SideEntries({
    boardId: BOARD,
    agreement: await importAgreement(bob.agreePkcs8, bob.agreePublic),
    myTag: deviceTag(bob.signPublic),
    carrier: opts.carrier ?? false,
    circle,
    keys,
    crypto: {
      verify(publicKey, signature, message) {
        proofsChecked.push(signature)
        return inlineCrypto.verify(publicKey, signature, message)
      },
    },
    ownRequest: () => opts.ownRequest,
    ownRequestWaiting: () => opts.ownRequestWaiting ?? false,
    welcomeIsTheBoards: async () => (opts.theBoards === undefined ? true : opts.theBoards),
    takeGift: async (g, source) => {
      events.push('keys')
      taken.push([g, source])
    },
    reject: (reason, key, author, detail) => rejected.push([reason, key, author, detail]),
    now: () => 5000,
  })
  /** Hands Bob's device one entry, and asks it to look at what waits. */
  const look = async (v?: Verified) => {
    if (v) side.wait(v)
    return side.settle()
  }
  return { side, look, invites, verdicts, epochs, requests, taken, rejected, events, decided, proofsChecked }
}

function entry(kind: EntryKind, author: Uint8Array, plain: Uint8Array): Verified {
  const header = { kind, version: 2, boardId: BOARD, keyId: KEY_ID, author, seq: 1, from: 1 }
  return { key: `${kind} ${hash()}`, bytes: new Uint8Array(1), entry: { header } as unknown as ParsedEntry, hash: hash(), via: null, plain }
}

const text = (s: string) => new TextEncoder().encode(s)

describe('join requests', () => {
  async function carolAsks(proofBy?: (m: Uint8Array) => Promise<Uint8Array>) {
    const carol = await generateDeviceKeys()
    const invitation = await deriveInvitation(generateInvitationSecret())
    const sign = proofBy ?? ((m: Uint8Array) => invitation.signer.sign(m))
    const proof = await sign(requestProofMessage(BOARD, carol.signPublic, carol.agreePublic))
    const request = entry('request', carol.signPublic, encodeRequest({ name: 'Carol', agree: carol.agreePublic, invite: invitation.id, proof }))
    return { carol, request, invite: { id: toBase64url(invitation.id), pub: invitation.publicKey } }
  }

  it('Carol’s request waits until Alice’s invitation is known, then is recorded once, with when Bob saw it', async () => {
    const bob = await bobsDevice(await generateDeviceKeys())
    const { carol, request, invite } = await carolAsks()
    expect(await bob.look(request)).toBe(false)
    expect(bob.requests.size).toBe(0)
    expect(bob.side.isSettled(request.hash)).toBe(false)
    bob.invites.push(invite)
    expect(await bob.look()).toBe(true)
    expect(bob.side.isSettled(request.hash)).toBe(true)
    expect(bob.requests.get(request.hash)).toEqual({ hash: request.hash, tag: deviceTag(carol.signPublic), sign: carol.signPublic, agree: carol.agreePublic, name: 'Carol', invite: invite.id, seenAt: 5000 })
    expect(bob.rejected).toEqual([])
  })

  it('Eve knows the invitation’s id but not its secret: her proof does not verify, she is refused once and recorded nowhere', async () => {
    const bob = await bobsDevice(await generateDeviceKeys())
    const eve = await importDeviceSigner(await generateDeviceKeys())
    const { request, invite } = await carolAsks((m) => eve.sign(m))
    bob.invites.push(invite)
    expect(await bob.look(request)).toBe(true)
    expect(bob.requests.size).toBe(0)
    expect(bob.rejected).toEqual([['bad_signature', request.key, deviceTag(request.entry.header.author), 'the invitation proof does not verify']])
    expect(await bob.look(request)).toBe(false)
    expect(bob.rejected).toHaveLength(1)
  })

  it('a request the circle already admitted or refused (every open reads every request ever made) is not checked; should the decision be voided, it is checked then', async () => {
    const bob = await bobsDevice(await generateDeviceKeys())
    const eve = await importDeviceSigner(await generateDeviceKeys())
    const admitted = await carolAsks()
    // Eve's forged request, refused by an admitter: its bad proof is not looked at again.
    const refused = await carolAsks((m) => eve.sign(m))
    bob.invites.push(admitted.invite, refused.invite)
    bob.decided.add(admitted.request.hash).add(refused.request.hash)
    bob.side.wait(admitted.request)
    bob.side.wait(refused.request)
    expect(await bob.look()).toBe(false)
    expect(bob.proofsChecked).toHaveLength(0)
    expect(bob.requests.size).toBe(0)
    expect(bob.rejected).toEqual([])
    expect(bob.side.isSettled(admitted.request.hash)).toBe(false)
    // The admission of Carol is voided (its admitter turned out removed before it): her request is open again, and checked.
    bob.decided.delete(admitted.request.hash)
    expect(await bob.look()).toBe(true)
    expect(bob.proofsChecked).toEqual([decodeRequest(admitted.request.plain!)!.proof])
    expect([...bob.requests.keys()]).toEqual([admitted.request.hash])
    expect(bob.rejected).toEqual([])
  })

  it('requests wait for a full look: a look for keys only (the pump’s, as entries come) leaves them', async () => {
    const bob = await bobsDevice(await generateDeviceKeys())
    const { request, invite } = await carolAsks()
    bob.invites.push(invite)
    bob.side.wait(request)
    // A request alone does not make the pump look at once.
    expect(bob.side.fresh).toBe(false)
    expect(await bob.side.settle(true)).toBe(false)
    expect(bob.proofsChecked).toHaveLength(0)
    expect(bob.requests.size).toBe(0)
    expect(await bob.side.settle()).toBe(true)
    expect(bob.requests.size).toBe(1)
  })

  it('a request Bob has on record already keeps when he first saw it', async () => {
    const bob = await bobsDevice(await generateDeviceKeys())
    const { request, invite } = await carolAsks()
    bob.invites.push(invite)
    const before = { hash: request.hash, tag: 'carol', sign: new Uint8Array(32), agree: new Uint8Array(32), name: 'Carol', invite: invite.id, seenAt: 1 }
    bob.requests.set(request.hash, before)
    expect(await bob.look(request)).toBe(true)
    expect(bob.requests.get(request.hash)).toBe(before)
  })

  it('a request that does not decode is settled at once, recorded nowhere', async () => {
    const bob = await bobsDevice(await generateDeviceKeys())
    const eve = await generateDeviceKeys()
    const junk = entry('request', eve.signPublic, text('{"v":1,"name":"Eve"}'))
    expect(await bob.look(junk)).toBe(true)
    expect(bob.side.isSettled(junk.hash)).toBe(true)
    expect(bob.requests.size).toBe(0)
  })
})

describe('welcomes', () => {
  const welcome = async (alice: DeviceKeyMaterial, to: Uint8Array, answering: string) =>
    entry('welcome', alice.signPublic, encodeWelcome(answering, await sealLockboxes([{ agreePublic: to, payload: encodeGift(gift) }], lockboxContext('welcome', BOARD, fromBase64url(answering)!))))

  it('Alice’s welcome answering Bob’s own request gives Bob its keys, once', async () => {
    const [alice, keys] = [await generateDeviceKeys(), await generateDeviceKeys()]
    const mine = hash()
    const bob = await bobsDevice(keys, { ownRequest: mine })
    const w = await welcome(alice, keys.agreePublic, mine)
    expect(await bob.look(w)).toBe(true)
    expect(bob.taken).toEqual([[gift, { kind: 'welcome', sealedUnder: toBase64url(KEY_ID), from: null }]])
    expect(await bob.look(w)).toBe(false)
    expect(bob.taken).toHaveLength(1)
  })

  it('a welcome whose keys are not the board’s is refused and gives nothing; one whose board has not arrived yet waits, and gives Bob his keys once it has (welcome-check.ts)', async () => {
    const [mallory, keys] = [await generateDeviceKeys(), await generateDeviceKeys()]
    const mine = hash()
    const state: { ownRequest: string; theBoards: boolean | null } = { ownRequest: mine, theBoards: false }
    const bob = await bobsDevice(keys, state)
    const forged = await welcome(mallory, keys.agreePublic, mine)
    expect(await bob.look(forged)).toBe(true)
    expect(bob.taken).toEqual([])
    expect(bob.rejected).toEqual([['bad_payload', forged.key, deviceTag(mallory.signPublic), 'a welcome whose keys are not the board’s, or whose room is not the one this device asked in']])
    // One with no content key (a relay's kind) gives a member's device nothing either.
    const empty: KeyGift = { contentKeys: [], transport: gift.transport }
    const keyless = entry('welcome', mallory.signPublic, encodeWelcome(mine, await sealLockboxes([{ agreePublic: keys.agreePublic, payload: encodeGift(empty) }], lockboxContext('welcome', BOARD, fromBase64url(mine)!))))
    state.theBoards = true
    expect(await bob.look(keyless)).toBe(true)
    expect(bob.taken).toEqual([])
    expect(bob.rejected.map(([reason]) => reason)).toEqual(['bad_payload', 'bad_payload'])
    state.theBoards = null
    const early = await welcome(mallory, keys.agreePublic, mine)
    expect(await bob.look(early)).toBe(false)
    expect(bob.side.isSettled(early.hash)).toBe(false)
    expect(bob.taken).toEqual([])
    state.theBoards = true
    expect(await bob.look()).toBe(true)
    expect(bob.taken).toHaveLength(1)
  })

  it('Bob joins a large board: his keys are taken before the dozens of old requests it brings are checked, though his welcome came last', async () => {
    const [alice, keys] = [await generateDeviceKeys(), await generateDeviceKeys()]
    const mine = hash()
    const bob = await bobsDevice(keys, { ownRequest: mine })
    for (let i = 0; i < 12; i++) {
      const invitation = await deriveInvitation(generateInvitationSecret())
      const asker = await generateDeviceKeys()
      const proof = await invitation.signer.sign(requestProofMessage(BOARD, asker.signPublic, asker.agreePublic))
      bob.side.wait(entry('request', asker.signPublic, encodeRequest({ name: `Member ${i}`, agree: asker.agreePublic, invite: invitation.id, proof })))
      bob.invites.push({ id: toBase64url(invitation.id), pub: invitation.publicKey })
    }
    expect(await bob.look(await welcome(alice, keys.agreePublic, mine))).toBe(true)
    expect(bob.events[0]).toBe('keys')
    expect(bob.events).toHaveLength(13)
    expect(bob.requests.size).toBe(12)
  })

  it('Bob reads Alice’s welcome before his own request had its turn: it waits, and gives him his keys once his request is handled', async () => {
    const [alice, keys] = [await generateDeviceKeys(), await generateDeviceKeys()]
    const mine = hash()
    const state: { ownRequest?: string; ownRequestWaiting?: boolean } = { ownRequestWaiting: true }
    const bob = await bobsDevice(keys, state)
    const w = await welcome(alice, keys.agreePublic, mine)
    expect(await bob.look(w)).toBe(false)
    expect(bob.side.isSettled(w.hash)).toBe(false)
    expect(bob.taken).toEqual([])
    state.ownRequestWaiting = false
    state.ownRequest = mine
    expect(await bob.look()).toBe(true)
    expect(bob.taken).toEqual([[gift, { kind: 'welcome', sealedUnder: toBase64url(KEY_ID), from: null }]])
  })

  it('a welcome answering Carol’s request is not Bob’s, even sealed to Bob’s key: settled, nothing taken', async () => {
    const [eve, keys] = [await generateDeviceKeys(), await generateDeviceKeys()]
    const bob = await bobsDevice(keys, { ownRequest: hash() })
    expect(await bob.look(await welcome(eve, keys.agreePublic, hash()))).toBe(true)
    expect(bob.taken).toEqual([])
  })

  it('a welcome before Bob asked, or one that does not decode, is settled with nothing taken', async () => {
    const [alice, keys] = [await generateDeviceKeys(), await generateDeviceKeys()]
    const early = await bobsDevice(keys)
    expect(await early.look(await welcome(alice, keys.agreePublic, hash()))).toBe(true)
    expect(early.taken).toEqual([])
    const bob = await bobsDevice(keys, { ownRequest: hash() })
    expect(await bob.look(entry('welcome', alice.signPublic, new Uint8Array(16)))).toBe(true)
    expect(bob.taken).toEqual([])
  })

  it('a welcome for Bob’s request whose lockbox is sealed to another device gives Bob nothing', async () => {
    const [alice, keys, other] = [await generateDeviceKeys(), await generateDeviceKeys(), await generateDeviceKeys()]
    const mine = hash()
    const bob = await bobsDevice(keys, { ownRequest: mine })
    expect(await bob.look(await welcome(alice, other.agreePublic, mine))).toBe(true)
    expect(bob.taken).toEqual([])
  })
})

describe('rotations', () => {
  /** The key the rotation names: the one its lockboxes give. */
  const NEW_KEY = keyId(gift.contentKeys[0]!)
  const PARENT = Uint8Array.from({ length: 8 }, (_, i) => 70 + i)
  const rotation = async (alice: DeviceKeyMaterial, to: Uint8Array, control: string) =>
    entry('rotate', alice.signPublic, encodeRotate(NEW_KEY, PARENT, control, await sealLockboxes([{ agreePublic: to, payload: encodeGift(gift) }], lockboxContext('rotate', BOARD, NEW_KEY))))
  const fromAlice = { kind: 'rotate', sealedUnder: toBase64url(KEY_ID), from: toBase64url(PARENT) }

  /** Alice's membership change `control` rotated to NEW_KEY, sent to `recipients`. */
  async function setting(opts: { carrier?: boolean; knownKeys?: string[]; knownTransports?: string[] } = {}) {
    const [alice, keys] = [await generateDeviceKeys(), await generateDeviceKeys()]
    const bob = await bobsDevice(keys, opts)
    const control = hash()
    const r = await rotation(alice, keys.agreePublic, control)
    const epoch = (hash: string, ...recipients: string[]) => bob.epochs.set(toBase64url(NEW_KEY), { hash, recipients: new Set(recipients) })
    return { bob, control, r, bobTag: deviceTag(keys.signPublic), aliceTag: deviceTag(alice.signPublic), epoch }
  }

  it('waits while Alice’s membership change is unknown or waiting, and Bob takes the new key once it is valid and names him', async () => {
    const { bob, control, r, bobTag, epoch } = await setting()
    expect(await bob.look(r)).toBe(false)
    bob.verdicts.set(control, 'waiting')
    expect(await bob.look()).toBe(false)
    expect(bob.taken).toEqual([])
    bob.verdicts.set(control, 'ok')
    epoch(control, bobTag)
    expect(await bob.look()).toBe(true)
    expect(bob.taken).toEqual([[gift, fromAlice]])
    expect(bob.side.isSettled(r.hash)).toBe(true)
  })

  it('a lockbox for Bob that opens, holding another key than the rotation names: he takes nothing, and his device says he is left out', async () => {
    const [alice, keys] = [await generateDeviceKeys(), await generateDeviceKeys()]
    const bob = await bobsDevice(keys)
    const control = hash()
    const other: KeyGift = { contentKeys: [new Uint8Array(32).fill(3)], transport: new Uint8Array(32).fill(4) }
    const r = entry('rotate', alice.signPublic, encodeRotate(NEW_KEY, PARENT, control, await sealLockboxes([{ agreePublic: keys.agreePublic, payload: encodeGift(other) }], lockboxContext('rotate', BOARD, NEW_KEY))))
    bob.verdicts.set(control, 'ok')
    bob.epochs.set(toBase64url(NEW_KEY), { hash: control, recipients: new Set([deviceTag(keys.signPublic)]) })
    expect(await bob.look(r)).toBe(true)
    expect(bob.taken).toEqual([])
    expect(bob.rejected).toEqual([['left_out', r.key, deviceTag(alice.signPublic), 'this device is among the rotation’s recipients, but its lockbox holds another key than the one the rotation names']])
  })

  it('Eve’s rotation whose membership change was refused is settled, and Bob does not follow it', async () => {
    const { bob, control, r } = await setting()
    bob.verdicts.set(control, 'not_allowed')
    expect(await bob.look(r)).toBe(true)
    expect(bob.taken).toEqual([])
  })

  it('a rotation to a key Bob already has (its content key or its transport) is settled without taking it again', async () => {
    for (const known of [{ knownKeys: [toBase64url(NEW_KEY)] }, { knownTransports: [toBase64url(NEW_KEY)] }]) {
      const { bob, control, r, bobTag, epoch } = await setting(known)
      bob.verdicts.set(control, 'ok')
      epoch(control, bobTag)
      expect(await bob.look(r)).toBe(true)
      expect(bob.taken).toEqual([])
    }
  })

  it('a valid change whose key was not sent to Bob (Alice removed him) is settled; the lockbox Eve added for him is not opened', async () => {
    const { bob, control, r, aliceTag, epoch } = await setting()
    bob.verdicts.set(control, 'ok')
    epoch(control, aliceTag)
    expect(await bob.look(r)).toBe(true)
    expect(bob.taken).toEqual([])
  })

  it('Eve’s rotation names a valid change of Alice’s, but the key is another change’s or no change’s: settled, not followed', async () => {
    const noEpoch = await setting()
    noEpoch.bob.verdicts.set(noEpoch.control, 'ok')
    expect(await noEpoch.bob.look(noEpoch.r)).toBe(true)
    const another = await setting()
    another.bob.verdicts.set(another.control, 'ok')
    another.epoch(hash(), another.bobTag)
    expect(await another.bob.look(another.r)).toBe(true)
    expect([...noEpoch.bob.taken, ...another.bob.taken]).toEqual([])
  })

  it('a relay cannot read membership: it takes a rotation sealed to its key as soon as it sees it', async () => {
    const { bob, r } = await setting({ carrier: true })
    expect(await bob.look(r)).toBe(true)
    expect(bob.taken).toEqual([[gift, fromAlice]])
  })

  it('a rotation that does not decode is settled at once', async () => {
    const { bob } = await setting()
    const junk = entry('rotate', new Uint8Array(32), new Uint8Array(32))
    expect(await bob.look(junk)).toBe(true)
    expect(bob.side.isSettled(junk.hash)).toBe(true)
    expect(bob.taken).toEqual([])
  })
})
