/** One row of the results table: Hearth against its baseline, measured in the same run. */
import { summarize, type Summary } from './stats.ts'

export type Unit = 'ms' | 'MB' | 'KB' | 'msgs'

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
  hearth: Summary
  baselineLabel: string
  baseline: Summary | null
  /** hearth.median / baseline.median. */
  ratio: number | null
  target: Target | null
  /** null when there is no target or it could not be measured. */
  pass: boolean | null
  note?: string
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

export const MB = 1024 * 1024
