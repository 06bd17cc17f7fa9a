/**
 * Runs the parts of the bench one after the other, each in isolation, so the
 * run survives its own figures: a part that throws or outlives its timeout
 * becomes a "failed: <reason>" row and the next part still runs; rows a part
 * added before it failed are kept. Unhandled rejections and exceptions thrown
 * from stray timers (a y-webrtc reconnect, a peer process dying) are caught
 * for the whole run and reported against the part that was running, instead
 * of ending the process with nothing written. After every part, whatever
 * happened, `cleanup` closes what parts may have left behind (browsers, child
 * processes), and `onProgress` can write the rows so far.
 */
import { failedFigure, reasonOf, type Figure } from './figure.ts'

/** What a part gets besides the shared context. */
export interface PartApi {
  /** Aborted when the part timed out: stop starting new work. */
  readonly signal: AbortSignal
  /** Adds rows as they are measured, so they survive a later failure of the same part. */
  add(...figures: Figure[]): void
}

/** One part of the bench: a group of figures measured together. */
export interface Part<C> {
  /** The name `--only` takes. */
  readonly name: string
  /** The part is abandoned after this long, and reported as failed. */
  readonly timeoutMs: number
  /** Measures; rows are returned, or added through `api.add` as they come. */
  run(ctx: C, api: PartApi): Promise<Figure[] | void>
}

export interface PartOutcome {
  name: string
  ms: number
  /** null when the part finished. */
  failed: string | null
  /** Unhandled rejections and uncaught exceptions seen while the part ran. */
  strays: string[]
}

export interface RunOptions {
  log(message: string): void
  /** Closes what a part may have left running (after every part, failed or not). */
  cleanup(): Promise<void>
  /** Called after every part with what happened to it. */
  onOutcome?(outcome: PartOutcome): void
  /** Called after every part (after `onOutcome`) with all rows so far. */
  onProgress?(figures: readonly Figure[]): Promise<void>
}

/** Where unhandled errors land: the part that is running, or the run itself. */
class StrayErrors {
  #current: string[] = []
  readonly #onRejection = (reason: unknown) => this.#record('unhandled rejection', reason)
  readonly #onException = (err: unknown) => this.#record('uncaught exception', err)
  log: (message: string) => void = () => {}

  #record(kind: string, err: unknown): void {
    const text = `${kind}: ${reasonOf(err)}`
    this.#current.push(text)
    this.log(`  ${text}`)
  }

  /** Starts collecting for a new part; returns what was collected for the previous one. */
  next(): string[] {
    const done = this.#current
    this.#current = []
    return done
  }

  install(): () => void {
    process.on('unhandledRejection', this.#onRejection)
    process.on('uncaughtException', this.#onException)
    return () => {
      process.off('unhandledRejection', this.#onRejection)
      process.off('uncaughtException', this.#onException)
    }
  }
}

/** Runs `parts` in order; returns every row (failed ones included) and what happened to each part. */
export async function runParts<C>(parts: readonly Part<C>[], ctx: C, opts: RunOptions): Promise<{ figures: Figure[]; outcomes: PartOutcome[] }> {
  const strays = new StrayErrors()
  strays.log = opts.log
  const uninstall = strays.install()
  const figures: Figure[] = []
  const outcomes: PartOutcome[] = []
  try {
    for (const part of parts) {
      strays.next()
      const started = performance.now()
      opts.log(`${part.name} (timeout ${duration(part.timeoutMs)})`)
      const added: Figure[] = []
      const failed = await runOne(part, ctx, added)
      figures.push(...added)
      if (failed) {
        opts.log(`  ${part.name} failed: ${failed}`)
        figures.push({ ...failedFigure({ id: `${part.name}-failed`, label: `${part.name}: part did not finish`, reason: failed, note: added.length > 0 ? `the ${added.length} rows above were measured before it failed` : undefined }), part: part.name })
      }
      await opts.cleanup().catch((err: unknown) => opts.log(`  cleanup after ${part.name} failed: ${reasonOf(err)}`))
      const seen = strays.next()
      if (seen.length > 0) {
        figures.push({ ...failedFigure({ id: `${part.name}-unhandled`, label: `${part.name}: unhandled errors while it ran`, reason: seen.slice(0, 3).join(' | '), note: `${seen.length} in all; the part's rows were kept, check them` }), part: part.name })
      }
      const outcome = { name: part.name, ms: performance.now() - started, failed, strays: seen }
      outcomes.push(outcome)
      opts.onOutcome?.(outcome)
      if (opts.onProgress) await opts.onProgress(figures).catch((err: unknown) => opts.log(`  writing progress failed: ${reasonOf(err)}`))
    }
  } finally {
    uninstall()
  }
  return { figures, outcomes }
}

/** Runs one part under its timeout; resolves with the failure reason, or null. Never rejects. */
async function runOne<C>(part: Part<C>, ctx: C, added: Figure[]): Promise<string | null> {
  const controller = new AbortController()
  const api: PartApi = {
    signal: controller.signal,
    add: (...f) => {
      // A part abandoned at its timeout may still be running: its late rows are dropped.
      if (!controller.signal.aborted) added.push(...f.map((row) => ({ ...row, part: part.name })))
    },
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`timed out after ${duration(part.timeoutMs)}`), part.timeoutMs)
  })
  // Started inside a promise so a synchronous throw is a rejection like any other.
  const running = Promise.resolve()
    .then(() => part.run(ctx, api))
    .then(
      (rows) => {
        if (rows) api.add(...rows)
        return null
      },
      (err: unknown) => reasonOf(err),
    )
  try {
    return await Promise.race([running, timedOut])
  } finally {
    clearTimeout(timer)
    controller.abort()
  }
}

/** "300 ms", "45 s", "12 min". */
export function duration(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms)} ms`
  if (ms < 600_000) return `${Math.round(ms / 1000)} s`
  return `${Math.round(ms / 60_000)} min`
}
