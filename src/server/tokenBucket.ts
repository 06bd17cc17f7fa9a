/**
 * A token bucket: `take()` succeeds while tokens remain and tokens refill at a
 * steady rate up to `burst`. Used per signaling connection so one client
 * cannot make the server fan out an unbounded stream of frames.
 * The clock is injected so tests need no sleeping.
 */
export interface TokenBucket {
  /** Spends one token; false when the bucket is empty. */
  take(): boolean
}

export function createTokenBucket(
  ratePerSecond: number,
  burst: number,
  now: () => number = () => performance.now(),
): TokenBucket {
  let tokens = burst
  let last = now()
  return {
    take() {
      const t = now()
      tokens = Math.min(burst, tokens + ((t - last) / 1000) * ratePerSecond)
      last = t
      if (tokens < 1) return false
      tokens -= 1
      return true
    },
  }
}
