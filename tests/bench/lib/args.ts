/**
 * Command-line options of `npm run bench`.
 *
 * `--scale` takes one size or a list. A value of 100 or more is a number of
 * items on the large board (`--scale 1000,10000,100000`); a smaller one is a
 * factor of the default 10,000-item board (`--scale 2` = 20,000 items, as
 * before lists existed). One value sizes every figure's boards; a list sizes
 * the scale table (`scale-table`), and the other figures keep the default
 * board.
 */
export const DEFAULT_ITEMS = 10_000
/** The scale table's sizes when `--scale` gives no list. */
export const DEFAULT_TABLE_ITEMS = [1_000, 10_000, 100_000] as const
/** Below this, a `--scale` value is a factor; from it on, an item count. */
const ITEMS_FROM = 100
const MAX_ITEMS = 1_000_000

export interface BenchArgs {
  /** Items on the large board of every figure but the scale table. */
  items: number
  /** Sizes of the scale table, ascending. */
  tableItems: number[]
  /** Parts to run, in the order they are registered. */
  only: string[]
  profile: boolean
  write: boolean
  /** One or a few repetitions of everything: to check the bench itself works, not for figures. */
  quick: boolean
  /** Keep the rows of the parts not run from the previous results.json. */
  merge: boolean
}

export function parseArgs(argv: readonly string[], parts: readonly string[]): BenchArgs {
  let sizes: number[] | null = null
  let only = [...parts]
  let profile = true
  let write = true
  let quick = false
  let merge = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const value = () => inline ?? argv[++i] ?? ''
    if (flag === '--scale') sizes = parseSizes(value())
    else if (flag === '--only') only = parseParts(value(), parts)
    else if (flag === '--no-profile') profile = false
    else if (flag === '--no-write') write = false
    else if (flag === '--quick') quick = true
    else if (flag === '--merge') merge = true
    else throw new Error(`bench: unknown argument ${arg}`)
  }
  const single = sizes?.length === 1 ? sizes[0]! : null
  return {
    items: single ?? DEFAULT_ITEMS,
    tableItems: sizes ?? [...DEFAULT_TABLE_ITEMS],
    only: parts.filter((p) => only.includes(p)),
    profile,
    write,
    quick,
    merge,
  }
}

function parseSizes(list: string): number[] {
  const values = list.split(',').filter(Boolean).map(Number)
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error('bench: --scale takes item counts (≥ 100) or factors, e.g. --scale 1000,10000,100000 or --scale 2')
  const items = values.map((v) => Math.round(v >= ITEMS_FROM ? v : v * DEFAULT_ITEMS))
  if (items.some((n) => n < 10 || n > MAX_ITEMS)) throw new Error(`bench: --scale sizes must be between 10 and ${MAX_ITEMS.toLocaleString('en')} items`)
  return [...new Set(items)].sort((a, b) => a - b)
}

function parseParts(list: string, parts: readonly string[]): string[] {
  const names = list.split(',').filter(Boolean)
  for (const n of names) if (!parts.includes(n)) throw new Error(`bench: --only takes ${parts.join(',')}`)
  return names
}
