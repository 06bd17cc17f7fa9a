/** Longest stretch of engine work on the main thread before it lets the page breathe. */
export const SLICE_MS = 12

/** Lets the event loop run (input, rendering) before going on. */
export async function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler
  if (scheduler?.yield) await scheduler.yield()
  else await nextTask()
  // What follows runs in a task of its own: its slice starts now, whatever the task before spent.
  taskSlice.ends = -1
}

/** A message round trip: a task of its own, without the minimum delay of nested timers. */
function nextTask(): Promise<void> {
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
 * The engine's slice of the task now running: one budget for everything
 * that runs in it, whoever asks. A batch that arrived is checked, then the
 * pump runs its rounds, then the side entries are looked at, each in slices
 * of its own; awaiting work that is already done never ends a task, so
 * without one budget their slices added up to one task of 30–60 ms on a
 * joining peer. `ends` is -1 when no slice was begun in this task: a task
 * that begins one also queues the message that marks the task's end.
 */
const taskSlice = { ends: -1, closing: false }

/** When the engine's slice of the running task ends (begun now, `ms` long, if this task has none yet). */
export function sliceEnds(ms: number = SLICE_MS, now: number = performance.now()): number {
  // Ending later than a slice begun now would: not this clock's (a test's own clock, begun at 0).
  if (taskSlice.ends < 0 || taskSlice.ends > now + ms) {
    taskSlice.ends = now + ms
    if (!taskSlice.closing) {
      taskSlice.closing = true
      // Runs after this task (and after a yield's continuation, which may come first and begins its own slice).
      void nextTask().then(() => {
        taskSlice.closing = false
        taskSlice.ends = -1
      })
    }
  }
  return taskSlice.ends
}

/**
 * Work in slices: `breathe()` between two steps of a long loop lets the event
 * loop run once the slice's time is spent, so a large board opens or syncs
 * without one long task on the main thread. Awaiting something that is
 * already done (a WebCrypto answer that came while the page was busy) does
 * not: its continuation runs in the same task. The slice is the running
 * task's (sliceEnds), whichever task a step runs in: loops begun one after
 * another in one task share it, and one that went on in a later task (after
 * awaiting a worker's answer) has that task's.
 */
export class Slices {
  readonly #ms: number

  /** Begins the running task's slice, if it has none yet. */
  constructor(ms: number = SLICE_MS) {
    this.#ms = ms
    sliceEnds(ms)
  }

  /** When this slice ends (`performance.now()` time). */
  get deadline(): number {
    return sliceEnds(this.#ms)
  }

  /** Whether this slice's time is spent. */
  get spent(): boolean {
    const now = performance.now()
    return now > sliceEnds(this.#ms, now)
  }

  /** Yields to the event loop if this slice's time is spent. */
  async breathe(): Promise<void> {
    if (this.spent) await yieldToEventLoop()
  }
}
