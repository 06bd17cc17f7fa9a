import { createHash } from 'node:crypto'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { boundClientId, legacyBoundClientId, deviceTag, fingerprint, generateDeviceKeys, importDeviceSigner, verifySignature } from '../../src/crypto/index.ts'

/** Each expectation below is computed here with node:crypto, independently of src/crypto. */
const sha256 = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest()
/** 64 fixed public keys; between them their hashes hold every kind of byte (some below 0x10). */
const keys = Array.from({ length: 64 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j * 7) & 0xff))

describe('a device’s names: tag, fingerprint and Yjs client id', () => {
  it('tags a device by base64url of the first 8 bytes of SHA-256 of its key', () => {
    for (const key of keys) expect(deviceTag(key)).toBe(sha256(key).subarray(0, 8).toString('base64url'))
  })

  it('shows a fingerprint of 4 groups of 4 upper-case hex digits of that hash, zeros kept', () => {
    let sawLeadingZero = false
    for (const key of keys) {
      const hex = sha256(key).subarray(0, 8).toString('hex').toUpperCase()
      sawLeadingZero ||= /^(..)*0/.test(hex)
      expect(fingerprint(key)).toBe(hex.match(/.{4}/g)!.join(' '))
    }
    expect(sawLeadingZero).toBe(true)
  })

  it('binds a Yjs client id to the key: the low 53 bits of the first 7 bytes of SHA-256("hearth/v2/yjs-client" ‖ key), never 0', () => {
    for (const key of keys) {
      const h = sha256(Buffer.from('hearth/v2/yjs-client'), key)
      const expected = Number((h.readBigUInt64BE(0) >> 8n) & (2n ** 53n - 1n))
      expect(boundClientId(key)).toBe(expected || 1)
      expect(Number.isSafeInteger(boundClientId(key))).toBe(true)
    }
    // Ids use the whole 53 bits (Yjs client ids are any safe integer), so two devices practically never collide.
    expect(keys.some((key) => boundClientId(key) >= 2 ** 52)).toBe(true)
  })

  it('keeps the 32-bit id of version 1 entries: the first 32 bits of SHA-256("hearth/v1/yjs-client" ‖ key), never 0', () => {
    for (const key of keys) {
      const expected = sha256(Buffer.from('hearth/v1/yjs-client'), key).readUInt32BE(0)
      expect(legacyBoundClientId(key)).toBe(expected || 1)
      expect(legacyBoundClientId(key)).not.toBe(boundClientId(key))
    }
    // Ids above 2^31 stay positive (Yjs client ids are unsigned).
    expect(keys.some((key) => legacyBoundClientId(key) >= 2 ** 31)).toBe(true)
  })
})

describe('device keys', () => {
  it('Alice’s new device signs what Bob can verify, and its X25519 key agrees with Bob’s', async () => {
    const alice = await generateDeviceKeys()
    const bob = await generateDeviceKeys()
    expect(alice.signPublic).toHaveLength(32)
    expect(alice.agreePublic).toHaveLength(32)
    expect(alice.signPublic).not.toEqual(bob.signPublic)
    const signer = await importDeviceSigner(alice)
    expect(signer.publicKey).toEqual(alice.signPublic)
    expect(signer.agreePublic).toEqual(alice.agreePublic)
    const message = new TextEncoder().encode('meeting at the blue door')
    const signature = await signer.sign(message)
    expect(await verifySignature(alice.signPublic, signature, message)).toBe(true)
    expect(await verifySignature(bob.signPublic, signature, message)).toBe(false)

    const agree = async (mine: typeof alice, theirs: typeof bob) => {
      const priv = await crypto.subtle.importKey('pkcs8', new Uint8Array(mine.agreePkcs8), { name: 'X25519' }, false, ['deriveBits'])
      const pub = await crypto.subtle.importKey('raw', new Uint8Array(theirs.agreePublic), { name: 'X25519' }, false, [])
      return new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: pub }, priv, 256))
    }
    expect(await agree(alice, bob)).toEqual(await agree(bob, alice))
  })

  it('never throws on a malformed key or signature, and still verifies afterwards', async () => {
    const alice = await generateDeviceKeys()
    const signer = await importDeviceSigner(alice)
    const message = new Uint8Array([1, 2, 3])
    const signature = await signer.sign(message)
    expect(await verifySignature(alice.signPublic, signature.subarray(0, 63), message)).toBe(false)
    expect(await verifySignature(alice.signPublic, new Uint8Array([...signature, 0]), message)).toBe(false)
    expect(await verifySignature(new Uint8Array([...alice.signPublic, 0]), signature, message)).toBe(false)
    // 32 bytes that are not a point on the curve.
    const notAPoint = new Uint8Array(32).fill(0xff)
    expect(await verifySignature(notAPoint, signature, message)).toBe(false)
    expect(await verifySignature(notAPoint, signature, message)).toBe(false)
    expect(await verifySignature(alice.signPublic, signature, message)).toBe(true)
  })

  it('imports the signing key non-extractable: scripts can sign with it, never read it', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    onTestFinished(() => importKey.mockRestore())
    await importDeviceSigner(await generateDeviceKeys())
    expect(importKey).toHaveBeenCalledWith('pkcs8', expect.anything(), { name: 'Ed25519' }, false, ['sign'])
  })

  it('answers false, never throws, when WebCrypto fails, and verifies again afterwards', async () => {
    const alice = await generateDeviceKeys()
    const message = new Uint8Array([7])
    const signature = await (await importDeviceSigner(alice)).sign(message)
    const verify = vi.spyOn(crypto.subtle, 'verify').mockRejectedValueOnce(new DOMException('engine failure', 'OperationError'))
    onTestFinished(() => verify.mockRestore())
    expect(await verifySignature(alice.signPublic, signature, message)).toBe(false)
    expect(await verifySignature(alice.signPublic, signature, message)).toBe(true)
  })
})
