import type { ServerOptions } from './server.ts'
import { DEFAULT_HOST, DEFAULT_PORT } from './server.ts'
import { parseIceServers, type RTCIceServerLike, type TurnRestConfig } from './iceServers.ts'
import { limitsError, type SignalingLimits } from './limits.ts'

/** What `npm start` was asked to do. */
export type CliConfig =
  | { command: 'help' }
  | { command: 'serve'; options: ServerOptions & { host: string; port: number }; distDir: string | null }

export type ParsedCliConfig = { ok: true; config: CliConfig } | { ok: false; error: string }

export const USAGE = `Usage: npm start -- [options]

Serves the Hearth app, /config.json and y-webrtc signaling (/signal) on one origin.

Options:
  --host HOST      interface to bind (env HOST; default ${DEFAULT_HOST})
  --port PORT      port to listen on, 0 = any free port (env PORT; default ${DEFAULT_PORT})
  --dist DIR       serve this prebuilt app directory and skip the automatic build (env HEARTH_DIST)
  --help           show this help

Environment:
  HEARTH_ICE_SERVERS  JSON array of ICE servers, e.g. [{"urls":"stun:stun.example.org"}]
  HEARTH_TURN_SECRET  coturn static-auth-secret; enables time-limited TURN credentials
  HEARTH_TURN_URLS    comma-separated turn:/turns: URLs for those credentials
  HEARTH_TURN_TTL     credential lifetime in seconds (default 600)
  HEARTH_SIGNALING    comma-separated extra signaling URLs (wss://…) offered to the app
  HEARTH_REDIS_URL    redis:// or rediss:// URL: share rooms with other instances (a signaling cluster)
  HEARTH_TRUST_PROXY  number of reverse proxies in front that append to X-Forwarded-For (default 0: none)
  HEARTH_LIMITS       JSON object overriding signaling limits, e.g. {"maxConnectionsPerAddress":100}
`

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== ''
  } catch {
    return false
  }
}

function parsePort(value: string): number | null {
  if (!/^\d+$/.test(value)) return null
  const port = Number(value)
  return port <= 65535 ? port : null
}

/**
 * Reads flags and environment into server options. Flags win over the
 * environment. Pure (no I/O), so every rule is unit-tested; errors are
 * messages an operator can act on.
 */
export function parseCliConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedCliConfig {
  const flags: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--help' || arg === '-h') return { ok: true, config: { command: 'help' } }
    const match = /^--(host|port|dist)(?:=(.*))?$/.exec(arg)
    if (!match) return { ok: false, error: `unknown argument: ${arg}` }
    const name = match[1] as string
    const value = match[2] ?? argv[++i]
    if (value === undefined || value === '') return { ok: false, error: `--${name} needs a value` }
    flags[name] = value
  }

  const host = flags.host ?? env.HOST ?? DEFAULT_HOST
  const portText = flags.port ?? env.PORT
  const port = portText === undefined || portText === '' ? DEFAULT_PORT : parsePort(portText)
  if (port === null) return { ok: false, error: `invalid port: ${portText}` }

  let iceServers: RTCIceServerLike[] = []
  if (env.HEARTH_ICE_SERVERS) {
    let json: unknown
    try {
      json = JSON.parse(env.HEARTH_ICE_SERVERS)
    } catch {
      return { ok: false, error: 'HEARTH_ICE_SERVERS is not valid JSON' }
    }
    const parsed = parseIceServers(json)
    if (!parsed.ok) return { ok: false, error: `HEARTH_ICE_SERVERS: ${parsed.error}` }
    iceServers = parsed.iceServers
  }

  let turn: TurnRestConfig | null = null
  const turnUrls = list(env.HEARTH_TURN_URLS)
  if (env.HEARTH_TURN_SECRET || turnUrls.length > 0) {
    if (!env.HEARTH_TURN_SECRET || turnUrls.length === 0) {
      return { ok: false, error: 'set both HEARTH_TURN_SECRET and HEARTH_TURN_URLS, or neither' }
    }
    const badUrl = turnUrls.find((u) => !/^turns?:/.test(u))
    if (badUrl) return { ok: false, error: `HEARTH_TURN_URLS: not a turn: or turns: URL: ${badUrl}` }
    turn = { secret: env.HEARTH_TURN_SECRET, urls: turnUrls }
    if (env.HEARTH_TURN_TTL) {
      const ttl = Number(env.HEARTH_TURN_TTL)
      if (!Number.isInteger(ttl) || ttl <= 0) return { ok: false, error: `HEARTH_TURN_TTL must be a positive integer (seconds)` }
      turn.ttlSeconds = ttl
    }
  }

  const extraSignaling = list(env.HEARTH_SIGNALING)
  const badSignaling = extraSignaling.find((u) => !/^wss?:\/\/[^\s;,'"]+$/.test(u))
  if (badSignaling) return { ok: false, error: `HEARTH_SIGNALING: not a ws:// or wss:// URL: ${badSignaling}` }

  const redisUrl = env.HEARTH_REDIS_URL || null
  // The URL may hold a password: errors never repeat it.
  if (redisUrl !== null && !isRedisUrl(redisUrl)) return { ok: false, error: 'HEARTH_REDIS_URL must be a redis:// or rediss:// URL' }

  const trustText = env.HEARTH_TRUST_PROXY || '0'
  if (!/^\d{1,2}$/.test(trustText)) return { ok: false, error: 'HEARTH_TRUST_PROXY must be the number of proxies in front (0 to 99)' }
  const trustedProxies = Number(trustText)

  let limits: Partial<SignalingLimits> = {}
  if (env.HEARTH_LIMITS) {
    let json: unknown
    try {
      json = JSON.parse(env.HEARTH_LIMITS)
    } catch {
      return { ok: false, error: 'HEARTH_LIMITS is not valid JSON' }
    }
    const problem = limitsError(json)
    if (problem) return { ok: false, error: `HEARTH_LIMITS: ${problem}` }
    limits = json as Partial<SignalingLimits>
  }

  const distDir = flags.dist ?? (env.HEARTH_DIST || null)
  return {
    ok: true,
    config: { command: 'serve', options: { host, port, iceServers, turn, extraSignaling, redisUrl, trustedProxies, limits }, distDir },
  }
}
