/** Longest stretch of engine work on the main thread before it lets the page breathe. */
export const SLICE_MS = 12

/** Lets the event loop run (input, rendering) before going on. */
export function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler
  if (scheduler?.yield) return scheduler.yield()
  // A message round trip: a task of its own, without the minimum delay of nested timers.
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })
}

/**
 * Work in slices: `breathe()` between two steps of a long loop lets the event
 * loop run once the slice's time is spent, so a large board opens or syncs
 * without one long task on the main thread. Awaiting something that is
 * already done (a WebCrypto answer that came while the page was busy) does
 * not: its continuation runs in the same task.
 */
export class Slices {
  readonly #ms: number
  #deadline: number

  /** `until`: when the first slice ends, if not `ms` from now (what is left of a slice begun before). */
  constructor(ms: number = SLICE_MS, until?: number) {
    this.#ms = ms
    this.#deadline = until ?? performance.now() + ms
  }

  /** When this slice ends (`performance.now()` time). */
  get deadline(): number {
    return this.#deadline
  }

  /** Whether this slice's time is spent. */
  get spent(): boolean {
    return performance.now() > this.#deadline
  }

  /** Yields to the event loop if this slice's time is spent, and starts a new slice. */
  async breathe(): Promise<void> {
    if (!this.spent) return
    await yieldToEventLoop()
    this.#deadline = performance.now() + this.#ms
  }
}
