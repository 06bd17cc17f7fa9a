/**
 * An ICE server entry as `RTCPeerConnection` accepts it. Defined here because
 * Node has no WebRTC types and the server must not depend on DOM typings.
 */
export interface RTCIceServerLike {
  urls: string | string[]
  username?: string
  credential?: string
}

/** coturn "use-auth-secret" (TURN REST API) settings shared with turnserver.conf. */
export interface TurnRestConfig {
  /** The same value as coturn's `static-auth-secret`. */
  secret: string
  /** turn:/turns: URLs the credentials are valid for. */
  urls: string[]
  /** How long issued credentials stay valid; default 10 minutes (see DEFAULT_TURN_TTL_SECONDS). */
  ttlSeconds?: number
}

export type ParsedIceServers = { ok: true; iceServers: RTCIceServerLike[] } | { ok: false; error: string }

const isUrl = (u: unknown): u is string => typeof u === 'string' && /^(stun|stuns|turn|turns):/.test(u)

/** Validates operator-supplied ICE servers (e.g. the HEARTH_ICE_SERVERS JSON) into typed entries. */
export function parseIceServers(value: unknown): ParsedIceServers {
  if (!Array.isArray(value)) return { ok: false, error: 'ICE servers must be a JSON array' }
  const iceServers: RTCIceServerLike[] = []
  for (const [i, entry] of value.entries()) {
    if (typeof entry !== 'object' || entry === null) return { ok: false, error: `ICE server ${i} must be an object` }
    const { urls, username, credential } = entry as Record<string, unknown>
    const urlsOk = isUrl(urls) || (Array.isArray(urls) && urls.length > 0 && urls.every(isUrl))
    if (!urlsOk) return { ok: false, error: `ICE server ${i} needs "urls": stun:, stuns:, turn: or turns: URL(s)` }
    if (username !== undefined && typeof username !== 'string') return { ok: false, error: `ICE server ${i}: "username" must be a string` }
    if (credential !== undefined && typeof credential !== 'string') return { ok: false, error: `ICE server ${i}: "credential" must be a string` }
    iceServers.push({
      urls: urls as string | string[],
      ...(username !== undefined ? { username } : {}),
      ...(credential !== undefined ? { credential } : {}),
    })
  }
  return { ok: true, iceServers }
}
