/** A token bucket per client address, for endpoints that are cheap to abuse. */
export interface AddressRateLimiter {
  /** Spends one token of `address`; false when it is empty (or too many addresses are being tracked). */
  take(address: string): boolean
}

export interface AddressRateLimiterOptions {
  burst: number
  perMinute: number
  /** Addresses tracked at once; buckets that have refilled are forgotten to make room. */
  maxAddresses?: number
  now?: () => number
}

/**
 * Per-address token buckets with bounded memory: a bucket that has refilled
 * completely holds no information and is swept (at most once a second) when
 * the table is full. If it is still full after a sweep, new addresses are
 * refused rather than letting the table grow without bound.
 */
export function createAddressRateLimiter(opts: AddressRateLimiterOptions): AddressRateLimiter {
  const maxAddresses = opts.maxAddresses ?? 10_000
  const now = opts.now ?? (() => performance.now())
  const perMs = opts.perMinute / 60_000
  const buckets = new Map<string, { tokens: number; last: number }>()
  let lastSweep = -Infinity

  const refill = (bucket: { tokens: number; last: number }, t: number): void => {
    bucket.tokens = Math.min(opts.burst, bucket.tokens + (t - bucket.last) * perMs)
    bucket.last = t
  }

  return {
    take(address) {
      const t = now()
      let bucket = buckets.get(address)
      if (!bucket) {
        if (buckets.size >= maxAddresses && t - lastSweep >= 1000) {
          lastSweep = t
          for (const [key, b] of buckets) {
            refill(b, t)
            if (b.tokens >= opts.burst) buckets.delete(key)
          }
        }
        if (buckets.size >= maxAddresses) return false
        bucket = { tokens: opts.burst, last: t }
        buckets.set(address, bucket)
      }
      refill(bucket, t)
      if (bucket.tokens < 1) return false
      bucket.tokens -= 1
      return true
    },
  }
}
