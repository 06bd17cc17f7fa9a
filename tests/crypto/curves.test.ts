/**
 * Alice's phone signs and agrees keys through WebCrypto; Bob's older phone has
 * no WebCrypto Ed25519/X25519 and uses the @noble/curves fallback. Their keys,
 * signatures and shared secrets must be interchangeable, and both must give
 * the same verdict on every signature, crafted ones included.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { concatBytes } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { CurvesUnavailableError, detectCurves, type Ed25519Impl, type X25519Impl } from '../../src/crypto/curves.ts'
import { nobleEd25519, nobleX25519 } from '../../src/crypto/curves-noble.ts'
import { unwrapPkcs8, wrapPkcs8 } from '../../src/crypto/curves-pkcs8.ts'
import { webCryptoEd25519, webCryptoX25519 } from '../../src/crypto/curves-webcrypto.ts'
import { agreementVia, importAgreement } from '../../src/crypto/agreement.ts'
import { openLockbox, sealLockboxes } from '../../src/crypto/lockbox.ts'

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)))
const toHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
const text = (s: string) => new TextEncoder().encode(s)

const webEd = (await webCryptoEd25519(crypto.subtle))!
const webX = (await webCryptoX25519(crypto.subtle))!
const BOTH_ED: [string, Ed25519Impl][] = [
  ['WebCrypto', webEd],
  ['fallback', nobleEd25519],
]
const BOTH_X: [string, X25519Impl][] = [
  ['WebCrypto', webX],
  ['fallback', nobleX25519],
]

// RFC 8032 §7.1, TEST 3.
const RFC8032 = {
  seed: hex('c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7'),
  public: hex('fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025'),
  message: hex('af82'),
  signature: hex('6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'),
}
// RFC 7748 §6.1.
const RFC7748 = {
  alice: hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
  alicePublic: hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'),
  bob: hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'),
  bobPublic: hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'),
  shared: hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'),
}

describe('the two Ed25519 paths are interchangeable', () => {
  it.each(BOTH_ED)('%s signs the RFC 8032 vector from a PKCS#8 key and verifies it', async (_, impl) => {
    const sign = await impl.signer(wrapPkcs8('Ed25519', RFC8032.seed))
    expect(toHex(await sign(RFC8032.message))).toBe(toHex(RFC8032.signature))
    expect(await impl.verify(RFC8032.public, RFC8032.signature, RFC8032.message)).toBe(true)
  })

  it.each(BOTH_ED)('%s gives the public key of a PKCS#8 private key (an invitation key is derived that way)', async (_, impl) => {
    expect(toHex(await impl.publicKey(wrapPkcs8('Ed25519', RFC8032.seed)))).toBe(toHex(RFC8032.public))
  })

  it("Alice's WebCrypto keys and Bob's fallback keys: each side signs with the other's PKCS#8, byte for byte the same, and verifies the other", async () => {
    const alice = await webEd.generate()
    const bob = await nobleEd25519.generate()
    const post = text('Shelter opens at 8 pm tonight')
    for (const keys of [alice, bob]) {
      expect(keys.pkcs8.length).toBe(48)
      expect(toHex(keys.pkcs8.subarray(0, 16))).toBe('302e020100300506032b657004220420')
      const byWeb = await (await webEd.signer(keys.pkcs8))(post)
      const byNoble = await (await nobleEd25519.signer(keys.pkcs8))(post)
      // Ed25519 is deterministic: the same key and message give the same signature.
      expect(toHex(byNoble)).toBe(toHex(byWeb))
      expect(await webEd.verify(keys.publicKey, byNoble, post)).toBe(true)
      expect(await nobleEd25519.verify(keys.publicKey, byWeb, post)).toBe(true)
      expect(await nobleEd25519.verify(keys.publicKey, byWeb, text('Shelter opens at 9 pm tonight'))).toBe(false)
      expect(await webEd.verify(keys.publicKey, byNoble, text('Shelter opens at 9 pm tonight'))).toBe(false)
    }
    // The public key each path derives from the same private key is the same.
    const webKey = await crypto.subtle.importKey('pkcs8', bob.pkcs8 as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, true, ['sign'])
    const jwk = await crypto.subtle.exportKey('jwk', webKey)
    expect(Buffer.from(jwk.x!, 'base64url').toString('hex')).toBe(toHex(bob.publicKey))
  })
})

describe('the two X25519 paths are interchangeable', () => {
  it.each(BOTH_X)('%s agrees the RFC 7748 shared secret', async (_, impl) => {
    expect(toHex((await impl.generate()).pkcs8.subarray(0, 16))).toBe('302e020100300506032b656e04220420')
    expect(toHex((await impl.agree(wrapPkcs8('X25519', RFC7748.alice), RFC7748.bobPublic))!)).toBe(toHex(RFC7748.shared))
    expect(toHex((await impl.agree(wrapPkcs8('X25519', RFC7748.bob), RFC7748.alicePublic))!)).toBe(toHex(RFC7748.shared))
  })

  it("Alice (WebCrypto) and Bob (fallback) reach the same secret, and each path computes it from either private key", async () => {
    const alice = await webX.generate()
    const bob = await nobleX25519.generate()
    const onAlice = await webX.agree(alice.pkcs8, bob.publicKey)
    const onBob = await nobleX25519.agree(bob.pkcs8, alice.publicKey)
    expect(onAlice).not.toBeNull()
    expect(toHex(onBob!)).toBe(toHex(onAlice!))
    expect(toHex((await nobleX25519.agree(alice.pkcs8, bob.publicKey))!)).toBe(toHex(onAlice!))
    expect(toHex((await webX.agree(bob.pkcs8, alice.publicKey))!)).toBe(toHex(onAlice!))
  })

  it("a lockbox Alice's phone seals (WebCrypto) opens on Bob's older phone, whose agreement runs on the fallback", async () => {
    const bob = await nobleX25519.generate()
    const context = text('hearth/test')
    const set = await sealLockboxes([{ agreePublic: bob.publicKey, payload: text('the new content key') }], context)
    const opened = await openLockbox(set, agreementVia(nobleX25519, bob.pkcs8, bob.publicKey), context)
    expect(new TextDecoder().decode(opened!)).toBe('the new content key')
    // And the same box opens with WebCrypto from the same private key.
    expect(new TextDecoder().decode((await openLockbox(set, await importAgreement(bob.pkcs8, bob.publicKey), context))!)).toBe('the new content key')
  })

  it.each(BOTH_X)('%s refuses a small-order key from Eve (an all-zero secret) and a short key', async (_, impl) => {
    const alice = await impl.generate()
    expect(await impl.agree(alice.pkcs8, new Uint8Array(32))).toBeNull()
    expect(await impl.agree(alice.pkcs8, hex('0100000000000000000000000000000000000000000000000000000000000000'))).toBeNull()
    expect(await impl.agree(alice.pkcs8, new Uint8Array(31))).toBeNull()
  })
})

/**
 * Eve, a member, crafts signatures on which Ed25519 implementations disagree
 * (Chalkias et al., "Taming the many EdDSAs"). Whatever Hearth accepts, it
 * must accept on both paths, or two devices would keep different boards.
 */
