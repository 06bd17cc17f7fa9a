import { deriveTransportKeys, type TransportSecret } from '../crypto/index.ts'
import type { IceServer, NetworkSettings } from '../storage/index.ts'
import type { ConnectBoardOptions, WrtcLike } from '../sync/index.ts'

/** What the Hearth server on the app's own origin tells the app (GET /config.json). */
export interface ServerConfig {
  readonly signaling: readonly string[]
  readonly iceServers: readonly IceServer[]
}

export const EMPTY_SERVER_CONFIG: ServerConfig = { signaling: [], iceServers: [] }

/** Where to signal and which ICE servers to use, after combining server config and the person's settings. */
export interface NetworkPlan {
  readonly signaling: readonly string[]
  readonly iceServers: readonly IceServer[]
  readonly relayOnly: boolean
}

/** How to reach the room a transport secret names over this network plan: what connectBoard needs besides the doc. */
export function roomConnection(transport: TransportSecret, network: NetworkPlan, wrtc?: WrtcLike): Pick<ConnectBoardOptions, 'room' | 'password' | 'signaling' | 'iceServers' | 'relayOnly' | 'wrtc'> {
  const keys = deriveTransportKeys(transport)
  return {
    room: keys.room,
    password: keys.password,
    signaling: [...network.signaling],
    iceServers: [...network.iceServers],
    relayOnly: network.relayOnly,
    ...(wrtc ? { wrtc } : {}),
  }
}

/** The signaling endpoint of the server that served this app (same origin, ws or wss). */
export function ownSignalingUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/signal`
}

export type SignalingUrlError = 'invalid_url' | 'not_websocket' | 'insecure'

/** Checks a signaling URL a person typed. Plain ws: is allowed only for loopback addresses. */
export function checkSignalingUrl(text: string): { ok: true; url: string } | { ok: false; error: SignalingUrlError } {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return { ok: false, error: 'invalid_url' }
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') return { ok: false, error: 'not_websocket' }
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname)
  if (url.protocol === 'ws:' && !loopback) return { ok: false, error: 'insecure' }
  return { ok: true, url: url.href.replace(/\/$/, url.pathname === '/' ? '' : '/') }
}

export type IceUrlError = 'invalid_url'

/** Checks a STUN/TURN URL (RFC 7064/7065 schemes). */
export function checkIceUrl(text: string): { ok: true; url: string } | { ok: false; error: IceUrlError } {
  const url = text.trim()
  return /^(stun|stuns|turn|turns):[^\s/?#]+(\?transport=(udp|tcp))?$/i.test(url) ? { ok: true, url } : { ok: false, error: 'invalid_url' }
}

/** Combines the server's configuration and the person's settings. Nothing third-party unless configured. */
export function planNetwork(own: string, server: ServerConfig, settings: NetworkSettings): NetworkPlan {
  const signaling = settings.replaceSignaling ? [...settings.signaling] : [own, ...server.signaling, ...settings.signaling]
  return {
    signaling: [...new Set(signaling)],
    iceServers: [...server.iceServers, ...settings.iceServers],
    relayOnly: settings.relayOnly,
  }
}

/** Parses /config.json defensively; a missing or broken config means "own origin only". */
export function parseServerConfig(data: unknown): ServerConfig {
  if (typeof data !== 'object' || data === null) return EMPTY_SERVER_CONFIG
  const o = data as Record<string, unknown>
  const signaling = Array.isArray(o.signaling) ? o.signaling.filter((s): s is string => typeof s === 'string' && checkSignalingUrl(s).ok) : []
  const iceServers: IceServer[] = []
  if (Array.isArray(o.iceServers)) {
    for (const s of o.iceServers as unknown[]) {
      if (typeof s !== 'object' || s === null) continue
      const r = s as Record<string, unknown>
      const urls = typeof r.urls === 'string' ? [r.urls] : Array.isArray(r.urls) ? r.urls.filter((u): u is string => typeof u === 'string') : []
      for (const u of urls) {
        iceServers.push({
          urls: u,
          ...(typeof r.username === 'string' ? { username: r.username } : {}),
          ...(typeof r.credential === 'string' ? { credential: r.credential } : {}),
        })
      }
    }
  }
  return { signaling, iceServers }
}

/** How long the app waits for /config.json before carrying on without it. */
export const CONFIG_TIMEOUT_MS = 3_000

/**
 * Fetches /config.json, or null if it fails or takes longer than `timeoutMs`
 * (a network that accepts connections but never answers must not hold up anything).
 */
export async function fetchServerConfig(base: string, fetcher: typeof fetch = fetch, timeoutMs = CONFIG_TIMEOUT_MS): Promise<ServerConfig | null> {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(), timeoutMs)
  try {
    const res = await fetcher(new URL('/config.json', base), { cache: 'no-store', signal: abort.signal })
    return res.ok ? parseServerConfig(await res.json()) : null
  } catch {
    return null
  } finally {
    clearTimeout(timer)
  }
}

/**
 * The operator's extra signaling servers as the keyring keeps them (the
 * last /config.json's list), checked again on the way out. The page's CSP is
 * narrowed to the servers in use before any board connects, and a CSP can
 * only be narrowed, never widened; so a start uses the list it knows at once
 * (never waiting on the network), and a list that changed is used from the
 * next start. Not secret: the same origins are in the CSP header.
 */
export function knownSignaling(stored: readonly unknown[]): string[] {
  return parseServerConfig({ signaling: stored }).signaling.slice()
}
