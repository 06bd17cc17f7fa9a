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
    const cipher = await importContentKey(key, { random: () => iv })
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
    // Eve's key differs from Alice's in its last byte only: still not hers to sign for.
    const almost = RFC8032.public.slice()
    almost[31]! ^= 1
    await expect(sealEntry({ ...header, author: almost }, new Uint8Array(1), cipher, signer)).rejects.toThrow(/signed by its author/)
  })

  it('takes only bytes: the same numbers in a plain array are malformed', async () => {
    const entry = await sealEntry(header, new Uint8Array(1), await importContentKey(new Uint8Array(32)), await importDeviceSigner(fixedDevice))
    expect(parseEntry(entry).ok).toBe(true)
    expect(parseEntry([...entry])).toEqual({ ok: false, error: 'malformed' })
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
    // Signed under the version 1 context, byte for byte.
    const body = entry.subarray(0, entry.length - 64)
    const v1Signature = await (await importDeviceSigner(fixedDevice)).sign(new Uint8Array([...new TextEncoder().encode('hearth/v1/entry\0'), ...body]))
    expect(parsed.entry.signature).toEqual(v1Signature)
    const epoch1 = new Uint8Array([0x48, 1, 1, ...boardId, 1, ...RFC8032.public, 2, 2, ...new Uint8Array(100)])
    const p1 = parseEntry(epoch1)
    expect(p1.ok && p1.entry.header.keyId).toEqual(new Uint8Array(8).fill(0xff))
    // An epoch whose varint never ends within 8 bytes names no key at all.
    const endless = new Uint8Array([0x48, 1, 1, ...boardId, ...new Array(8).fill(0xff), ...RFC8032.public, 2, 2, ...new Uint8Array(100)])
    expect(parseEntry(endless)).toEqual({ ok: false, error: 'malformed' })
  })

  it('of the four kinds version 1 had, legacy included, are read; none after them', async () => {
    const boardId = Uint8Array.from({ length: 16 }, (_, i) => i)
    const cipher = await importContentKey(new Uint8Array(32).fill(1))
    const signer = await importDeviceSigner(fixedDevice)
    for (const kind of ['join', 'update', 'snapshot', 'legacy'] as const) {
      const v1 = { version: 1 as const, kind, boardId, keyId: FIRST_KEY_ID, author: RFC8032.public, seq: 2, from: 2 }
      const parsed = parseEntry(await sealEntry(v1, new Uint8Array([1]), cipher, signer))
      expect(parsed.ok && parsed.entry.header, kind).toEqual(v1)
    }
    const control = new Uint8Array([0x48, 1, 4, ...boardId, 0, ...RFC8032.public, 2, 2, ...new Uint8Array(100)])
    expect(parseEntry(control)).toEqual({ ok: false, error: 'malformed' })
  })
})