describe("Eve's crafted signatures get the same verdict on both paths", () => {
  const { Point } = ed25519
  const L = Point.Fn.ORDER
  const le = (b: Uint8Array) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n)
  const toLE = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n))
  const torsion = Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a') // order 8
  const challenge = (R: Uint8Array, A: Uint8Array, m: Uint8Array) => le(sha512(concatBytes(R, A, m))) % L
  const a = 0x1234567890abcdefn

  /** A signature by secret scalar `a` with public point `A` and nonce point `R = rB + extra`. */
  function craft(A: InstanceType<typeof Point>, r: bigint, m: Uint8Array, extra = Point.ZERO): Uint8Array {
    const R = Point.BASE.multiply(r).add(extra).toBytes()
    const s = (r + challenge(R, A.toBytes(), m) * a) % L
    return concatBytes(R, toLE(s))
  }

  const cases: { name: string; publicKey: Uint8Array; signature: Uint8Array; message: Uint8Array; accepted: boolean }[] = []
  const honest = Point.BASE.multiply(a)
  const mixed = honest.add(torsion)
  for (let i = 0; i < 8; i++) {
    const m = text(`offer ${i}`)
    const sig = craft(mixed, 1000n + BigInt(i), m)
    // Cofactorless checks accept exactly when the challenge kills the torsion part.
    const accepted = challenge(sig.subarray(0, 32), mixed.toBytes(), m) % 8n === 0n
    cases.push({ name: `key with a torsion component (#${i})`, publicKey: mixed.toBytes(), signature: sig, message: m, accepted })
  }
  cases.push({ name: 'R with a torsion component', publicKey: honest.toBytes(), signature: craft(honest, 77n, text('x'), torsion), message: text('x'), accepted: false })
  cases.push({ name: 'an honest signature', publicKey: honest.toBytes(), signature: craft(honest, 78n, text('y')), message: text('y'), accepted: true })
  const identity = Point.ZERO.toBytes()
  cases.push({ name: 'the identity as key: one signature for every message', publicKey: identity, signature: concatBytes(identity, new Uint8Array(32)), message: text('anything'), accepted: false })
  const order8 = torsion.toBytes()
  cases.push({ name: 'a small-order key', publicKey: order8, signature: concatBytes(identity, new Uint8Array(32)), message: text('z'), accepted: false })
  const good = craft(honest, 79n, text('w'))
  const sPlusL = toLE(le(good.subarray(32)) + L)
  cases.push({ name: 's + L (non-canonical scalar)', publicKey: honest.toBytes(), signature: concatBytes(good.subarray(0, 32), sPlusL), message: text('w'), accepted: false })
  const nonCanonicalKey = hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f') // y = p
  cases.push({ name: 'a non-canonical key encoding (y = p)', publicKey: nonCanonicalKey, signature: good, message: text('w'), accepted: false })
  const negativeZero = hex('0100000000000000000000000000000000000000000000000000000000000080') // x = 0 with the sign bit
  cases.push({ name: 'R = identity with the sign bit set', publicKey: honest.toBytes(), signature: concatBytes(negativeZero, good.subarray(32)), message: text('w'), accepted: false })

  it.each(cases)('$name', async ({ publicKey, signature, message, accepted }) => {
    expect(await webEd.verify(publicKey, signature, message)).toBe(accepted)
    expect(await nobleEd25519.verify(publicKey, signature, message)).toBe(accepted)
  })

  it('covers both outcomes for keys with a torsion component (the vectors are not all alike)', () => {
    const outcomes = new Set(cases.filter((c) => c.name.startsWith('key with')).map((c) => c.accepted))
    expect(outcomes).toEqual(new Set([true, false]))
  })
})

