/**
 * Records each macrotask the event loop runs, as 'tick' in `log` (or what
 * `mark` says, such as a fake clock's time), until the returned function is
 * called: what a tap would get while work goes on.
 */
export function ticks(log: string[]): () => void
export function ticks<T>(log: T[], mark: () => T): () => void
export function ticks(log: unknown[], mark: () => unknown = () => 'tick'): () => void {
  let on = true
  const tick = () => {
    if (!on) return
    log.push(mark())
    setImmediate(tick)
  }
  setImmediate(tick)
  return () => (on = false)
}
