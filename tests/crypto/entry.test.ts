import { describe, expect, it } from 'vitest'
import {
  encodeHeader,
  fingerprint,
  importContentKey,
  importDeviceSigner,
  MAX_ENTRY_BYTES,
  openEntry,
  parseEntry,
  sealEntry,
  verifyEntry,
  verifySignature,
  FIRST_KEY_ID,
  type DeviceKeyMaterial,
} from '../../src/crypto/index.ts'

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)))
const toHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('')

// RFC 8032 §7.1, TEST 2 (one-byte message).
const RFC8032 = {
  secret: hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb'),
  public: hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'),
  message: hex('72'),
  signature: hex('92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'),
}
// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
const pkcs8 = (seed: Uint8Array) => new Uint8Array([...hex('302e020100300506032b657004220420'), ...seed])

const fixedDevice: DeviceKeyMaterial = {
  signPkcs8: pkcs8(RFC8032.secret),
  signPublic: RFC8032.public,
  agreePkcs8: new Uint8Array(0),
  agreePublic: new Uint8Array(32),
}

describe('device signatures (Ed25519 through WebCrypto)', () => {
  it('matches the RFC 8032 test vector', async () => {
    const signer = await importDeviceSigner(fixedDevice)
    expect(toHex(await signer.sign(RFC8032.message))).toBe(toHex(RFC8032.signature))
    expect(await verifySignature(RFC8032.public, RFC8032.signature, RFC8032.message)).toBe(true)
    const altered = RFC8032.signature.slice()
    altered[5]! ^= 1
    expect(await verifySignature(RFC8032.public, altered, RFC8032.message)).toBe(false)
    expect(await verifySignature(new Uint8Array(31), RFC8032.signature, RFC8032.message)).toBe(false)
  })

  it('gives people a fingerprint they can read aloud', () => {
    expect(fingerprint(RFC8032.public)).toMatch(/^[0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}$/)
  })
})

describe('content encryption (AES-256-GCM through WebCrypto)', () => {
  it('matches a NIST GCM test vector (gcmEncryptExtIV256, Count 0 with AAD)', async () => {
    // Key, IV, PT, AAD → CT, Tag from NIST CAVP gcmEncryptExtIV256.rsp ([Keylen = 256][IVlen = 96][PTlen = 128][AADlen = 128][Taglen = 128], Count = 0).
    const key = hex('92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b')
    const iv = hex('ac93a1a6145299bde902f21a')
    const pt = hex('2d71bcfa914e4ac045b2aa60955fad24')
    const aad = hex('1e0889016f67601c8ebea4943bc23ad6')
    const cipher = await importContentKey(key, () => iv)
    const { nonce, ciphertext } = await cipher.encrypt(pt, aad)
    expect(toHex(nonce)).toBe(toHex(iv))
    expect(toHex(ciphertext)).toBe('8995ae2e6df3dbf96fac7b7137bae67f' + 'eca5aa77d51d4a0a14d9c51e1da474ab')
    expect(await cipher.decrypt(nonce, ciphertext, aad)).toEqual(pt)
    expect(await cipher.decrypt(nonce, ciphertext, new Uint8Array(16))).toBeNull()
  })
})

