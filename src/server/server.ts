import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAddressRateLimiter } from './addressRateLimiter.ts'
import { clientAddress } from './clientAddress.ts'
import { createConfigHandler } from './clientConfig.ts'
import type { RTCIceServerLike, TurnRestConfig } from './iceServers.ts'
import { resolveLimits, type SignalingLimits } from './limits.ts'
import { appStyleHashes } from './inlineStyles.ts'
import { refuseRaw } from './refuseRaw.ts'
import { connectOriginsOf, securityHeaders } from './securityHeaders.ts'
import { sendText } from './sendText.ts'
import { createSignaling } from './signaling.ts'
import type { SignalingBus } from './signalingBus.ts'
import { createStaticHandler } from './static.ts'

export type { RTCIceServerLike, TurnRestConfig } from './iceServers.ts'
export type { SignalingLimits } from './limits.ts'

export interface ServerOptions {
  /** Interface to bind; loopback unless the operator opts in to the network. */
  host?: string
  /** 0 picks a free port (tests). */
  port?: number
  /** Built app directory (`dist/`); null or unset serves only /config.json and /signal. */
  staticDir?: string | null
  /** Compress the app's text files in the background at start (`npm start` does) instead of on first request. */
  precompress?: boolean
  iceServers?: RTCIceServerLike[]
  turn?: TurnRestConfig | null
  /** Extra signaling URLs announced in /config.json and allowed by the CSP. */
  extraSignaling?: string[]
  limits?: Partial<SignalingLimits>
  /**
   * Reverse proxies in front of this server that append the client address
   * to `X-Forwarded-For` (HEARTH_TRUST_PROXY). 0, the default, ignores the
   * header: per-address limits then count the TCP peer.
   */
  trustedProxies?: number
  /** Redis for a signaling cluster (HEARTH_REDIS_URL); unset: this instance alone. */
  redisUrl?: string | null
  /** A bus to share rooms through instead of Redis (tests); the server closes it. */
  bus?: SignalingBus | null
  /** Where operational lines go (only Redis lost / back); never topics, addresses or content. */
  log?: (line: string) => void
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8787 */
  url: string
  /** e.g. ws://127.0.0.1:8787/signal */
  signalingUrl: string
  port: number
  close(): Promise<void>
}

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 8787

/** A host usable in a URL: wildcard binds are reached via loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return host.includes(':') ? `[${host}]` : host
}

/**
 * Starts Hearth's HTTP server: the built app, `/config.json` and y-webrtc
 * signaling on `/signal`, all on one origin so the app needs no third party
 * to find its peers. Nothing is logged per request or connection.
 */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const host = opts.host ?? DEFAULT_HOST
  const extraSignaling = opts.extraSignaling ?? []
  const limits = resolveLimits(opts.limits)
  const trustedProxies = opts.trustedProxies ?? 0
  const log = opts.log ?? ((line: string) => console.error(line))
  // The app shell's inline style, allowed by its hash: read once at start (a new build is served after a restart).
  const headers = securityHeaders(connectOriginsOf(extraSignaling), opts.staticDir ? await appStyleHashes(opts.staticDir) : [])
  const serveStatic = opts.staticDir ? createStaticHandler(opts.staticDir, { precompress: opts.precompress ?? false }) : null
  const serveConfig = createConfigHandler({
    extraSignaling,
    iceServers: opts.iceServers ?? [],
    turn: opts.turn ?? null,
  })
  // Anyone may fetch TURN credentials; the limit keeps one address from minting them in bulk.
  const configLimiter = createAddressRateLimiter({ burst: limits.configBurst, perMinute: limits.configPerMinute })
  // Only loaded when asked for, so a single instance never touches a Redis client.
  const bus = opts.bus ?? (opts.redisUrl ? (await import('./redisBus.ts')).createRedisBus({ url: opts.redisUrl, log }) : null)
  let warnedForwarded = false
  const addressOf = (req: IncomingMessage): string => {
    // Behind a proxy that nobody told us about, every member counts as the proxy's one address.
    if (trustedProxies === 0 && !warnedForwarded && req.headers['x-forwarded-for'] !== undefined) {
      warnedForwarded = true
      log('hearth: requests carry X-Forwarded-For but HEARTH_TRUST_PROXY is not set; per-address limits count the proxy as one client')
    }
    return clientAddress(req, trustedProxies)
  }
  const signaling = createSignaling({ path: '/signal', limits, responseHeaders: headers, addressOf, bus })

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' })
    const pathname = (req.url ?? '/').split('?', 1)[0]
    if (pathname === '/config.json') {
      if (!configLimiter.take(addressOf(req))) return sendText(res, 429, 'Too many requests', { 'Retry-After': '60' })
      return serveConfig(req, res)
    }
    if (pathname === '/signal') return sendText(res, 426, 'This is a WebSocket endpoint', { Upgrade: 'websocket' })
    if (serveStatic) return serveStatic(req, res)
    return sendText(res, 404, 'Not found')
  }

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      try {
        if (!res.headersSent) sendText(res, 500, 'Internal error')
        else res.destroy()
      } catch {
        res.destroy()
      }
    })
  })
  // Requests Node cannot parse are answered here so they carry the security headers too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    try {
      if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
      refuseRaw(socket, status, headers)
    } catch {
      socket.destroy()
    }
  })
  signaling.attach(server)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch(async (err: unknown) => {
    signaling.close()
    await bus?.close()
    throw err
  })
  // After startup, a socket-level error must never take the process down.
  server.on('error', () => {})

  const port = (server.address() as AddressInfo).port
  const base = `${urlHost(host)}:${port}`
  let closing: Promise<void> | null = null
  return {
    url: `http://${base}`,
    signalingUrl: `ws://${base}/signal`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        signaling.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }).then(() => bus?.close())
      return closing
    },
  }
}
