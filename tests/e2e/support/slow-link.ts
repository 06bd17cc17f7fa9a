/**
 * A slow link for one device: a TCP proxy on loopback that holds every chunk
 * of data for `oneWayMs` in each direction, in order. A device that opens the
 * app through the proxy's origin gets that delay on everything it says to the
 * Hearth server, HTTP and the signaling WebSocket alike (round trip = twice
 * `oneWayMs`).
 *
 * Why not Chromium's network emulation alone: measured here (Chromium 150),
 * `Network.emulateNetworkConditions` delays HTTP responses and the WebSocket
 * handshake, but not WebSocket frames once open, and not WebRTC at all; the
 * signaling messages that set up peer connections would cross at full speed.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export type SlowLink = {
  /** The proxy's origin with a trailing slash, e.g. `http://127.0.0.1:40200/`. */
  url: string
  port: number
  close(): Promise<void>
}

export async function startSlowLink(opts: { targetPort: number; oneWayMs: number }): Promise<SlowLink> {
  const sockets = new Set<Socket>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const later = (f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      f()
    }, opts.oneWayMs)
    timers.add(t)
  }
  /** Forwards from `a` to `b` after the delay; an end or error is delayed the same way, so it never overtakes data. */
  const pipe = (a: Socket, b: Socket) => {
    a.on('data', (chunk) => later(() => b.writable && b.write(chunk)))
    a.on('end', () => later(() => b.end()))
    a.on('error', () => later(() => b.destroy()))
    a.on('close', () => later(() => b.destroy()))
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
