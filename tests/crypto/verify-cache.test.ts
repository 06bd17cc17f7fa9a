import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { verifySignature } from '../../src/crypto/index.ts'

// In a file of its own: the cache of verifying keys is module state, empty only when no other test verified before.
describe('verifying keys are cached, within bounds', () => {
  it('imports each verifying key once, and forgets them all past 1000 (a flood of keys cannot grow memory)', async () => {
    const message = new Uint8Array([9])
    const signature = new Uint8Array(64)
    const flood = Array.from({ length: 1002 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (j < 4 ? (i >> (8 * j)) & 0xff : 0x5a)))
    const importKey = vi.spyOn(crypto.subtle, 'importKey')
    onTestFinished(() => importKey.mockRestore())
    const importsFor = async (key: Uint8Array) => {
      importKey.mockClear()
      await verifySignature(key, signature, message)
      return importKey.mock.calls.length
    }
    expect(await importsFor(flood[0]!)).toBe(1)
    expect(await importsFor(flood[0]!)).toBe(0)
    for (const key of flood.slice(1, 1001)) await verifySignature(key, signature, message)
    // 1001 keys held: the first is still known.
    expect(await importsFor(flood[0]!)).toBe(0)
    await verifySignature(flood[1001]!, signature, message)
    // The 1002nd cleared the cache.
    expect(await importsFor(flood[0]!)).toBe(1)
  })
})
