/**
 * The byte formats two devices must agree on, computed a second way here
 * (WebCrypto's HKDF and SHA-256, @noble/curves' Ed25519) rather than only
 * round-tripped: a changed label or offset would still round-trip on one
 * device, and then Alice's phone and Bob's older one would stop reading each
 * other's lockboxes, invitations and key ids.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import {
  deriveInvitation,
  foundedBoardId,
  generateDeviceKeys,
  importAgreement,
  invitationId,
  keyId,
  keyIdHex,
  lockboxCount,
  openLockbox,
  publicEntryKey,
  sealLockboxes,
  toBase64url,
  verifySignature,
  type TransportSecret,
} from '../../src/crypto/index.ts'

const text = (s: string) => new TextEncoder().encode(s)
const cat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]))
const sha256 = async (b: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(b)))

async function hkdf(secret: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(secret), 'HKDF', false, ['deriveBits'])
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(salt), info: new Uint8Array(info) }, key, length * 8))
}

describe('key ids', () => {
  it('are the first 8 bytes of SHA-256("hearth/v2/key-id\\0" ‖ key), written as hex with leading zeros', async () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7)
    expect(keyId(key)).toEqual((await sha256(cat(text('hearth/v2/key-id\0'), key))).subarray(0, 8))
    expect(keyIdHex(Uint8Array.from([0x00, 0x0a, 0xff, 0x10]))).toBe('000aff10')
  })
})

describe('invitations', () => {
  it('Alice and Bob derive from the secret in the link the same invitation key, id and request key, by HKDF with their own labels', async () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => 100 + i)
    const salt = text('hearth/v2/invitation')
    const seed = await hkdf(secret, salt, text('signing-seed'), 32)
    const publicKey = ed25519.getPublicKey(seed)
    const invitation = await deriveInvitation(secret)
    expect(invitation.publicKey).toEqual(publicKey)
    expect(invitation.id).toEqual((await sha256(publicKey)).subarray(0, 16))
    expect(invitationId(publicKey)).toEqual(invitation.id)
    expect(invitation.requestKey).toEqual(await hkdf(secret, salt, text('request-key'), 32))
    const request = text('hearth/v2/request')
    const signature = await invitation.signer.sign(request)
    expect(signature).toEqual(ed25519.sign(request, seed))
    expect(await verifySignature(publicKey, signature, request)).toBe(true)
  })
})

describe('board values', () => {
  it('a founded board id is SHA-256("hearth/v2/board\\0" ‖ founder ‖ nonce), 16 bytes in base64url', async () => {
    const founder = Uint8Array.from({ length: 32 }, (_, i) => i)
    const nonce = Uint8Array.from({ length: 16 }, (_, i) => 255 - i)
    expect(foundedBoardId(founder, nonce)).toBe(toBase64url((await sha256(cat(text('hearth/v2/board\0'), founder, nonce))).subarray(0, 16)))
  })

  it('the public-entry key is HKDF(transport secret, "hearth/v1", "public-entries")', async () => {
    const secret = Uint8Array.from({ length: 32 }, (_, i) => 3 * i) as TransportSecret
    expect(publicEntryKey(secret)).toEqual(await hkdf(secret, text('hearth/v1'), text('public-entries'), 32))
  })
})

describe('a lockbox set, byte for byte', () => {
  it('is ephemeral key ‖ count ‖ (id ‖ length ‖ AES-GCM) per box, each keyed by HKDF(shared, ephemeral ‖ recipient, "hearth/v2/lockbox\\0" ‖ context)', async () => {
    const bobKeys = await generateDeviceKeys()
    const carolKeys = await generateDeviceKeys()
    const bob = await importAgreement(bobKeys.agreePkcs8, bobKeys.agreePublic)
    const context = text('board 1 / rotation')
    const set = await sealLockboxes(
      [
        { agreePublic: carolKeys.agreePublic, payload: text('for Carol, longer') },
        { agreePublic: bobKeys.agreePublic, payload: text('for Bob') },
      ],
      context,
    )
    const view = new DataView(set.buffer, set.byteOffset, set.byteLength)
    const ephemeral = set.subarray(0, 32)
    expect(view.getUint32(32)).toBe(2)
    // Carol's box first: 8-byte id, its length, then 17 bytes of payload and a 16-byte tag.
    expect(view.getUint32(36 + 8)).toBe(17 + 16)
    const bobsAt = 36 + 8 + 4 + 17 + 16
    expect(view.getUint32(bobsAt + 8)).toBe(7 + 16)
    expect(set).toHaveLength(bobsAt + 8 + 4 + 7 + 16)
    const shared = (await bob.derive(ephemeral))!
    const okm = await hkdf(shared, cat(ephemeral, bobKeys.agreePublic), cat(text('hearth/v2/lockbox\0'), context), 32 + 12 + 8)
    expect(set.subarray(bobsAt, bobsAt + 8)).toEqual(okm.subarray(44))
    const key = await crypto.subtle.importKey('raw', okm.slice(0, 32), 'AES-GCM', false, ['decrypt'])
    const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: okm.slice(32, 44) }, key, set.slice(bobsAt + 12))
    expect(new TextDecoder().decode(opened)).toBe('for Bob')
    expect(new TextDecoder().decode((await openLockbox(set, bob, context))!)).toBe('for Bob')
  })

  it('Bob finds his box behind others, and a set that lies about its boxes is refused without throwing', async () => {
    const [alice, bob] = await Promise.all([generateDeviceKeys(), generateDeviceKeys()])
    const me = await importAgreement(bob.agreePkcs8, bob.agreePublic)
    const set = await sealLockboxes(
      [
        { agreePublic: alice.agreePublic, payload: text('for Alice') },
        { agreePublic: bob.agreePublic, payload: text('for Bob') },
      ],
      text('c'),
    )
    expect(new TextDecoder().decode((await openLockbox(set, me, text('c')))!)).toBe('for Bob')
    // Claims one box only: Bob's, the second, is not read.
    const one = new Uint8Array(set)
    new DataView(one.buffer).setUint32(32, 1)
    expect(await openLockbox(one, me, text('c'))).toBeNull()
    // The first box's length runs past the end of the set.
    const long = new Uint8Array(set)
    new DataView(long.buffer).setUint32(36 + 8, set.length)
    expect(await openLockbox(long, me, text('c'))).toBeNull()
    // Cut right after the first box: the second box's id and length are missing.
    const firstEnd = 36 + 8 + 4 + new DataView(set.buffer).getUint32(36 + 8)
    expect(await openLockbox(set.subarray(0, firstEnd + 11), me, text('c'))).toBeNull()
    // Counts are read from a set inside a larger buffer.
    const inside = new Uint8Array(set.length + 10)
    inside.set(set, 5)
    expect(lockboxCount(inside.subarray(5, 5 + set.length))).toBe(2)
    expect(new TextDecoder().decode((await openLockbox(inside.subarray(5, 5 + set.length), me, text('c')))!)).toBe('for Bob')
  })

  it('no more than 100,000 boxes in a set', async () => {
    const bob = await generateDeviceKeys()
    const set = await sealLockboxes([{ agreePublic: bob.agreePublic, payload: text('x') }], text('c'))
    const claims = (n: number) => {
      const copy = new Uint8Array(set)
      new DataView(copy.buffer).setUint32(32, n)
      return copy
    }
    expect(lockboxCount(claims(100_000))).toBe(100_000)
    expect(lockboxCount(claims(100_001))).toBeNull()
    expect(lockboxCount(new Uint8Array(35))).toBeNull()
    expect(lockboxCount(new Uint8Array(36))).toBe(0)
    const me = await importAgreement(bob.agreePkcs8, bob.agreePublic)
    // A count at the limit is read (and the box found); one over is refused before any work.
    expect(new TextDecoder().decode((await openLockbox(claims(100_000), me, text('c')))!)).toBe('x')
    expect(await openLockbox(claims(100_001), me, text('c'))).toBeNull()
    await expect(sealLockboxes(Array.from({ length: 100_001 }, () => ({ agreePublic: bob.agreePublic, payload: text('x') })), text('c'))).rejects.toThrow(new RangeError('too many lockboxes'))
    // 100,000 recipients are allowed (keys that cannot agree are skipped at once, so this is quick).
    const unusable = await sealLockboxes(Array.from({ length: 100_000 }, () => ({ agreePublic: new Uint8Array(0), payload: text('x') })), text('c'))
    expect(lockboxCount(unusable)).toBe(0)
  })

  it('recipients whose keys cannot agree (wrong length, low order) get no box; the others do', async () => {
    const bob = await generateDeviceKeys()
    const set = await sealLockboxes(
      [
        { agreePublic: new Uint8Array(32), payload: text('for nobody') },
        { agreePublic: new Uint8Array(31), payload: text('for nobody') },
        { agreePublic: bob.agreePublic, payload: text('for Bob') },
      ],
      text('c'),
    )
    expect(lockboxCount(set)).toBe(1)
    expect(new TextDecoder().decode((await openLockbox(set, await importAgreement(bob.agreePkcs8, bob.agreePublic), text('c')))!)).toBe('for Bob')
  })

  it('a set whose one-time key cannot agree, or whose last box claims more bytes than it has, opens for nobody, without throwing', async () => {
    const bob = await generateDeviceKeys()
    const me = await importAgreement(bob.agreePkcs8, bob.agreePublic)
    const set = await sealLockboxes([{ agreePublic: bob.agreePublic, payload: text('for Bob') }], text('c'))
    const lowOrder = new Uint8Array(set)
    lowOrder.fill(0, 0, 32)
    expect(await openLockbox(lowOrder, me, text('c'))).toBeNull()
    const overlong = new Uint8Array(set)
    new DataView(overlong.buffer).setUint32(36 + 8, set.length - 36 - 12 + 1)
    expect(await openLockbox(overlong, me, text('c'))).toBeNull()
  })

  it('box keys are imported into WebCrypto non-extractable', async () => {
    const bob = await generateDeviceKeys()
    const me = await importAgreement(bob.agreePkcs8, bob.agreePublic)
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    onTestFinished(() => importKey.mockRestore())
    const set = await sealLockboxes([{ agreePublic: bob.agreePublic, payload: text('for Bob') }], text('c'))
    await openLockbox(set, me, text('c'))
    const aes = importKey.mock.calls.filter((c) => (c[2] as { name?: string }).name === 'AES-GCM')
    expect(aes.map((c) => [c[3], c[4]])).toEqual([
      [false, ['encrypt']],
      [false, ['decrypt']],
    ])
  })
})
