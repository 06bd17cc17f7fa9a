import { describe, expect, it } from 'vitest'
import { createTokenBucket } from '../../src/server/tokenBucket.ts'

describe('token bucket', () => {
  it('allows a burst, then refills at the configured rate', () => {
    let t = 0
    const bucket = createTokenBucket(10, 3, () => t)
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false])
    t += 100 // 0.1 s at 10/s = one token
    expect([bucket.take(), bucket.take()]).toEqual([true, false])
    t += 10_000 // never more than the burst
    expect(Array.from({ length: 4 }, () => bucket.take())).toEqual([true, true, true, false])
  })

  it('runs on the real clock when none is given: a burst, then empty', () => {
    const bucket = createTokenBucket(0.001, 2)
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false])
  })
})
