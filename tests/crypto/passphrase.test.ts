import { scryptAsync } from '@noble/hashes/scrypt.js'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { checkPassphrase, derivePassphraseBytes, derivePassphraseKey, newScryptParams, SCRYPT_LOG_N, type ScryptParams } from '../../src/crypto/index.ts'

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)))
const utf8 = (s: string) => new TextEncoder().encode(s)
const aesKey = (raw: Uint8Array) => crypto.subtle.importKey('raw', new Uint8Array(raw), { name: 'AES-GCM' }, false, ['encrypt'])
/** What a non-extractable AES key does to fixed bytes under a fixed nonce: equal for equal keys only. */
const fingerprint = async (key: CryptoKey) =>
  new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, key, utf8('hearth passphrase check')))
const params = (logN: number, r: number, p: number, salt: string): ScryptParams => ({ alg: 'scrypt', logN, r, p, salt: utf8(salt) })

describe('passphrase key derivation (scrypt, RFC 7914)', () => {
  // RFC 7914 §12 test vectors. Hearth derives 32 bytes: the first half of the 64-byte vectors
  // (scrypt ends with PBKDF2-HMAC-SHA256, whose output blocks are independent of dkLen).
  it('matches the RFC 7914 vector for N = 16, r = 1, p = 1', async () => {
    const expected = hex(`77 d6 57 62 38 65 7b 20 3b 19 ca 42 c1 8a 04 97 f1 6b 48 44 e3 07 4a e8 df df fa 3f ed e2 14 42
                          fc d0 06 9d ed 09 48 f8 32 6a 75 3a 0f c8 1f 17 e8 d3 e0 fb 2e 0d 36 28 cf 35 e2 0c 38 d1 89 06`)
    expect(await derivePassphraseBytes('', params(4, 1, 1, ''))).toEqual(expected.slice(0, 32))
  })

  it('matches the RFC 7914 vector for "password" / "NaCl", N = 1024, r = 8, p = 16', async () => {
    const expected = hex(`fd ba be 1c 9d 34 72 00 78 56 e7 19 0d 01 e9 fe 7c 6a d7 cb c8 23 78 30 e7 73 76 63 4b 37 31 62
                          2e af 30 d9 2e 22 a3 88 6f f1 09 27 9d 98 30 da c7 27 af b9 4a 83 ee 6d 83 60 cb df a2 cc 06 40`)
    expect(await derivePassphraseBytes('password', params(10, 8, 16, 'NaCl'))).toEqual(expected.slice(0, 32))
  })

  it('gives the same key for the same passphrase typed in different Unicode forms (NFKC)', async () => {
    const p = newScryptParams(4)
    // "ﻻ" (Arabic ligature presentation form) is "لا" after NFKC; "é" composed vs decomposed.
    expect(await derivePassphraseBytes('ﻻ café ﻻ', p)).toEqual(await derivePassphraseBytes('لا cafe\u0301 لا', p))
  })

  it('uses scrypt N = 2^15, r = 8, p = 1 (32 MiB) with a fresh 16-byte salt by default', () => {
    const a = newScryptParams()
    const b = newScryptParams()
    expect(a).toMatchObject({ alg: 'scrypt', logN: 15, r: 8, p: 1 })
    expect(SCRYPT_LOG_N).toBe(15)
    expect(a.salt).toHaveLength(16)
    expect(a.salt).not.toEqual(b.salt)
  })

  it('derives Alice’s lock key at that full cost, not at a cheaper one', async () => {
    const passphrase = 'correct horse battery staple'
    const params = newScryptParams()
    const started = performance.now()
    const key = await derivePassphraseKey(passphrase, params)
    console.log(`[measure] scrypt N=2^15 r=8 p=1 (Node, @noble/hashes scryptAsync): ${(performance.now() - started).toFixed(0)} ms`)
    expect(key.extractable).toBe(false)
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 })
    // scrypt computed here, independently, at exactly N = 2^15, r = 8, p = 1.
    const reference = await scryptAsync(utf8(passphrase), params.salt, { N: 2 ** 15, r: 8, p: 1, dkLen: 32, maxmem: 2 ** 30 })
    expect(await fingerprint(key)).toEqual(await fingerprint(await aesKey(reference)))
    // One step cheaper is another key.
    expect(await fingerprint(await derivePassphraseKey(passphrase, { ...params, logN: 14 }))).not.toEqual(await fingerprint(key))
  }, 60_000) // three real scrypt runs: slow by design, slower on a busy machine

  it('zeroes the derived bytes once they are imported as a key', async () => {
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    onTestFinished(() => importKey.mockRestore())
    await derivePassphraseKey('correct horse battery staple', newScryptParams(4))
    const raw = importKey.mock.calls[0]![1] as Uint8Array
    expect(raw).toHaveLength(32)
    expect(raw.every((b) => b === 0)).toBe(true)
  })

  it('requires at least 8 characters, counting characters rather than bytes', () => {
    expect(checkPassphrase('')).toBe('too_short')
    expect(checkPassphrase('1234567')).toBe('too_short')
    expect(checkPassphrase('12345678')).toBeNull()
    expect(checkPassphrase('كلمة سر طويلة')).toBeNull()
    expect(checkPassphrase('🔥🔥🔥🔥🔥🔥🔥')).toBe('too_short')
    expect(checkPassphrase('x'.repeat(1024))).toBeNull()
    expect(checkPassphrase('x'.repeat(1025))).toBe('too_long')
    // Counted after NFKC: one ligature "ﻻ" is two letters.
    expect(checkPassphrase('ﻻﻻﻻﻻ')).toBeNull()
  })
})