describe('sealed entries', () => {
  const boardId = Uint8Array.from({ length: 16 }, (_, i) => i)
  const header = { version: 2 as const, kind: 'update' as const, boardId, keyId: new Uint8Array(8).fill(3), author: RFC8032.public, seq: 7, from: 7 }

  it('seal → parse → verify → open round-trips, binding board, key, author and sequence', async () => {
    const cipher = await importContentKey(new Uint8Array(32).fill(1))
    const signer = await importDeviceSigner(fixedDevice)
    const entry = await sealEntry(header, new TextEncoder().encode('hello'), cipher, signer)
    const parsed = parseEntry(entry)
    if (!parsed.ok) throw new Error(parsed.error)
    expect(parsed.entry.header).toEqual(header)
    expect(await verifyEntry(parsed.entry)).toBe(true)
    expect(new TextDecoder().decode((await openEntry(parsed.entry, cipher))!)).toBe('hello')
    // Change any header field: the signature fails, and so would decryption (header is AEAD data).
    for (const changed of [{ ...header, seq: 8, from: 8 }, { ...header, keyId: new Uint8Array(8).fill(4) }, { ...header, boardId: new Uint8Array(16) }, { ...header, kind: 'control' as const }]) {
      const forged = new Uint8Array([...encodeHeader(changed), ...entry.subarray(encodeHeader(header).length)])
      const p = parseEntry(forged)
      if (!p.ok) throw new Error(p.error)
      expect(await verifyEntry(p.entry)).toBe(false)
      expect(await openEntry(p.entry, cipher)).toBeNull()
    }
    // Another content key cannot open it.
    expect(await openEntry(parsed.entry, await importContentKey(new Uint8Array(32).fill(2)))).toBeNull()
  })

  it('refuses to sign in someone else’s name', async () => {
    const cipher = await importContentKey(new Uint8Array(32))
    const signer = await importDeviceSigner(fixedDevice)
    await expect(sealEntry({ ...header, author: new Uint8Array(32) }, new Uint8Array(1), cipher, signer)).rejects.toThrow(/signed by its author/)
  })

  it('parses untrusted bytes without throwing, and names malformed and oversized input', () => {
    expect(parseEntry('text')).toEqual({ ok: false, error: 'malformed' })
    expect(parseEntry(new Uint8Array([0x48, 1]))).toEqual({ ok: false, error: 'malformed' })
    expect(parseEntry(new Uint8Array([0x48, 2, 1, 0]))).toEqual({ ok: false, error: 'malformed' })
    expect(parseEntry(new Uint8Array([0x48, 1, 9, 0]))).toEqual({ ok: false, error: 'malformed' })
    // Kinds that came with membership do not exist in version 1.
    expect(parseEntry(new Uint8Array([0x48, 1, 4, ...new Uint8Array(200)]))).toEqual({ ok: false, error: 'malformed' })
    const truncated = new Uint8Array([...encodeHeader(header), 1, 2, 3])
    expect(parseEntry(truncated)).toEqual({ ok: false, error: 'malformed' })
    const big = new Uint8Array(MAX_ENTRY_BYTES.update + 1)
    big.set([0x48, 2, 1])
    expect(parseEntry(big)).toEqual({ ok: false, error: 'oversized' })
    // seq 0, and from > seq, are malformed.
    const bad = encodeHeader({ ...header, kind: 'snapshot', seq: 3, from: 5 })
    expect(parseEntry(new Uint8Array([...bad, ...new Uint8Array(100)]))).toEqual({ ok: false, error: 'malformed' })
  })
})

describe('version 1 entries (before membership)', () => {
  it('are still read: epoch 0 stands for the board’s first key; any other epoch for a key nobody holds', async () => {
    const boardId = Uint8Array.from({ length: 16 }, (_, i) => i)
    const v1 = { version: 1 as const, kind: 'update' as const, boardId, keyId: FIRST_KEY_ID, author: RFC8032.public, seq: 2, from: 2 }
    const cipher = await importContentKey(new Uint8Array(32).fill(1))
    const entry = await sealEntry(v1, new Uint8Array([1, 2, 3]), cipher, await importDeviceSigner(fixedDevice))
    const parsed = parseEntry(entry)
    if (!parsed.ok) throw new Error(parsed.error)
    expect(parsed.entry.header).toEqual(v1)
    expect(await verifyEntry(parsed.entry)).toBe(true)
    // The same bytes read as version 2 do not verify (the signing context differs).
    const relabelled = new Uint8Array(entry)
    relabelled[1] = 2
    const p2 = parseEntry(relabelled)
    expect(p2.ok && (await verifyEntry(p2.entry))).toBe(false)
    const epoch1 = new Uint8Array([0x48, 1, 1, ...boardId, 1, ...RFC8032.public, 2, 2, ...new Uint8Array(100)])
    const p1 = parseEntry(epoch1)
    expect(p1.ok && p1.entry.header.keyId).toEqual(new Uint8Array(8).fill(0xff))
  })
})
