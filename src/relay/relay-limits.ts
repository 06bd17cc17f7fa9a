/** How much one relay stores, per board and in all. */
export interface RelayLimits {
  readonly boardBytes: number
  readonly boardEntries: number
  readonly totalBytes: number
  readonly totalEntries: number
  readonly boards: number
}

export const DEFAULT_LIMITS: RelayLimits = {
  boardBytes: 256 * 1024 * 1024,
  boardEntries: 200_000,
  totalBytes: 8 * 1024 * 1024 * 1024,
  totalEntries: 2_000_000,
  boards: 1000,
}

/** Where a board stands against the limits, after a write it is about to make. */
export interface RelayUsage {
  readonly boardBytes: number
  readonly boardEntries: number
  readonly totalBytes: number
  readonly totalEntries: number
}

export type LimitCode = 'board_bytes' | 'board_entries' | 'total_bytes' | 'total_entries'

/** The variable that sets each limit, for messages an operator can act on. */
export const LIMIT_VARIABLES: Readonly<Record<LimitCode | 'boards', string>> = {
  board_bytes: 'HEARTH_RELAY_BOARD_BYTES',
  board_entries: 'HEARTH_RELAY_BOARD_ENTRIES',
  total_bytes: 'HEARTH_RELAY_TOTAL_BYTES',
  total_entries: 'HEARTH_RELAY_TOTAL_ENTRIES',
  boards: 'HEARTH_RELAY_MAX_BOARDS',
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`

/** Null while a write fits; otherwise which limit it would pass, said so that an operator knows what to do. */
export function checkLimits(usage: RelayUsage, limits: RelayLimits): { readonly code: LimitCode; readonly message: string } | null {
  const over = (code: LimitCode, what: string) => ({
    code,
    message: `${what}: nothing more is stored for this board and it is paused (it keeps what it holds). Raise ${LIMIT_VARIABLES[code]} and restart the relay, or remove boards.`,
  })
  if (usage.boardBytes > limits.boardBytes) return over('board_bytes', `this board would take ${mib(usage.boardBytes)}, over its limit of ${mib(limits.boardBytes)}`)
  if (usage.boardEntries > limits.boardEntries) return over('board_entries', `this board holds ${usage.boardEntries} entries, over its limit of ${limits.boardEntries}`)
  if (usage.totalBytes > limits.totalBytes) return over('total_bytes', `the relay would take ${mib(usage.totalBytes)} in all, over its limit of ${mib(limits.totalBytes)}`)
  if (usage.totalEntries > limits.totalEntries) return over('total_entries', `the relay holds ${usage.totalEntries} entries in all, over its limit of ${limits.totalEntries}`)
  return null
}
