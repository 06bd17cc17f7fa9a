import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, WebSocket, type RawData } from 'ws'
import { clientAddress } from './clientAddress.ts'
import { isJsonValue } from './isJsonValue.ts'
import { resolveLimits, type SignalingLimits } from './limits.ts'
import { parseSignalingMessage, type SignalingMessage } from './parseSignalingMessage.ts'
import { publishFrame } from './publishFrame.ts'
import { refuseRaw } from './refuseRaw.ts'
import type { SignalingBus } from './signalingBus.ts'
import { createTokenBucket, type TokenBucket } from './tokenBucket.ts'
import { TopicTable } from './topicTable.ts'

export interface SignalingOptions {
  /** URL path that accepts WebSocket upgrades; every other path gets 404. */
  path?: string
  limits?: Partial<SignalingLimits>
  /** Clock for the rate limiter (ms); injectable for tests. */
  now?: () => number
  /** Sent with every refused upgrade: the server's security headers. */
  responseHeaders?: Readonly<Record<string, string>>
  /** The per-address limit's key for a request (see `clientAddress`); the TCP peer by default. */
  addressOf?: (req: IncomingMessage) => string
  /** Shares rooms with other instances; without one this instance relays between its own sockets. */
  bus?: SignalingBus | null
}

/**
 * A y-webrtc compatible signaling relay. It only forwards opaque frames
 * between sockets that subscribed to the same topic (a room id): it keeps no
 * logs and stores nothing but the in-memory topic → sockets map, because
 * whoever runs it must learn as little as possible about who meets whom.
 */
export interface Signaling {
  /** Starts accepting upgrades on `path` of this HTTP server. */
  attach(server: Server): void
  /** Open signaling sockets right now. */
  readonly connectionCount: number
  /** Terminates every socket and stops accepting new ones. */
  close(): void
}

interface Conn {
  ws: WebSocket
  /** The per-address limit's key (see `clientAddress`). */
  address: string
  topics: Set<string>
  bucket: TokenBucket
  malformed: number
  alive: boolean
  ended: boolean
  idleTimer: NodeJS.Timeout | null
  /** Joined a room while the bus was down: its announce never reached the other instances. */
  joinedApart: boolean
}

const NORMAL = 1000
const POLICY_VIOLATION = 1008
const INTERNAL_ERROR = 1011
const SERVICE_RESTART = 1012
const TRY_AGAIN_LATER = 1013

const noop = (): void => {}

function toBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw
  return Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)
}

function pathnameOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '', 'http://localhost').pathname
  } catch {
    return null
  }
}

