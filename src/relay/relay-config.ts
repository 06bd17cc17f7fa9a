import { isAbsolute, resolve } from 'node:path'
import { DEFAULT_LIMITS, LIMIT_VARIABLES, type RelayLimits } from './relay-limits.ts'

export type RelayCommand =
  | { readonly name: 'run' }
  | { readonly name: 'add'; readonly link: string; readonly relayName: string }
  | { readonly name: 'list' }
  | { readonly name: 'remove'; readonly board: string }
  | { readonly name: 'help' }

export interface RelayConfig {
  readonly command: RelayCommand
  /** Where the relay keeps its database (and, unless `keyFile` says otherwise, its store key). */
  readonly dataDir: string
  /** The store key's file, when it is kept apart from the data (a systemd credential, another disk). */
  readonly keyFile: string | null
  /** Signaling servers added to every board's own (from its relay link). */
  readonly signaling: readonly string[]
  readonly limits: RelayLimits
  /** Also log every write (for tests and benchmarks). */
  readonly verbose: boolean
}

export const RELAY_USAGE = `Usage: npm run relay -- [command] [options]

Commands:
  run                 carry every board added (the default)
  add <relay link>    carry one more board: asks to be let in as its relay
  list                the boards carried, and what each takes on disk
  remove <board id>   stop carrying a board and delete what is stored for it

Options (or environment variables):
  --data <dir>          HEARTH_RELAY_DATA         data directory (default ./relay-data)
  --key-file <file>     HEARTH_RELAY_KEY_FILE     store key file (default <data>/store.key)
  --signaling <url>     HEARTH_RELAY_SIGNALING    extra signaling server (comma-separated in the variable)
  --name <name>         (add) the name the moderators see in its request (default "Relay")
  --verbose             log every write
Limits (environment): HEARTH_RELAY_BOARD_BYTES, HEARTH_RELAY_BOARD_ENTRIES,
  HEARTH_RELAY_TOTAL_BYTES, HEARTH_RELAY_TOTAL_ENTRIES, HEARTH_RELAY_MAX_BOARDS
`

type Env = Readonly<Record<string, string | undefined>>

function limitFrom(env: Env, variable: string, fallback: number): number | string {
  const raw = env[variable]
  if (raw === undefined || raw.trim() === '') return fallback
  const n = Number(raw)
  return Number.isSafeInteger(n) && n > 0 ? n : `${variable} must be a positive whole number, not "${raw}"`
}

/** Parses the relay's command line and environment; an error says what to fix. */
export function parseRelayConfig(argv: readonly string[], env: Env, cwd = process.cwd()): { ok: true; config: RelayConfig } | { ok: false; error: string } {
  const positional: string[] = []
  let dataDir = env.HEARTH_RELAY_DATA ?? 'relay-data'
  let keyFile = env.HEARTH_RELAY_KEY_FILE ?? null
  const signaling = (env.HEARTH_RELAY_SIGNALING ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  let relayName = 'Relay'
  let verbose = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${arg} needs a value`)
      return v
    }
    try {
      if (arg === '--data') dataDir = value()
      else if (arg === '--key-file') keyFile = value()
      else if (arg === '--signaling') signaling.push(value())
      else if (arg === '--name') relayName = value()
      else if (arg === '--verbose') verbose = true
      else if (arg === '--help' || arg === '-h') positional.unshift('help')
      else if (arg.startsWith('--')) return { ok: false, error: `unknown option ${arg}` }
      else positional.push(arg)
    } catch (e) {
      return { ok: false, error: (e as Error).message }
    }
  }
  for (const url of signaling) if (!/^wss?:\/\//.test(url)) return { ok: false, error: `a signaling server is a ws:// or wss:// address, not "${url}"` }
  const name = relayName.trim()
  if (name === '' || [...name].length > 60) return { ok: false, error: 'the relay name is 1 to 60 characters' }
  const limits: Record<string, number> = {}
  for (const [key, code] of [['boardBytes', 'board_bytes'], ['boardEntries', 'board_entries'], ['totalBytes', 'total_bytes'], ['totalEntries', 'total_entries'], ['boards', 'boards']] as const) {
    const v = limitFrom(env, LIMIT_VARIABLES[code], DEFAULT_LIMITS[key])
    if (typeof v === 'string') return { ok: false, error: v }
    limits[key] = v
  }
  const [verb = 'run', arg, ...rest] = positional
  if (rest.length > 0) return { ok: false, error: `unexpected ${rest.join(' ')}` }
  let command: RelayCommand
  if (verb === 'run' || verb === 'list' || verb === 'help') {
    if (arg !== undefined) return { ok: false, error: `${verb} takes no argument` }
    command = { name: verb }
  } else if (verb === 'add') {
    if (!arg) return { ok: false, error: 'add needs the relay link a moderator made (Board settings → Add a relay)' }
    command = { name: 'add', link: arg, relayName: name }
  } else if (verb === 'remove') {
    if (!arg) return { ok: false, error: 'remove needs a board id (see list)' }
    command = { name: 'remove', board: arg }
  } else return { ok: false, error: `unknown command ${verb}` }
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p))
  return { ok: true, config: { command, dataDir: abs(dataDir), keyFile: keyFile ? abs(keyFile) : null, signaling, limits: limits as unknown as RelayLimits, verbose } }
}
