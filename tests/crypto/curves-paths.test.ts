/**
 * What each curve path does with inputs that are not what it expects: a key
 * that is not a point (Eve's), a private key of the other curve (a bug in
 * Hearth). Both paths must answer alike: false for Eve's key, an error for the
 * bug, never a signature or a secret made from the wrong key.
 */
import { describe, expect, it } from 'vitest'
import type { Ed25519Impl, X25519Impl } from '../../src/crypto/curves.ts'
import { nobleEd25519, nobleX25519 } from '../../src/crypto/curves-noble.ts'
import { wrapPkcs8 } from '../../src/crypto/curves-pkcs8.ts'
import { strictEd25519 } from '../../src/crypto/curves-strict.ts'
import { webCryptoEd25519, webCryptoX25519 } from '../../src/crypto/curves-webcrypto.ts'

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)))
const seed = Uint8Array.from({ length: 32 }, (_, i) => 3 * i + 1)

// RFC 8032 §7.1, TEST 3.
const KEY = hex('fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025')
const MESSAGE = hex('af82')
const SIG = hex('6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a')
/** y = 2: no x gives a point of the curve with it (noble refuses to decode it). */
const NOT_A_POINT = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 2 : 0))

async function paths(): Promise<{ ed: [string, Ed25519Impl][]; x: [string, X25519Impl][] }> {
  return {
    ed: [
      ['WebCrypto', (await webCryptoEd25519(crypto.subtle))!],
      ['fallback', nobleEd25519],
    ],
    x: [
      ['WebCrypto', (await webCryptoX25519(crypto.subtle))!],
      ['fallback', nobleX25519],
    ],
  }
}

describe('Eve’s key that is not a point of the curve', () => {
  it('passes the encoding rules (they look at bytes only), and each path answers false without throwing', async () => {
    expect(strictEd25519(NOT_A_POINT, SIG)).toBe(true)
    for (const [name, impl] of (await paths()).ed) {
      expect(await impl.verify(NOT_A_POINT, SIG, MESSAGE), name).toBe(false)
      // As R, with Alice's real key: no equation holds for it either.
      expect(await impl.verify(KEY, new Uint8Array([...NOT_A_POINT, ...SIG.subarray(32)]), MESSAGE), name).toBe(false)
      expect(await impl.verify(KEY, SIG, MESSAGE), name).toBe(true)
    }
  })
})

describe('a private key of the other curve is an error on both paths', () => {
  it('for signing, before any message is signed, and for the public key', async () => {
    const x25519Key = wrapPkcs8('X25519', seed)
    for (const [name, impl] of (await paths()).ed) {
      await expect(impl.signer(x25519Key), name).rejects.toThrow()
      await expect(impl.publicKey(x25519Key), name).rejects.toThrow()
    }
    await expect(nobleEd25519.signer(x25519Key)).rejects.toThrow('not a PKCS#8 Ed25519 private key')
    await expect(nobleEd25519.publicKey(x25519Key)).rejects.toThrow('not a PKCS#8 Ed25519 private key')
  })

  it('for key agreement, whatever the peer’s key', async () => {
    const ed25519Key = wrapPkcs8('Ed25519', seed)
    const peer = (await nobleX25519.generate()).publicKey
    for (const [name, impl] of (await paths()).x) await expect(impl.agree(ed25519Key, peer), name).rejects.toThrow()
    await expect(nobleX25519.agree(ed25519Key, peer)).rejects.toThrow('not a PKCS#8 X25519 private key')
  })
})
