import { mulberry32 } from '../support/mulberry32.ts'

/**
 * A small seeded PRNG (mulberry32) so a failing random test can be replayed
 * from its seed alone.
 */
export class Prng {
  #state: number

  constructor(readonly seed: number) {
    this.#state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    const [state, value] = mulberry32(this.#state)
    this.#state = state
    return value
  }

  /** An integer in [0, max). */
  int(max: number): number {
    return Math.floor(this.next() * max)
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }

  /** A random element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty array')
    return items[this.int(items.length)] as T
  }
}
