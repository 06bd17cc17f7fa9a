/**
 * Records each macrotask the event loop runs, as 'tick' in `log`, until the
 * returned function is called: what a tap would get while work goes on.
 */
export function ticks(log: string[]): () => void {
  let on = true
  const tick = () => {
    if (!on) return
    log.push('tick')
    setImmediate(tick)
  }
  setImmediate(tick)
  return () => (on = false)
}
