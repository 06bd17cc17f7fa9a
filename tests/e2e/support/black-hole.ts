/**
 * A network that accepts connections but never answers (a captive portal, a
 * throttled or censored link): a TCP server on loopback that takes every
 * connection and then says nothing, never closing it either.
 */
import { createServer, type Socket } from 'node:net'

export type BlackHole = { close(): Promise<void> }

/** Listens on `port` (e.g. the port the Hearth server used, so the app's origin now leads here). */
export async function startBlackHole(port: number): Promise<BlackHole> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return {
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
