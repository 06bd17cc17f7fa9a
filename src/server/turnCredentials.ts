import { createHmac } from 'node:crypto'
import type { RTCIceServerLike, TurnRestConfig } from './iceServers.ts'

export const DEFAULT_TURN_TTL_SECONDS = 24 * 60 * 60

/**
 * Time-limited TURN credentials in coturn's TURN REST API ("use-auth-secret")
 * format: username = `<expiry unix seconds>:hearth`, credential =
 * base64(HMAC-SHA1(secret, username)). coturn recomputes the HMAC, so the
 * server stores no per-user accounts and leaked credentials expire.
 * The user part is a constant: the TURN server must not learn who asked.
 */
export function turnCredentials(config: TurnRestConfig, nowMs: number = Date.now()): RTCIceServerLike {
  const ttl = config.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS
  const username = `${Math.floor(nowMs / 1000) + ttl}:hearth`
  const credential = createHmac('sha1', config.secret).update(username).digest('base64')
  return { urls: [...config.urls], username, credential }
}
