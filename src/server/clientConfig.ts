import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RTCIceServerLike, TurnRestConfig } from './iceServers.ts'
import { turnCredentials } from './turnCredentials.ts'

export interface ClientConfigOptions {
  /** Extra signaling servers the app should use besides this origin's `/signal`. */
  extraSignaling: readonly string[]
  /** Static STUN/TURN entries, passed through as given. */
  iceServers: readonly RTCIceServerLike[]
  /** When set, every response carries fresh TURN REST credentials. */
  turn: TurnRestConfig | null
  now?: () => number
}

/** What `GET /config.json` returns to the app. */
export interface ClientConfig {
  signaling: string[]
  iceServers: RTCIceServerLike[]
}

/** Builds the runtime config the app fetches; empty lists unless the operator configured something. */
export function clientConfig(opts: ClientConfigOptions): ClientConfig {
  const iceServers = opts.iceServers.map((s) => ({ ...s }))
  if (opts.turn) iceServers.push(turnCredentials(opts.turn, (opts.now ?? Date.now)()))
  return { signaling: [...opts.extraSignaling], iceServers }
}

/**
 * Handler for `GET /config.json`. `no-store` because TURN credentials expire
 * and must never sit in a shared or service-worker cache.
 */
export function createConfigHandler(opts: ClientConfigOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const body = Buffer.from(JSON.stringify(clientConfig(opts)), 'utf8')
    res.writeHead(200, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }
}
