import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'

/**
 * Answers on the raw socket a request that has no `ServerResponse`: an
 * upgrade the server will not accept, or a request Node could not parse.
 * It carries the same security headers as every other response, then the
 * socket is closed.
 */
export function refuseRaw(socket: Duplex, status: number, headers: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> = {}): void {
  const reason = STATUS_CODES[status] ?? 'Error'
  const body = `${reason}\n`
  const all: Record<string, string> = {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...extra,
  }
  const head = Object.entries(all)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n')
  if (!socket.writable) {
    socket.destroy()
    return
  }
  socket.once('finish', () => socket.destroy())
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${head}\r\n\r\n${body}`)
}
