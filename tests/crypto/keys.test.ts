import { describe, expect, it, onTestFinished, vi } from 'vitest'
import {
  asTransportSecret,
  deriveTransportKeys,
  fromBase64url,
  generateTransportSecret,
  generateContentKey,
  importContentKey,
  legacyContentKey,
  toBase64url,
  type TransportSecret,
} from '../../src/crypto/index.ts'

const fixedSecret = Uint8Array.from({ length: 32 }, (_, i) => 200 - i) as TransportSecret

/** HKDF-SHA256 through WebCrypto, independently of the noble-based code under test. */
async function webCryptoHkdf(secret: Uint8Array, label: string, length: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new Uint8Array(secret), 'HKDF', false, ['deriveBits'])
  const info = new TextEncoder().encode(label)
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new TextEncoder().encode('hearth/v1'), info }, key, length * 8))
}

describe('transport secrets', () => {
  it('are 32 fresh random bytes, and only 32 bytes pass as one', () => {
    const a = generateTransportSecret()
    expect(a).toHaveLength(32)
    expect(a).not.toEqual(generateTransportSecret())
    expect(asTransportSecret(new Uint8Array(32))).not.toBeNull()
    expect(asTransportSecret(new Uint8Array(31))).toBeNull()
    expect(asTransportSecret(new Uint8Array(33))).toBeNull()
  })
})

describe('content keys', () => {
  it('are 32 fresh random bytes', () => {
    const k = generateContentKey()
    expect(k).toHaveLength(32)
    expect(k).not.toEqual(generateContentKey())
  })

  it('of a board from before sealed boards is HKDF(secret, "legacy-content-key"), unlike any transport value', async () => {
    const key = legacyContentKey(fixedSecret)
    expect(key).toEqual(await webCryptoHkdf(fixedSecret, 'legacy-content-key', 32))
    const transport = deriveTransportKeys(fixedSecret)
    expect([transport.boardId, transport.room.slice(3), transport.password]).not.toContain(toBase64url(key))
  })

  it('are imported non-extractable: a script that reaches the CryptoKey still cannot read the key', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    onTestFinished(() => importKey.mockRestore())
    await importContentKey(generateContentKey())
    expect(importKey).toHaveBeenCalledWith('raw', expect.anything(), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
  })

  it('must be exactly 32 bytes', async () => {
    await expect(importContentKey(new Uint8Array(31))).rejects.toThrow(/32 bytes/)
    await expect(importContentKey(new Uint8Array(33))).rejects.toThrow(/32 bytes/)
  })

  it('encrypt with a fresh 12-byte nonce every time', async () => {
    const cipher = await importContentKey(generateContentKey())
    const plain = new TextEncoder().encode('same words twice')
    const a = await cipher.encrypt(plain, new Uint8Array(0))
    const b = await cipher.encrypt(plain, new Uint8Array(0))
    expect(a.nonce).toHaveLength(12)
    expect(a.nonce).not.toEqual(b.nonce)
    expect(a.ciphertext).not.toEqual(b.ciphertext)
    expect(await cipher.decrypt(b.nonce, b.ciphertext, new Uint8Array(0))).toEqual(plain)
    expect(await cipher.decrypt(a.nonce, b.ciphertext, new Uint8Array(0))).toBeNull()
  })
})

describe('base64url is strict', () => {
  it('decodes to exactly the bytes encoded, for every remainder of the length', () => {
    expect(fromBase64url('Zg')).toEqual(new TextEncoder().encode('f'))
    expect(fromBase64url('Zm8')).toEqual(new TextEncoder().encode('fo'))
    expect(fromBase64url('Zm9v')).toEqual(new TextEncoder().encode('foo'))
    expect(fromBase64url('')).toEqual(new Uint8Array(0))
    expect(toBase64url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_')
    expect(fromBase64url('-_-_')).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]))
  })

  it('refuses an impossible length and altered trailing bits', () => {
    expect(fromBase64url('Zm9vY')).toBeNull()
    // One character too many, even one that carries only zero bits.
    expect(fromBase64url('Zm9vA')).toBeNull()
    expect(fromBase64url('A')).toBeNull()
    // "Zh" and "Zm9" decode to the same bits as "Zg" and "Zm8" plus nonzero leftovers: an altered invite.
    expect(fromBase64url('Zh')).toBeNull()
    expect(fromBase64url('Zm9')).toBeNull()
  })
})
