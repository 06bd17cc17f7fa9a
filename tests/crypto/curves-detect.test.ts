/**
 * Which curves a device uses: WebCrypto for each curve that passes a round
 * trip, the fallback for the other. Bob's phones have WebCrypto that lacks
 * one curve, or has one that gives wrong answers; each must end up with two
 * curves that work, and Hearth must say plainly when it has none.
 */
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { CurvesUnavailableError, detectCurves } from '../../src/crypto/curves.ts'
import { nobleEd25519, nobleX25519 } from '../../src/crypto/curves-noble.ts'
import { webCryptoEd25519, webCryptoX25519 } from '../../src/crypto/curves-webcrypto.ts'

type Patch = Partial<Record<'generateKey' | 'importKey' | 'exportKey' | 'sign' | 'verify' | 'deriveBits', (...args: never[]) => unknown>>

const real = crypto.subtle
const METHODS = ['generateKey', 'importKey', 'exportKey', 'sign', 'verify', 'deriveBits'] as const
/** The page's WebCrypto with some of its methods replaced (the others called on the real one: they check what `this` is). */
const patched = (patch: Patch): SubtleCrypto =>
  Object.fromEntries(METHODS.map((m) => [m, patch[m] ?? (real[m] as (...a: unknown[]) => unknown).bind(real)])) as unknown as SubtleCrypto
const named = (alg: unknown, name: string) => (typeof alg === 'string' ? alg : (alg as { name?: string } | undefined)?.name) === name
const refuse = () => Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError'))

/** Detects with the fallback counted, and gives which source each curve took. */
async function sources(subtle: SubtleCrypto | undefined) {
  let loads = 0
  const chosen = await detectCurves({
    subtle,
    loadFallback: async () => {
      loads++
      return { ed25519: nobleEd25519, x25519: nobleX25519 }
    },
  })
  return { ed25519: chosen.ed25519.source, x25519: chosen.x25519.source, loads }
}

