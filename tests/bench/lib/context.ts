import type { BoardSpec } from './board.ts'
import type { ProfileEntry } from './browser.ts'
import type { BrowserBoard } from './sealed-board.ts'
import type { Servers } from './servers.ts'

/** Repetitions per figure: several for the cheap ones, fewer for the heavy ones. */
export interface Runs {
  open: number
  sync: number
  /** Initial syncs over the slow link (slow-sync.ts). */
  slowSync: number
  writes: number
  writesLarge: number
  scale: number
  /** The Node sealed-vs-plain part: whole write passes (sealed; plain), opens and initial syncs. */
  sealed: { write: number; plainWrite: number; open: number; sync: number }
  /** The scale table: opens and initial syncs per size (fewer from 100,000 items on). */
  table: { open: number; sync: number; openHuge: number; syncHuge: number }
}

/** What every part gets. Servers and boards are made on first use, so a part that fails to get them fails alone. */
export interface BenchContext {
  /** Hearth's server and the baseline pages' server, started on first use. */
  servers(): Promise<Servers>
  /** Whether parts take CPU profiles (on an unminified build). */
  profile: boolean
  /** The 100-item board (scaled with `--scale` when one value is given). */
  small(): Promise<BrowserBoard>
  /** The large board (10,000 items unless `--scale` gives one value). */
  large(): Promise<BrowserBoard>
  /** A large-board-shaped board with `items` items (the scale table's sizes); the large board itself when sizes match. */
  board(items: number): Promise<BrowserBoard>
  /** Drops a generated board from memory (a 100,000-item board holds ~400 MB). */
  forget(items: number): void
  largeSpec: BoardSpec
  largeSeed: number
  /** Sizes of the scale table, ascending. */
  tableItems: number[]
  runs: Runs
  log(message: string): void
  /** CPU profiles taken during the run, by name. */
  profiles: Record<string, { totalMs: number; wallMs: number; top: ProfileEntry[] }>
  /** Boards generated in this run (for the report). */
  boards: Map<string, BrowserBoard>
  /** Extra sections of the report, by part (the scale table). */
  sections: Record<string, unknown>
}
