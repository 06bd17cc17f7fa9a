/**
 * A slow link for one device: a TCP proxy on loopback that holds every chunk
 * of data for `oneWayMs` in each direction, in order. A device that opens the
 * app through the proxy's origin gets that delay on everything it says to the
 * Hearth server, HTTP and the signaling WebSocket alike (round trip = twice
 * `oneWayMs`).
 * With `bytesPerSecond`, each direction also carries at most that many bytes
 * a second: a chunk leaves once the ones before it have had their share of
 * the link's time (a narrow link, as well as a long one). What waits for
 * the link is queued without bound, as in a mobile network's deep buffers:
 * the sender's own window (TCP's; SCTP's inside a relayed WebRTC
 * connection) limits it. A bounded queue that stops reading was tried: the
 * relay then loses datagrams behind it, and a WebRTC transfer through it
 * fell to a sixth of the rate and less, which no real link does.
 *
 * Why not Chromium's network emulation alone: `Network.emulateNetworkConditions`
 * delays HTTP responses and the WebSocket handshake, but not WebSocket frames
 * once open, so the signaling messages that set up peer connections would
 * cross at full speed. It did not slow WebRTC at all in Chromium 150; in 156
 * it does, by its latency in each direction (a WebRTC round trip of twice
 * the latency, where HTTP's is the latency once: measured by the low-end
 * bench, tests/bench/figures/lowend.ts). A proxy gives one link, with the
 * round trip it says, to all of a device's traffic.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { createSocket, type Socket as DgramSocket } from 'node:dgram'

export type SlowLink = {
  /** The proxy's origin with a trailing slash, e.g. `http://127.0.0.1:40200/`. */
  url: string
  port: number
  close(): Promise<void>
}

/**
 * One direction of a link: what is sent leaves after the delay, no faster than the rate, in the order sent
 * (one queue and one timer). With `bufferMs`, what would wait longer than that for the link is dropped
 * (`send` returns false). The timers go into `timers`, for the link's close.
 */
function linkDirection(opts: { oneWayMs: number; bytesPerSecond?: number; bufferMs?: number }, timers: Set<ReturnType<typeof setTimeout>>) {
  const queue: { due: number; f: () => void }[] = []
  // When the link is free again for this direction's next chunk.
  let free = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  const next = () => {
    if (timer) timers.delete(timer)
    timer = null
    while (queue.length > 0 && queue[0]!.due <= performance.now()) queue.shift()!.f()
    if (queue.length === 0) return
    timer = setTimeout(next, queue[0]!.due - performance.now())
    timers.add(timer)
  }
  return (bytes: number, f: () => void): boolean => {
    const now = performance.now()
    if (opts.bufferMs !== undefined && free - now > opts.bufferMs) return false
    free = Math.max(now, free) + (opts.bytesPerSecond ? (bytes * 1000) / opts.bytesPerSecond : 0)
    queue.push({ due: free + opts.oneWayMs, f })
    if (timer === null) next()
    return true
  }
}

export async function startSlowLink(opts: { targetPort: number; oneWayMs: number; bytesPerSecond?: number }): Promise<SlowLink> {
  const sockets = new Set<Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  /** Forwards from `a` to `b` over the link; an end or error waits behind the data before it, so it never overtakes data. */
  const pipe = (a: Socket, b: Socket) => {
    const send = linkDirection(opts, timers)
    a.on('data', (chunk: Buffer) => send(chunk.byteLength, () => b.writable && b.write(chunk)))
    a.on('end', () => send(0, () => b.end()))
    a.on('error', () => send(0, () => b.destroy()))
    a.on('close', () => send(0, () => b.destroy()))
  }
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: opts.targetPort })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.setNoDelay(true)
    }
    pipe(client, upstream)
    pipe(upstream, client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    async close() {
      for (const t of timers) clearTimeout(t)
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** The same link (path and fragment kept) through another origin, e.g. an invite opened over the slow link. */
export function throughOrigin(link: string, origin: string): string {
  const url = new URL(link)
  const base = new URL(origin)
  url.protocol = base.protocol
  url.host = base.host
  return url.href
}

/**
 * A narrow, long link for datagrams (a device's TURN over UDP): what a
 * phone's mobile link does to WebRTC, where the TCP proxy above cannot. Each
 * direction carries at most `bytesPerSecond`, holds each datagram
 * `oneWayMs`, and queues at most `bufferMs` of data waiting for the link:
 * a datagram that would wait longer is dropped, as a router's full queue
 * drops it, and the sender's congestion control (SCTP's, inside WebRTC)
 * sees the loss. Every client address gets its own socket towards the
 * target, so the target's answers find their way back.
 */
export async function startSlowUdpLink(opts: { targetPort: number; oneWayMs: number; bytesPerSecond: number; bufferMs: number }): Promise<SlowLink & { dropped(): number }> {
  const front = createSocket('udp4')
  const backs = new Map<string, DgramSocket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let dropped = 0
  // A drop-tail queue in front of each direction's rate, then the delay.
  const direction = () => {
    const send = linkDirection(opts, timers)
    return (bytes: number, f: () => void) => {
      if (!send(bytes, f)) dropped++
    }
  }
  const up = direction()
  const down = direction()
  front.on('message', (msg, from) => {
    const key = `${from.address}:${from.port}`
    let back = backs.get(key)
    if (!back) {
      const socket = createSocket('udp4')
      socket.on('message', (reply) => down(reply.byteLength, () => front.send(reply, from.port, from.address)))
      socket.on('error', () => undefined)
      socket.bind(0, '127.0.0.1')
      backs.set(key, (back = socket))
    }
    const to = back
    up(msg.byteLength, () => to.send(msg, opts.targetPort, '127.0.0.1'))
  })
  front.on('error', () => undefined)
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve))
  const port = front.address().port
  return {
    url: `udp://127.0.0.1:${port}`,
    port,
    dropped: () => dropped,
    async close() {
      for (const t of timers) clearTimeout(t)
      for (const s of backs.values()) s.close()
      await new Promise<void>((resolve) => front.close(() => resolve()))
    },
  }
}
