/**
 * A device key whose bound client id falls below BOUND_CLIENT_IDS_FROM (once
 * in about 2^21 keys) is never handed out: entries from before sealed boards
 * may write under such ids, so they could write under this device's. The
 * public key below was found by search (12 s of SHA-256) to bind below it.
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Curves, KeyPairBytes } from '../../src/crypto/curves.ts'

const LOW = hexToBytes('e6adbeb536c4f7824b32e53e8f58882764eb5ca402998de8b06aefe68e5f0308')
/** How many of the next keys the fallback generator hands out are LOW. */
let lowToCome = 0
let generated = 0

vi.mock('../../src/crypto/curves.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/crypto/curves.ts')>()
  let wrapped: Promise<Curves> | undefined
  return {
    ...real,
    curves: () =>
      (wrapped ??= real.curves().then((c) => ({
        ...c,
        ed25519: {
          ...c.ed25519,
          generate: async (): Promise<KeyPairBytes> => {
            generated++
            const pair = await c.ed25519.generate()
            if (lowToCome === 0) return pair
            lowToCome--
            return { ...pair, publicKey: LOW }
          },
        },
      }))),
  }
})

const { boundClientId, BOUND_CLIENT_IDS_FROM, generateDeviceKeys } = await import('../../src/crypto/index.ts')

afterEach(() => {
  lowToCome = 0
  generated = 0
})

describe('a new device key', () => {
  it('the fixture binds below the line', () => {
    expect(boundClientId(LOW)).toBeLessThan(BOUND_CLIENT_IDS_FROM)
  })

  it('is made again while its bound client id falls below the line', async () => {
    lowToCome = 2
    const keys = await generateDeviceKeys()
    expect(keys.signPublic).not.toEqual(LOW)
    expect(boundClientId(keys.signPublic)).toBeGreaterThanOrEqual(BOUND_CLIENT_IDS_FROM)
    expect(generated).toBe(3)
  })

  it('is made once when its bound client id is above it', async () => {
    const keys = await generateDeviceKeys()
    expect(boundClientId(keys.signPublic)).toBeGreaterThanOrEqual(BOUND_CLIENT_IDS_FROM)
    expect(generated).toBe(1)
  })
})