export function createSignaling(opts: SignalingOptions = {}): Signaling {
  const path = opts.path ?? '/signal'
  const limits = resolveLimits(opts.limits)
  const now = opts.now ?? (() => performance.now())
  const headers = opts.responseHeaders ?? {}
  const addressOf = opts.addressOf ?? ((req: IncomingMessage) => clientAddress(req, 0))
  const bus = opts.bus ?? null
  // Compression is off: inflating attacker-chosen frames is a memory bomb and
  // encrypted SDP does not compress anyway.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayload, perMessageDeflate: false, clientTracking: false })
  wss.on('error', noop)
  // Handshakes ws refuses (bad key, version, method) get our headers too.
  wss.on('wsClientError', (err: Error, socket: Duplex) => {
    try {
      const status = err.message === 'Invalid HTTP method' ? 405 : 400
      const extra: Record<string, string> = err.message.includes('Sec-WebSocket-Version') ? { 'Sec-WebSocket-Version': '13, 8' } : {}
      refuseRaw(socket, status, headers, extra)
    } catch {
      socket.destroy()
    }
  })
  const conns = new Set<Conn>()
  const perAddress = new Map<string, number>()
  const topics = new TopicTable<Conn>()
  const servers: Array<{ server: Server; listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void }> = []
  let closed = false

  const end = (conn: Conn, code: number, reason: string): void => {
    if (conn.ended) return
    conn.ended = true
    try {
      conn.ws.close(code, reason)
    } catch {
      conn.ws.terminate()
    }
  }

  /** A bug in handling one socket's frame must cost that socket, never the process. */
  const fail = (conn: Conn): void => {
    try {
      end(conn, INTERNAL_ERROR, 'internal error')
    } catch {
      conn.ws.terminate()
    }
  }

  const disarmIdle = (conn: Conn): void => {
    if (conn.idleTimer) clearTimeout(conn.idleTimer)
    conn.idleTimer = null
  }

  /** A socket in no room serves nobody; it is closed after `idleTimeoutMs` so it cannot hold a slot forever. */
  const armIdle = (conn: Conn): void => {
    if (conn.idleTimer || conn.ended) return
    conn.idleTimer = setTimeout(() => {
      conn.idleTimer = null
      if (conn.topics.size === 0) end(conn, NORMAL, 'idle')
    }, limits.idleTimeoutMs)
    conn.idleTimer.unref()
  }

  const join = (conn: Conn, topic: string): void => {
    conn.topics.add(topic)
    if (topics.add(topic, conn)) bus?.subscribe(topic)
    if (bus && !bus.connected) conn.joinedApart = true
  }

  const leave = (conn: Conn, topic: string): void => {
    conn.topics.delete(topic)
    if (topics.remove(topic, conn)) bus?.unsubscribe(topic)
  }

  /** Drops every trace of a socket; safe to call more than once. */
  const forget = (conn: Conn): void => {
    if (!conns.delete(conn)) return
    conn.ended = true
    disarmIdle(conn)
    for (const topic of [...conn.topics]) {
      try {
        leave(conn, topic)
      } catch {
        // a failing bus must not stop the rest of the clean-up
      }
    }
    const count = (perAddress.get(conn.address) ?? 1) - 1
    if (count > 0) perAddress.set(conn.address, count)
    else perAddress.delete(conn.address)
  }

  const malformed = (conn: Conn): void => {
    conn.malformed += 1
    if (conn.malformed >= limits.maxMalformedFrames) end(conn, POLICY_VIOLATION, 'malformed frames')
  }

  /** Sends one publish to this instance's subscribers of `topic`. */
  const deliver = (topic: string, data: string | null): void => {
    const receivers = topics.members(topic)
    if (!receivers) return
    // One buffer for every receiver: ws would otherwise encode the string once per send.
    const frame = Buffer.from(publishFrame(topic, data, receivers.size), 'utf8')
    for (const receiver of receivers) {
      if (receiver.ended || receiver.ws.readyState !== WebSocket.OPEN) continue
      // A reader that does not keep up would make us buffer without bound.
      if (receiver.ws.bufferedAmount > limits.maxBufferedBytes) {
        receiver.ended = true
        receiver.ws.terminate()
        continue
      }
      receiver.ws.send(frame, { binary: false }, noop)
    }
  }

  const handle = (conn: Conn, message: SignalingMessage): void => {
    switch (message.type) {
      case 'subscribe': {
        let refused = false
        for (const topic of message.topics) {
          if (conn.topics.has(topic)) continue
          if (conn.topics.size >= limits.maxTopicsPerConnection) {
            refused = true
            continue
          }
          join(conn, topic)
        }
        if (conn.topics.size > 0) disarmIdle(conn)
        if (refused) malformed(conn)
        return
      }
      case 'unsubscribe':
        for (const topic of message.topics) leave(conn, topic)
        if (conn.topics.size === 0) armIdle(conn)
        return
      case 'publish':
        deliver(message.topic, message.data)
        bus?.publish(message.topic, message.data)
        return
      case 'ping':
        conn.ws.send('{"type":"pong"}', noop)
        return
    }
  }

  const onMessage = (conn: Conn, raw: RawData, isBinary: boolean): void => {
    if (conn.ended) return
    if (!conn.bucket.take()) return end(conn, POLICY_VIOLATION, 'rate limit')
    const parsed = parseSignalingMessage(toBuffer(raw), isBinary, limits)
    if (parsed.ok) handle(conn, parsed.message)
    else malformed(conn)
  }

  const onConnection = (ws: WebSocket, address: string): void => {
    const conn: Conn = {
      ws,
      address,
      topics: new Set(),
      bucket: createTokenBucket(limits.messagesPerSecond, limits.messageBurst, now),
      malformed: 0,
      alive: true,
      ended: false,
      idleTimer: null,
      joinedApart: false,
    }
    conns.add(conn)
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1)
    // Without an error listener a bad frame from one client would crash the process.
    ws.on('error', noop)
    ws.on('pong', () => {
      conn.alive = true
    })
    ws.on('close', () => {
      try {
        forget(conn)
      } catch {
        // nothing left to close; the socket is gone either way
      }
    })
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      try {
        onMessage(conn, raw, isBinary)
      } catch {
        fail(conn)
      }
    })
    armIdle(conn)
  }

  /** Publishes from other instances: the bus is a boundary too, so only a valid, bounded JSON value is relayed. */
  const fromBus = (topic: string, data: string | null): void => {
    try {
      if (data !== null && (data.length > limits.maxPayload || !isJsonValue(data, limits.maxJsonDepth - 1))) return
      deliver(topic, data)
    } catch {
      // one bad delivery must not break the bus's listener
    }
  }
  /**
   * y-webrtc announces a peer once, when it joins. A peer that joined while
   * the bus was down was never announced to the other instances, so it is
   * asked to reconnect (y-webrtc does so at once, and announces again).
   */
  const reconnected = (): void => {
    for (const conn of conns) {
      if (!conn.joinedApart) continue
      conn.joinedApart = false
      end(conn, SERVICE_RESTART, 'rejoin')
    }
  }
  bus?.start({ deliver: fromBus, reconnected })

  const heartbeat = setInterval(() => {
    for (const conn of conns) {
      try {
        if (!conn.alive) {
          conn.ended = true
          conn.ws.terminate()
          continue
        }
        conn.alive = false
        conn.ws.ping()
      } catch {
        conn.ws.terminate()
      }
    }
  }, limits.pingIntervalMs)
  heartbeat.unref()

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', noop)
    try {
      if (closed) return refuseRaw(socket, 503, headers)
      if (pathnameOf(req.url) !== path) return refuseRaw(socket, 404, headers)
      if (conns.size >= limits.maxConnections) return refuseRaw(socket, 503, headers, { 'Retry-After': '10' })
      const address = addressOf(req)
      if ((perAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress) {
        return refuseRaw(socket, 429, headers, { 'Retry-After': '10' })
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (closed) {
          ws.on('error', noop)
          ws.close(TRY_AGAIN_LATER, 'try again later')
          return
        }
        onConnection(ws, address)
      })
    } catch {
      socket.destroy()
    }
  }

  return {
    attach(server) {
      server.on('upgrade', onUpgrade)
      servers.push({ server, listener: onUpgrade })
    },
    get connectionCount() {
      return conns.size
    },
    close() {
      closed = true
      clearInterval(heartbeat)
      for (const { server, listener } of servers) server.off('upgrade', listener)
      for (const conn of conns) {
        disarmIdle(conn)
        conn.ended = true
        conn.ws.terminate()
      }
      conns.clear()
      perAddress.clear()
      topics.clear()
      wss.close()
    },
  }
}
