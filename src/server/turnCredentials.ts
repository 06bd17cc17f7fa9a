import { createHmac } from 'node:crypto'
import type { RTCIceServerLike, TurnRestConfig } from './iceServers.ts'

/**
 * Ten minutes. `/config.json` hands credentials to anyone who asks, so
 * whatever is issued is as good as public: a long lifetime turns one fetch
 * into a day of free relaying for a stranger. coturn checks the expiry only
 * when an allocation is created, so a call that started in time keeps its
 * relay; ten minutes covers a device fetching the config and setting up its
 * connections (seconds) with a wide margin for slow phones and clock skew.
 */
export const DEFAULT_TURN_TTL_SECONDS = 10 * 60

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
