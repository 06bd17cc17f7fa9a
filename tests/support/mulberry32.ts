/**
 * One step of mulberry32, the small seeded PRNG the tests and the benchmarks
 * share: the same seed gives the same sequence on every machine.
 * Returns the next state and a float in [0, 1).
 */
export function mulberry32(state: number): [next: number, value: number] {
  const next = (state + 0x6d2b79f5) >>> 0
  let t = next
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return [next, ((t ^ (t >>> 14)) >>> 0) / 4294967296]
}
