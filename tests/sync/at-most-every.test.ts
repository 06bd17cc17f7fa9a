import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { atMostEvery } from '../../src/sync/at-most-every.ts'

describe('atMostEvery', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('runs at the first call at once', () => {
    const work = vi.fn()
    atMostEvery(50, work)()
    expect(work).toHaveBeenCalledTimes(1)
  })

  it('folds the calls of a window into one run at its end, and runs again at a call after a quiet window', () => {
    const work = vi.fn()
    const call = atMostEvery(50, work)
    for (let i = 0; i < 300; i++) call()
    expect(work).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(49)
    expect(work).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(1)
    expect(work).toHaveBeenCalledTimes(2)
    // Nothing came in the next window: no run at its end.
    vi.advanceTimersByTime(200)
    expect(work).toHaveBeenCalledTimes(2)
    call()
    expect(work).toHaveBeenCalledTimes(3)
  })

  it('runs after the last call of a stream, about once a window during it', () => {
    const runs: number[] = []
    const call = atMostEvery(50, () => runs.push(Date.now()))
    let last = 0
    // A frame every 10 ms for a second.
    for (let t = 0; t < 1000; t += 10) {
      call()
      last = Date.now()
      vi.advanceTimersByTime(10)
    }
    vi.advanceTimersByTime(100)
    expect(runs.at(-1)).toBeGreaterThanOrEqual(last)
    expect(runs.length).toBeGreaterThanOrEqual(19)
    expect(runs.length).toBeLessThanOrEqual(21)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('cancel drops the run still to come', () => {
    const work = vi.fn()
    const call = atMostEvery(50, work)
    call()
    call()
    call.cancel()
    vi.advanceTimersByTime(100)
    expect(work).toHaveBeenCalledTimes(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})
