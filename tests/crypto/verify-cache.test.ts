import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { curves, verifySignature } from '../../src/crypto/index.ts'

// In a file of its own: the cache of verifying keys is module state, empty only when no other test verified before.
describe('verifying keys are cached, within bounds', () => {
  it('imports each verifying key once, and forgets them all past 1000 (a flood of keys cannot grow memory)', async () => {
    const message = new Uint8Array([9])
    // Passes the encoding rules (R not of small order, s < L), so verification reaches WebCrypto.
    const signature = Uint8Array.from({ length: 64 }, (_, i) => (i < 32 ? 0x5a : 0))
    const flood = Array.from({ length: 1002 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (j < 4 ? (i >> (8 * j)) & 0xff : 0x5a)))
    // Detecting the curves imports keys of its own: done before counting.
    expect((await curves()).ed25519.source).toBe('webcrypto')
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    onTestFinished(() => importKey.mockRestore())
    const importsFor = async (key: Uint8Array) => {
      importKey.mockClear()
      await verifySignature(key, signature, message)
      return importKey.mock.calls.length
    }
    expect(await importsFor(flood[0]!)).toBe(1)
    expect(await importsFor(flood[0]!)).toBe(0)
    for (const key of flood.slice(1, 1000)) await verifySignature(key, signature, message)
    // 1001 keys held (the 1000 here and the one detection checked with): the first is still known.
    expect(await importsFor(flood[0]!)).toBe(0)
    await verifySignature(flood[1000]!, signature, message)
    // The 1002nd cleared the cache.
    expect(await importsFor(flood[0]!)).toBe(1)
  })
})
