import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import {
  boundClientId,
  deriveInvitation,
  generateDeviceKeys,
  generateInvitationSecret,
  importAgreement,
  keyId,
  legacyBoundClientId,
  lockboxCount,
  openLockbox,
  sealLockboxes,
  verifySignature,
} from '../../src/crypto/index.ts'

const device = async () => {
  const keys = await generateDeviceKeys()
  return { keys, agreement: await importAgreement(keys.agreePkcs8, keys.agreePublic) }
}
const text = (s: string) => new TextEncoder().encode(s)
const context = text('test-context')

describe('lockboxes', () => {
  it('Ana seals a key to Bob and Carol: each opens their own box, Eve opens none', async () => {
    const [bob, carol, eve] = await Promise.all([device(), device(), device()])
    const set = await sealLockboxes(
      [
        { agreePublic: bob.keys.agreePublic, payload: text('for Bob') },
        { agreePublic: carol.keys.agreePublic, payload: text('for Carol') },
      ],
      context,
    )
    expect(lockboxCount(set)).toBe(2)
    expect(new TextDecoder().decode((await openLockbox(set, bob.agreement, context))!)).toBe('for Bob')
    expect(new TextDecoder().decode((await openLockbox(set, carol.agreement, context))!)).toBe('for Carol')
    expect(await openLockbox(set, eve.agreement, context)).toBeNull()
    // Bound to its purpose: the same set under another context opens for nobody.
    expect(await openLockbox(set, bob.agreement, text('another board'))).toBeNull()
    // Boxes do not name their recipients: neither public key appears in the set.
    const hex = Buffer.from(set).toString('hex')
    for (const k of [bob.keys.agreePublic, carol.keys.agreePublic]) expect(hex).not.toContain(Buffer.from(k).toString('hex'))
  })

  it('a tampered box does not open, and malformed sets are refused without throwing', async () => {
    const bob = await device()
    const set = await sealLockboxes([{ agreePublic: bob.keys.agreePublic, payload: text('key') }], context)
    const tampered = new Uint8Array(set)
    tampered[tampered.length - 1]! ^= 1
    expect(await openLockbox(tampered, bob.agreement, context)).toBeNull()
    for (const junk of [new Uint8Array(0), new Uint8Array(35), new Uint8Array([...set.subarray(0, 36), 1, 2, 3])]) expect(await openLockbox(junk, bob.agreement, context)).toBeNull()
    const lying = new Uint8Array(set)
    new DataView(lying.buffer).setUint32(32, 2 ** 31)
    expect(await openLockbox(lying, bob.agreement, context)).toBeNull()
  })

  it('a rotation for 1,000 devices: sealing on one device, opening on one', async () => {
    const recipients = await Promise.all(Array.from({ length: 1000 }, async () => (await generateDeviceKeys()).agreePublic))
    const me = await device()
    recipients[500] = me.keys.agreePublic
    const t0 = performance.now()
    const set = await sealLockboxes(recipients.map((agreePublic) => ({ agreePublic, payload: new Uint8Array(100) })), context)
    const sealMs = performance.now() - t0
    const t1 = performance.now()
    expect(await openLockbox(set, me.agreement, context)).toEqual(new Uint8Array(100))
    console.log(`[measure] lockboxes for 1,000 devices: sealed in ${sealMs.toFixed(0)} ms (${(set.length / 1024).toFixed(0)} KiB), one opened in ${(performance.now() - t1).toFixed(1)} ms`)
    expect(lockboxCount(set)).toBe(1000)
  })
})

describe('invitations', () => {
  it('the inviter and the newcomer derive the same invitation key, id and request key from the secret; nothing else does', async () => {
    const secret = generateInvitationSecret()
    const a = await deriveInvitation(secret)
    const b = await deriveInvitation(new Uint8Array(secret))
    expect(b.id).toEqual(a.id)
    expect(b.publicKey).toEqual(a.publicKey)
    expect(b.requestKey).toEqual(a.requestKey)
    const other = await deriveInvitation(generateInvitationSecret())
    expect(other.publicKey).not.toEqual(a.publicKey)
    const message = text('hearth/v2/request')
    expect(await verifySignature(a.publicKey, await b.signer.sign(message), message)).toBe(true)
    expect(await verifySignature(other.publicKey, await b.signer.sign(message), message)).toBe(false)
    await expect(deriveInvitation(new Uint8Array(31))).rejects.toThrow(new RangeError('An invitation secret is 32 bytes'))
  })

  it('key ids name keys without revealing them', () => {
    const k = new Uint8Array(32).fill(5)
    expect(keyId(k)).toHaveLength(8)
    expect(keyId(k)).toEqual(keyId(new Uint8Array(32).fill(5)))
    expect(keyId(k)).not.toEqual(keyId(new Uint8Array(32).fill(6)))
  })
})

describe('Yjs client ids bound to a key', () => {
  it('carry 53 bits, survive every Yjs path the board uses, and stay distinct from the old 32-bit ids', async () => {
    const keys = await generateDeviceKeys()
    const id = boundClientId(keys.signPublic)
    expect(Number.isSafeInteger(id) && id > 0 && id < 2 ** 53).toBe(true)
    expect(legacyBoundClientId(keys.signPublic)).toBeLessThan(2 ** 32)
    // Over many keys, ids use the high bits (not a 32-bit value in disguise).
    const ids = await Promise.all(Array.from({ length: 64 }, async () => boundClientId((await generateDeviceKeys()).signPublic)))
    expect(ids.some((x) => x > 2 ** 40)).toBe(true)
    const doc = new Y.Doc()
    doc.clientID = id
    doc.getMap('items').set('a', 'b')
    const update = Y.encodeStateAsUpdate(doc)
    const other = new Y.Doc()
    Y.applyUpdate(other, update)
    expect([...other.store.clients.keys()]).toEqual([id])
    expect(Y.parseUpdateMeta(update).to.has(id)).toBe(true)
    expect(Y.decodeUpdate(update).structs[0]!.id.client).toBe(id)
    expect(Y.decodeStateVector(Y.encodeStateVectorFromUpdate(Y.mergeUpdates([update, update]))).get(id)).toBe(1)
  })
})
