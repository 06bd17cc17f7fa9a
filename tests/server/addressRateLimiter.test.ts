import { describe, expect, it } from 'vitest'
import { createAddressRateLimiter } from '../../src/server/addressRateLimiter.ts'

describe('a per-address rate limit', () => {
  it('lets Alice burst, refuses Eve beyond her burst without touching Alice, and refills with time', () => {
    let t = 0
    const limiter = createAddressRateLimiter({ burst: 3, perMinute: 6, now: () => t })
    expect([1, 2, 3, 4].map(() => limiter.take('eve'))).toEqual([true, true, true, false])
    expect(limiter.take('alice')).toBe(true)
    t += 9_999
    expect(limiter.take('eve')).toBe(false)
    t += 1
    expect(limiter.take('eve')).toBe(true)
    expect(limiter.take('eve')).toBe(false)
  })

  it('holds a bounded number of addresses: idle ones are forgotten, and when all are busy a new address is refused', () => {
    let t = 0
    const limiter = createAddressRateLimiter({ burst: 2, perMinute: 60, maxAddresses: 2, now: () => t })
    expect(limiter.take('a')).toBe(true)
    expect(limiter.take('b')).toBe(true)
    expect(limiter.take('c')).toBe(false)
    t += 2_000 // a and b have refilled: nothing worth remembering
    expect(limiter.take('c')).toBe(true)
    expect(limiter.take('d')).toBe(true)
    expect(limiter.take('e')).toBe(false)
  })
})
