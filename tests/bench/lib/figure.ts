/** One row of the results table: Hearth against its baseline, measured in the same run. */
import { summarize, type Summary } from './stats.ts'

/** `x` is a growth factor (a ratio between two sizes), not a duration or a size. */
export type Unit = 'ms' | 'MB' | 'KB' | 'msgs' | 'x'

export interface Target {
  /** What the target limits: Hearth/baseline, or Hearth's own median. */
  kind: 'ratio' | 'absolute'
  max: number
  text: string
}

export interface Figure {
  id: string
  label: string
  unit: Unit
  /** null only when the row failed (see `failed`). */
  hearth: Summary | null
  baselineLabel: string
  baseline: Summary | null
  /** hearth.median / baseline.median. */
  ratio: number | null
  target: Target | null
  /** null when there is no target or it could not be measured. */
  pass: boolean | null
  note?: string
  /** Why this row could not be measured (the part threw, timed out, or a step failed). */
  failed?: string
  /** The part that measured it (set by the runner). */
  part?: string
}

export function figure(f: {
  id: string
  label: string
  unit: Unit
  hearth: readonly number[]
  baselineLabel?: string
  baseline?: readonly number[] | null
  target?: Target | null
  note?: string
}): Figure {
  const hearth = summarize(f.hearth)
  const baseline = f.baseline && f.baseline.length > 0 ? summarize(f.baseline) : null
  const ratio = baseline && baseline.median > 0 ? hearth.median / baseline.median : null
  const target = f.target ?? null
  let pass: boolean | null = null
  if (target?.kind === 'ratio' && ratio !== null) pass = ratio <= target.max
  if (target?.kind === 'absolute') pass = hearth.median <= target.max
  return {
    id: f.id,
    label: f.label,
    unit: f.unit,
    hearth,
    baselineLabel: f.baselineLabel ?? '—',
    baseline,
    ratio,
    target,
    pass,
    ...(f.note ? { note: f.note } : {}),
  }
}

/** A row that could not be measured: shown as "failed: <reason>", never as a number. */
export function failedFigure(f: { id: string; label: string; unit?: Unit; reason: string; target?: Target | null; note?: string }): Figure {
  return {
    id: f.id,
    label: f.label,
    unit: f.unit ?? 'ms',
    hearth: null,
    baselineLabel: '—',
    baseline: null,
    ratio: null,
    target: f.target ?? null,
    pass: f.target ? false : null,
    failed: f.reason,
    ...(f.note ? { note: f.note } : {}),
  }
}

/** A short, one-line reason from anything thrown. */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err)
  const line = text.split('\n')[0]!.trim()
  return line.length > 300 ? `${line.slice(0, 297)}…` : line || 'unknown error'
}

export const MB = 1024 * 1024