describe('each curve is chosen on its own', () => {
  it('WebCrypto with Ed25519 but no X25519: signatures through WebCrypto, agreement through the fallback', async () => {
    const subtle = patched({
      generateKey: ((alg: AlgorithmIdentifier, ...rest: [boolean, KeyUsage[]]) => (named(alg, 'X25519') ? refuse() : real.generateKey(alg, ...rest))) as never,
    })
    expect(await sources(subtle)).toEqual({ ed25519: 'webcrypto', x25519: 'noble', loads: 1 })
  })

  it('WebCrypto with X25519 but no Ed25519: the other way round', async () => {
    const subtle = patched({
      generateKey: ((alg: AlgorithmIdentifier, ...rest: [boolean, KeyUsage[]]) => (named(alg, 'Ed25519') ? refuse() : real.generateKey(alg, ...rest))) as never,
    })
    expect(await sources(subtle)).toEqual({ ed25519: 'noble', x25519: 'webcrypto', loads: 1 })
  })

  it('an Ed25519 that does not verify its own signature is not used', async () => {
    const subtle = patched({ verify: (async () => false) as never })
    expect(await sources(subtle)).toEqual({ ed25519: 'noble', x25519: 'webcrypto', loads: 1 })
  })

  it('an Ed25519 whose raw public key is not 32 bytes is not used', async () => {
    const subtle = patched({
      exportKey: (async (format: KeyFormat, key: CryptoKey) => {
        const out = await real.exportKey(format as 'raw', key)
        return format === 'raw' && key.algorithm.name === 'Ed25519' ? out.slice(0, 31) : out
      }) as never,
    })
    expect(await sources(subtle)).toEqual({ ed25519: 'noble', x25519: 'webcrypto', loads: 1 })
  })

  it('an X25519 whose two sides do not reach the same secret is not used, even when they differ in one byte only', async () => {
    const subtle = patched({ deriveBits: (async () => crypto.getRandomValues(new Uint8Array(32)).buffer) as never })
    expect(await sources(subtle)).toEqual({ ed25519: 'webcrypto', x25519: 'noble', loads: 1 })
    let calls = 0
    const offByOne = patched({
      deriveBits: (async (...args: Parameters<SubtleCrypto['deriveBits']>) => {
        const bits = new Uint8Array(await real.deriveBits(...args))
        if (calls++ === 1) bits[31]! ^= 1
        return bits.buffer
      }) as never,
    })
    expect(await sources(offByOne)).toEqual({ ed25519: 'webcrypto', x25519: 'noble', loads: 1 })
  })

  it('an X25519 whose secret is not 32 bytes is not used, even when both sides agree on it', async () => {
    const subtle = patched({
      deriveBits: (async (...args: Parameters<SubtleCrypto['deriveBits']>) => (await real.deriveBits(...args)).slice(0, 16)) as never,
    })
    expect(await sources(subtle)).toEqual({ ed25519: 'webcrypto', x25519: 'noble', loads: 1 })
  })

  it('a WebCrypto that refuses a curve is no implementation of it: null, not an error', async () => {
    const subtle = patched({ generateKey: refuse as never })
    expect(await webCryptoEd25519(subtle)).toBeNull()
    expect(await webCryptoX25519(subtle)).toBeNull()
  })

  it('without deps, the page’s own WebCrypto is used for both', async () => {
    const chosen = await detectCurves({ loadFallback: () => Promise.reject(new Error('must not load')) })
    expect([chosen.ed25519.source, chosen.x25519.source]).toEqual(['webcrypto', 'webcrypto'])
  })

  it('a browser without WebCrypto loads the fallback itself (its own chunk)', async () => {
    vi.stubGlobal('crypto', undefined)
    onTestFinished(() => void vi.unstubAllGlobals())
    const chosen = await detectCurves()
    expect([chosen.ed25519, chosen.x25519]).toEqual([nobleEd25519, nobleX25519])
  })

  it('says the fallback could not be fetched when it does not load (the link, not the browser), and keeps why', async () => {
    const why = new TypeError('Failed to fetch dynamically imported module')
    const error = await detectCurves({ subtle: undefined, loadFallback: () => Promise.reject(why) }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CurvesUnavailableError)
    expect(error).toMatchObject({
      name: 'CurvesUnavailableError',
      message: 'The part of Hearth that creates and checks signatures in this browser could not be fetched',
      unfetched: true,
      cause: why,
    })
  })

  it('a browser without BigInt cannot run the fallback, and says so without loading it', async () => {
    vi.stubGlobal('BigInt', undefined)
    onTestFinished(() => void vi.unstubAllGlobals())
    let loads = 0
    const detecting = detectCurves({
      subtle: undefined,
      loadFallback: async () => {
        loads++
        return { ed25519: nobleEd25519, x25519: nobleX25519 }
      },
    })
    const error = await detecting.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CurvesUnavailableError)
    expect(error).toMatchObject({ message: 'Hearth cannot create or check signatures in this browser', unfetched: false, cause: { message: 'no BigInt' } })
    expect(loads).toBe(0)
  })
})

describe('curves(): detected once, retried after a failure', () => {
  it('gives the same choice on every call once detected', async () => {
    vi.resetModules()
    const { curves } = await import('../../src/crypto/curves.ts')
    const first = curves()
    expect(curves()).toBe(first)
    expect((await first).ed25519.source).toBe('webcrypto')
    expect(curves()).toBe(first)
  })

  it('a failed detection is not kept: the next call detects again', async () => {
    vi.resetModules()
    const { curves, CurvesUnavailableError: Unavailable } = await import('../../src/crypto/curves.ts')
    // No WebCrypto and no BigInt: nothing can run.
    vi.stubGlobal('crypto', undefined)
    vi.stubGlobal('BigInt', undefined)
    onTestFinished(() => void vi.unstubAllGlobals())
    const failed = curves()
    await expect(failed).rejects.toBeInstanceOf(Unavailable)
    vi.unstubAllGlobals()
    const again = curves()
    expect(again).not.toBe(failed)
    expect((await again).ed25519.source).toBe('webcrypto')
  })
})
