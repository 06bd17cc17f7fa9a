/** Summaries of repeated measurements. */
export interface Summary {
  median: number
  min: number
  max: number
  p95: number
  runs: number
  samples: number[]
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples')
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => {
    const pos = (sorted.length - 1) * q
    const lo = Math.floor(pos)
    const hi = Math.ceil(pos)
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
  }
  return { median: at(0.5), min: sorted[0]!, max: sorted[sorted.length - 1]!, p95: at(0.95), runs: samples.length, samples: [...samples] }
}

/** Pauses between samples so one run's leftovers (GC, IndexedDB writes) do not land in the next. */
export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Runs `fn` under a deadline; the error names what timed out. */
export async function within<T>(ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`bench: ${what} took longer than ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
