/** A call that runs its work at most once every few milliseconds (see atMostEvery). */
export interface AtMostEvery {
  (): void
  /** Drops a run still to come. */
  cancel(): void
}

/**
 * Runs `work` at the first call, then at most once every `ms`: calls that
 * come while it waits are folded into one run at the end of the wait. For a
 * stream of events of which only the state after the last one matters.
 */
export function atMostEvery(ms: number, work: () => void): AtMostEvery {
  let timer: ReturnType<typeof setTimeout> | null = null
  let more = false
  const run = (): void => {
    work()
    timer = setTimeout(() => {
      timer = null
      if (!more) return
      more = false
      run()
    }, ms)
    // Never what keeps a Node process running.
    ;(timer as { unref?: () => void }).unref?.()
  }
  const call = (): void => {
    if (timer) more = true
    else run()
  }
  call.cancel = (): void => {
    if (timer) clearTimeout(timer)
    timer = null
    more = false
  }
  return call
}
