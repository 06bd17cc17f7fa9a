import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, WebSocket, type RawData } from 'ws'
import { resolveLimits, type SignalingLimits } from './limits.ts'
import { parseSignalingMessage, type SignalingMessage } from './parseSignalingMessage.ts'
import { createTokenBucket, type TokenBucket } from './tokenBucket.ts'

export interface SignalingOptions {
  /** URL path that accepts WebSocket upgrades; every other path gets 404. */
  path?: string
  limits?: Partial<SignalingLimits>
  /** Clock for the rate limiter (ms); injectable for tests. */
  now?: () => number
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
  topics: Set<string>
  bucket: TokenBucket
  malformed: number
  alive: boolean
  ended: boolean
}

const POLICY_VIOLATION = 1008

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

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

export function createSignaling(opts: SignalingOptions = {}): Signaling {
  const path = opts.path ?? '/signal'
  const limits = resolveLimits(opts.limits)
  const now = opts.now ?? (() => performance.now())
  // Compression is off: inflating attacker-chosen frames is a memory bomb and
  // encrypted SDP does not compress anyway.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayload, perMessageDeflate: false, clientTracking: false })
  wss.on('error', noop)
  const conns = new Set<Conn>()
  const topics = new Map<string, Set<Conn>>()
  const servers: Array<{ server: Server; listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void }> = []
  let closed = false

  const end = (conn: Conn, code: number, reason: string): void => {
    if (conn.ended) return
    conn.ended = true
    conn.ws.close(code, reason)
  }

  const unsubscribe = (conn: Conn, topic: string): void => {
    conn.topics.delete(topic)
    const subs = topics.get(topic)
    if (!subs) return
    subs.delete(conn)
    if (subs.size === 0) topics.delete(topic)
  }

  const malformed = (conn: Conn): void => {
    conn.malformed += 1
    if (conn.malformed >= limits.maxMalformedFrames) end(conn, POLICY_VIOLATION, 'malformed frames')
  }

  const publish = (topic: string, data: unknown): void => {
    const receivers = topics.get(topic)
    if (!receivers) return
    const frame = JSON.stringify({ type: 'publish', topic, data, clients: receivers.size })
    for (const receiver of receivers) {
      if (receiver.ended || receiver.ws.readyState !== WebSocket.OPEN) continue
      // A reader that does not keep up would make us buffer without bound.
      if (receiver.ws.bufferedAmount > limits.maxBufferedBytes) {
        receiver.ended = true
        receiver.ws.terminate()
        continue
      }
      receiver.ws.send(frame, noop)
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
          conn.topics.add(topic)
          let subs = topics.get(topic)
          if (!subs) topics.set(topic, (subs = new Set()))
          subs.add(conn)
        }
        if (refused) malformed(conn)
        return
      }
      case 'unsubscribe':
        for (const topic of message.topics) unsubscribe(conn, topic)
        return
      case 'publish':
        publish(message.topic, message.data)
        return
      case 'ping':
        conn.ws.send(JSON.stringify({ type: 'pong' }), noop)
        return
    }
  }

  const onConnection = (ws: WebSocket): void => {
    const conn: Conn = {
      ws,
      topics: new Set(),
      bucket: createTokenBucket(limits.messagesPerSecond, limits.messageBurst, now),
      malformed: 0,
      alive: true,
      ended: false,
    }
    conns.add(conn)
    // Without an error listener a bad frame from one client would crash the process.
    ws.on('error', noop)
    ws.on('pong', () => {
      conn.alive = true
    })
    ws.on('close', () => {
      conn.ended = true
      for (const topic of [...conn.topics]) unsubscribe(conn, topic)
      conns.delete(conn)
    })
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      if (conn.ended) return
      if (!conn.bucket.take()) {
        end(conn, POLICY_VIOLATION, 'rate limit')
        return
      }
      const parsed = parseSignalingMessage(toBuffer(raw), isBinary, limits)
      if (parsed.ok) handle(conn, parsed.message)
      else malformed(conn)
    })
  }

  const heartbeat = setInterval(() => {
    for (const conn of conns) {
      if (!conn.alive) {
        conn.ended = true
        conn.ws.terminate()
        continue
      }
      conn.alive = false
      try {
        conn.ws.ping()
      } catch {
        conn.ws.terminate()
      }
    }
  }, limits.pingIntervalMs)
  heartbeat.unref()

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', noop)
    if (closed) return refuseUpgrade(socket, 503, 'Service Unavailable')
    if (pathnameOf(req.url) !== path) return refuseUpgrade(socket, 404, 'Not Found')
    if (conns.size >= limits.maxConnections) return refuseUpgrade(socket, 503, 'Service Unavailable')
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (closed || conns.size >= limits.maxConnections) {
        ws.on('error', noop)
        ws.close(1013, 'try again later')
        return
      }
      onConnection(ws)
    })
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
        conn.ended = true
        conn.ws.terminate()
      }
      conns.clear()
      topics.clear()
      wss.close()
    },
  }
}
