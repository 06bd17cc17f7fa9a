/**
 * Alice's phone agrees keys through WebCrypto, with her private key held as a
 * non-extractable CryptoKey; Bob's older phone has no X25519 in WebCrypto and
 * runs the fallback. Which path a device takes is decided by `curves()`:
 * here it is made to answer either way, and the test watches which one ran.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Curves } from '../../src/crypto/curves.ts'
import { nobleEd25519, nobleX25519 } from '../../src/crypto/curves-noble.ts'
import { ephemeralAgreement, importAgreement } from '../../src/crypto/agreement.ts'
import { generateDeviceKeys } from '../../src/crypto/device.ts'

const phone = vi.hoisted(() => ({ older: false }))
vi.mock('../../src/crypto/curves.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/crypto/curves.ts')>()
  return { ...real, curves: async (): Promise<Curves> => (phone.older ? { ed25519: nobleEd25519, x25519: nobleX25519 } : real.curves()) }
})

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)))
// RFC 7748 §6.1.
const alicePublic = hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')

afterEach(() => {
  phone.older = false
  vi.restoreAllMocks()
})

const x25519Calls = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.filter((c) => c.some((a) => (a as { name?: string } | null)?.name === 'X25519'))

describe('key agreement on a phone with WebCrypto X25519', () => {
  it('Alice’s private key goes into WebCrypto, non-extractable, and her one-time keys are made and kept there', async () => {
    const keys = await generateDeviceKeys()
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    const generateKey = vi.spyOn(crypto.subtle, 'generateKey')
    const alice = await importAgreement(keys.agreePkcs8, keys.agreePublic)
    expect(x25519Calls(importKey).map((c) => [c[0], c[3], c[4]])).toEqual([['pkcs8', false, ['deriveBits']]])
    const exportKey = vi.spyOn(crypto.subtle, 'exportKey')
    const once = await ephemeralAgreement()
    expect(x25519Calls(generateKey)).toHaveLength(1)
    // A one-time private key never leaves WebCrypto either: only the public half is exported.
    expect(exportKey.mock.calls.map((c) => c[0])).toEqual(['raw'])
    expect(await alice.derive(once.publicKey)).toEqual(await once.derive(keys.agreePublic))
  })

  it('a peer key of the wrong length or of low order gives no secret, without throwing', async () => {
    const keys = await generateDeviceKeys()
    const alice = await importAgreement(keys.agreePkcs8, keys.agreePublic)
    expect(await alice.derive(alicePublic)).toHaveLength(32)
    for (const peer of [new Uint8Array(32), Uint8Array.from([1, ...new Uint8Array(31)]), alicePublic.subarray(1), new Uint8Array(33)]) expect(await alice.derive(peer)).toBeNull()
  })
})

describe('key agreement on Bob’s older phone (the fallback)', () => {
  it('Bob’s private key stays with the fallback, which also makes his one-time keys; WebCrypto’s X25519 is never asked', async () => {
    phone.older = true
    const keys = await generateDeviceKeys()
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    const generateKey = vi.spyOn(crypto.subtle, 'generateKey')
    const agree = vi.spyOn(nobleX25519, 'agree')
    const generate = vi.spyOn(nobleX25519, 'generate')
    const bob = await importAgreement(keys.agreePkcs8, keys.agreePublic)
    const once = await ephemeralAgreement()
    expect(generate).toHaveBeenCalledTimes(1)
    const secret = await bob.derive(once.publicKey)
    expect(secret).toHaveLength(32)
    expect(await once.derive(keys.agreePublic)).toEqual(secret)
    expect(agree).toHaveBeenCalledTimes(2)
    expect(x25519Calls(importKey)).toEqual([])
    expect(x25519Calls(generateKey)).toEqual([])
  })
})