describe('choosing an implementation once, at start', () => {
  /** A WebCrypto that refuses the two curves, like Chromium before 2025. */
  function refusing(subtle: SubtleCrypto): SubtleCrypto {
    const refuses = (alg: unknown) => /^(Ed25519|X25519)$/i.test(typeof alg === 'string' ? alg : String((alg as { name?: string })?.name))
    const wrap = <K extends keyof SubtleCrypto>(name: K, algIndex: number) =>
      ((...args: unknown[]) => (refuses(args[algIndex]) ? Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError')) : (subtle[name] as (...a: unknown[]) => unknown).apply(subtle, args))) as SubtleCrypto[K]
    return Object.assign(Object.create(subtle) as SubtleCrypto, {
      generateKey: wrap('generateKey', 0),
      importKey: wrap('importKey', 2),
      sign: wrap('sign', 0),
      verify: wrap('verify', 0),
      deriveBits: wrap('deriveBits', 0),
    })
  }

  it('uses WebCrypto where it works', async () => {
    const chosen = await detectCurves({ subtle: crypto.subtle, loadFallback: () => Promise.reject(new Error('must not load')) })
    expect([chosen.ed25519.source, chosen.x25519.source]).toEqual(['webcrypto', 'webcrypto'])
  })

  it("loads the fallback on Bob's older phone, whose WebCrypto refuses both curves", async () => {
    let loads = 0
    const chosen = await detectCurves({
      subtle: refusing(crypto.subtle),
      loadFallback: async () => {
        loads++
        return { ed25519: nobleEd25519, x25519: nobleX25519 }
      },
    })
    expect(loads).toBe(1)
    expect([chosen.ed25519.source, chosen.x25519.source]).toEqual(['noble', 'noble'])
  })

  it('says plainly when even the fallback cannot run', async () => {
    await expect(detectCurves({ subtle: undefined, loadFallback: () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')) })).rejects.toBeInstanceOf(CurvesUnavailableError)
  })
})

describe('PKCS#8', () => {
  it('reads the version 2 form (with the public key) and refuses the wrong curve or a damaged blob', async () => {
    const seed = RFC8032.seed
    // OneAsymmetricKey v2: version 1, the key, and [1] the public key.
    const v2 = new Uint8Array([0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, ...seed, 0x81, 0x21, 0x00, ...RFC8032.public])
    expect(toHex(unwrapPkcs8('Ed25519', v2)!)).toBe(toHex(seed))
    expect(unwrapPkcs8('X25519', wrapPkcs8('Ed25519', seed))).toBeNull()
    expect(unwrapPkcs8('Ed25519', wrapPkcs8('Ed25519', seed).subarray(0, 47))).toBeNull()
    const webPkcs8 = (await webEd.generate()).pkcs8
    expect(unwrapPkcs8('Ed25519', webPkcs8)).not.toBeNull()
  })
})