describe('the entry format, byte for byte', () => {
  const boardId = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i)
  const keyId = Uint8Array.from({ length: 8 }, (_, i) => 0x10 + i)
  const cipherWithNonce = (nonce: Uint8Array) => importContentKey(new Uint8Array(32).fill(7), { random: () => nonce })

  it('writes the header as "H", version 2, kind, board id, key id (8 bytes), author, seq, from (LEB128 varints)', () => {
    const kinds = { join: 0, update: 1, snapshot: 2, legacy: 3, control: 4, request: 5, welcome: 6, rotate: 7 } as const
    for (const [kind, index] of Object.entries(kinds) as [keyof typeof kinds, number][]) {
      const seq = kind === 'snapshot' ? 300 : 127
      const from = kind === 'snapshot' ? 128 : 127
      const bytes = encodeHeader({ kind, boardId, keyId, author: RFC8032.public, seq, from })
      const expected = [0x48, 2, index, ...boardId, ...keyId, ...RFC8032.public, ...(seq === 300 ? [0xac, 0x02] : [0x7f]), ...(from === 128 ? [0x80, 0x01] : [0x7f])]
      expect([...bytes]).toEqual(expected)
    }
  })

  it('signs "hearth/v2/entry\\0" ‖ header ‖ nonce ‖ ciphertext, so a signature is never valid in another context', async () => {
    const nonce = Uint8Array.from({ length: 12 }, (_, i) => i + 1)
    const header = { kind: 'join' as const, boardId, keyId, author: RFC8032.public, seq: 1, from: 1 }
    const entry = await sealEntry(header, new TextEncoder().encode('Alice'), await cipherWithNonce(nonce), await importDeviceSigner(fixedDevice))
    const parsed = parseEntry(entry)
    if (!parsed.ok) throw new Error(parsed.error)
    const body = entry.subarray(0, entry.length - 64)
    expect(parsed.entry.headerBytes).toEqual(encodeHeader(header))
    expect(parsed.entry.nonce).toEqual(nonce)
    expect(parsed.entry.ciphertext).toEqual(body.subarray(encodeHeader(header).length + 12))
    expect(parsed.entry.ciphertext).toHaveLength(5 + 16)
    // Ed25519 is deterministic: the signature is exactly the one over the context-prefixed body.
    const context = new TextEncoder().encode('hearth/v2/entry\0')
    const expected = await (await importDeviceSigner(fixedDevice)).sign(new Uint8Array([...context, ...body]))
    expect(parsed.entry.signature).toEqual(expected)
    expect(await verifySignature(RFC8032.public, parsed.entry.signature, body)).toBe(false)
    // Nor under the version 1 context.
    const v1Context = new TextEncoder().encode('hearth/v1/entry\0')
    expect(await verifySignature(RFC8032.public, parsed.entry.signature, new Uint8Array([...v1Context, ...body]))).toBe(false)
  })

  it('keeps sequence numbers of any size, and refuses fields of the wrong length or range', async () => {
    const cipher = await importContentKey(new Uint8Array(32))
    const signer = await importDeviceSigner(fixedDevice)
    for (const [seq, from] of [
      [1, 1],
      [128, 128],
      [16_384, 2],
      [2 ** 40, 2 ** 40 - 5],
      [Number.MAX_SAFE_INTEGER, 1],
    ]) {
      const header = { version: 2 as const, kind: 'snapshot' as const, boardId, keyId, author: RFC8032.public, seq: seq!, from: from! }
      const parsed = parseEntry(await sealEntry(header, new Uint8Array(1), cipher, signer))
      expect(parsed.ok && parsed.entry.header).toEqual(header)
    }
    const ok = { kind: 'update' as const, boardId, keyId, author: RFC8032.public, seq: 1, from: 1 }
    expect(() => encodeHeader({ ...ok, seq: -1, from: -1 })).toThrow(new RangeError('varuint out of range'))
    expect(() => encodeHeader({ ...ok, seq: 0.5, from: 0.5 })).toThrow(RangeError)
    expect(() => encodeHeader({ ...ok, seq: 2 ** 53, from: 2 ** 53 })).toThrow(RangeError)
    expect(() => encodeHeader({ ...ok, boardId: boardId.subarray(1) })).toThrow(RangeError)
    expect(() => encodeHeader({ ...ok, keyId: keyId.subarray(1) })).toThrow(RangeError)
    expect(() => encodeHeader({ ...ok, author: RFC8032.public.subarray(1) })).toThrow(new RangeError('bad header field length'))
    // Version 1 entries knew epoch 0 only: a key id that is not all zero, even in one byte, has no epoch to write.
    expect(() => encodeHeader({ ...ok, version: 1 })).toThrow(new RangeError('version 1 entries have epoch 0 only'))
    expect(() => encodeHeader({ ...ok, version: 1, keyId: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 1]) })).toThrow(RangeError)
  })

  it('refuses, as malformed, every header a device would never write', async () => {
    const entryWith = (header: Uint8Array) => new Uint8Array([...header, ...new Uint8Array(12 + 16 + 64)])
    const ok = { kind: 'update' as const, boardId, keyId, author: RFC8032.public, seq: 5, from: 5 }
    expect(parseEntry(entryWith(encodeHeader(ok))).ok).toBe(true)
    expect(parseEntry(entryWith(encodeHeader({ ...ok, kind: 'snapshot', from: 3 }))).ok).toBe(true)
    expect(parseEntry(entryWith(encodeHeader({ ...ok, from: 3 })))).toEqual({ ok: false, error: 'malformed' })
    expect(parseEntry(entryWith(encodeHeader({ ...ok, seq: 0, from: 0 })))).toEqual({ ok: false, error: 'malformed' })
    expect(parseEntry(entryWith(encodeHeader({ ...ok, kind: 'snapshot', from: 0 })))).toEqual({ ok: false, error: 'malformed' })
    expect(parseEntry(entryWith(encodeHeader({ ...ok, kind: 'snapshot', seq: 5, from: 6 })))).toEqual({ ok: false, error: 'malformed' })
    // An unknown kind (8), a wrong magic or version.
    const header = encodeHeader(ok)
    for (const [at, value] of [[2, 8], [0, 0x49], [1, 3], [1, 0]] as const) {
      const altered = entryWith(header)
      altered[at] = value
      expect(parseEntry(altered)).toEqual({ ok: false, error: 'malformed' })
    }
    // The sequence number starts after 3 + 16 + 8 + 32 bytes.
    const seqAt = 3 + 16 + 8 + 32
    expect(header[seqAt]).toBe(5)
    // A varint that never ends within 8 bytes.
    const endless = new Uint8Array([...header.subarray(0, seqAt), ...new Array(9).fill(0xff), ...header.subarray(seqAt + 1)])
    expect(parseEntry(entryWith(endless))).toEqual({ ok: false, error: 'malformed' })
    // A varint of 9 bytes, though its value (5, as `from`) is small.
    const nine = new Uint8Array([...header.subarray(0, seqAt), 0x85, ...new Array(7).fill(0x80), 0x00, ...header.subarray(seqAt + 1)])
    expect(parseEntry(entryWith(nine))).toEqual({ ok: false, error: 'malformed' })
    // The same value in 8 bytes is read.
    const eight = new Uint8Array([...header.subarray(0, seqAt), 0x85, ...new Array(6).fill(0x80), 0x00, 5])
    expect(parseEntry(entryWith(eight)).ok).toBe(true)
    // A varint above 2^53.
    const huge = new Uint8Array([...header.subarray(0, seqAt), ...new Array(7).fill(0xff), 0x7f, ...header.subarray(seqAt + 1)])
    expect(parseEntry(entryWith(huge))).toEqual({ ok: false, error: 'malformed' })
    // Cut inside the key id, inside the author.
    expect(parseEntry(header.subarray(0, 23))).toEqual({ ok: false, error: 'malformed' })
    expect(parseEntry(header.subarray(0, 40))).toEqual({ ok: false, error: 'malformed' })
  })

  it('takes the shortest possible entry (empty payload) and nothing shorter', async () => {
    const header = { kind: 'update' as const, boardId, keyId, author: RFC8032.public, seq: 1, from: 1 }
    const entry = await sealEntry(header, new Uint8Array(0), await importContentKey(new Uint8Array(32)), await importDeviceSigner(fixedDevice))
    expect(entry).toHaveLength(encodeHeader(header).length + 12 + 16 + 64)
    expect(parseEntry(entry).ok).toBe(true)
    expect(parseEntry(entry.subarray(0, entry.length - 1))).toEqual({ ok: false, error: 'malformed' })
  })

  it('limits each kind to its size', async () => {
    expect(MAX_ENTRY_BYTES).toEqual({
      join: 16 * 1024,
      update: 1024 * 1024,
      snapshot: 32 * 1024 * 1024,
      legacy: 32 * 1024 * 1024,
      control: 1024 * 1024,
      request: 16 * 1024,
      welcome: 256 * 1024,
      rotate: 8 * 1024 * 1024,
    })
    const header = { kind: 'join' as const, boardId, keyId, author: RFC8032.public, seq: 1, from: 1 }
    const cipher = await importContentKey(new Uint8Array(32))
    const signer = await importDeviceSigner(fixedDevice)
    const overhead = encodeHeader(header).length + 12 + 16 + 64
    const largest = await sealEntry(header, new Uint8Array(16 * 1024 - overhead), cipher, signer)
    expect(largest).toHaveLength(16 * 1024)
    expect(parseEntry(largest).ok).toBe(true)
    await expect(sealEntry(header, new Uint8Array(16 * 1024 - overhead + 1), cipher, signer)).rejects.toThrow(/may not exceed 16384 bytes/)
    expect(parseEntry(new Uint8Array([...largest, 0]))).toEqual({ ok: false, error: 'oversized' })
    // A request is as small as a join; a welcome larger.
    const request = await sealEntry({ ...header, kind: 'request' }, new Uint8Array(16 * 1024 - overhead), cipher, signer)
    expect(parseEntry(new Uint8Array([...request, 0]))).toEqual({ ok: false, error: 'oversized' })
    const welcome = await sealEntry({ ...header, kind: 'welcome' }, new Uint8Array(16 * 1024 - overhead + 1), cipher, signer)
    expect(parseEntry(welcome).ok).toBe(true)
  })
})
