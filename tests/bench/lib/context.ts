import type { GeneratedBoard } from './board.ts'
import type { ProfileEntry } from './browser.ts'
import type { Servers } from './servers.ts'

/** Repetitions per figure: several for the cheap ones, fewer for the heavy ones. */
export interface Runs {
  open: number
  sync: number
  writes: number
  writesLarge: number
  scale: number
  /** The Node sealed-vs-plain part: whole write passes (sealed; plain), opens and initial syncs. */
  sealed: { write: number; plainWrite: number; open: number; sync: number }
}

export interface BenchContext {
  servers: Servers
  /** Origin of an unminified build of the app, for readable CPU profiles; null to skip profiling. */
  profileUrl: string | null
  small: GeneratedBoard
  large: GeneratedBoard
  runs: Runs
  log(message: string): void
  /** CPU profiles taken during the run, by name. */
  profiles: Record<string, { totalMs: number; wallMs: number; top: ProfileEntry[] }>
}
