import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { WebSocket } from 'ws'

/** A fake `dist/` like Vite + vite-plugin-pwa emit, in a fresh temp dir. */
export function makeStaticDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-dist-'))
  mkdirSync(path.join(dir, 'assets'))
  mkdirSync(path.join(dir, 'icons'))
  const files: Record<string, string> = {
    'index.html': '<!doctype html><html><head><title>Hearth</title></head><body><div id="app"></div></body></html>',
    'assets/index-3f9a1c.js': 'export const hearth = 1\n',
    'assets/index-77b2e0.css': 'body{margin:0}\n',
    // Big and repetitive enough that brotli and gzip both pay off.
    'assets/board-5e8d21.js': Array.from({ length: 400 }, (_, i) => `export const notice${i} = 'meeting moved to Thursday ${i}'\n`).join(''),
    'sw.js': 'self.addEventListener("install", () => {})\n',
    'registerSW.js': 'navigator.serviceWorker.register("/sw.js")\n',
    'manifest.webmanifest': '{"name":"Hearth"}',
    'icons/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'icons/icon-192.png': '\x89PNG fake',
    'favicon.ico': 'ico',
    'robots.txt': 'User-agent: *\nDisallow: /\n',
    'data.json': '{"a":1}',
    '.secret': 'dotfile',
  }
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content)
  return dir
}

export interface HttpResult {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** The body exactly as it came over the wire (still compressed, if it was). */
  bytes: Buffer
}

/** A raw HTTP request: the path is sent exactly as given (no URL normalisation), like an attacker would. */
export function httpRequest(baseUrl: string, rawPath: string, method = 'GET', headers: Record<string, string> = {}): Promise<HttpResult> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const bytes = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/** A raw HTTP exchange over TCP: `text` is sent byte for byte and everything until the server closes is returned. */
export function rawHttp(baseUrl: string, text: string): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => {
      const all = Buffer.concat(chunks).toString('utf8')
      const [head = '', ...rest] = all.split('\r\n\r\n')
      const [statusLine = '', ...lines] = head.split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, text: rest.join('\r\n\r\n') })
    })
    socket.write(text)
  })
}

/** A signaling client that queues every JSON frame it receives. */
export interface TestClient {
  ws: WebSocket
  send(message: unknown): void
  sendRaw(data: string | Buffer, binary?: boolean): void
  /** Resolves with the next received message matching `pred`, or rejects after `timeoutMs`. */
  next(pred?: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>
  /** Every text frame received so far, exactly as it arrived. */
  raw: string[]
  /** Resolves true if no matching message arrives within `ms`. */
  silentFor(ms: number, pred?: (m: Record<string, unknown>) => boolean): Promise<boolean>
  closed: Promise<{ code: number; reason: string }>
  close(): void
}

export async function connectClient(url: string, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<TestClient> {
  const ws = new WebSocket(url, options)
  const received: Array<Record<string, unknown>> = []
  const raw: string[] = []
  const waiters = new Set<() => void>()
  ws.on('message', (data, isBinary) => {
    if (isBinary) return
    raw.push(data.toString())
    received.push(JSON.parse(data.toString()) as Record<string, unknown>)
    for (const w of [...waiters]) w()
  })
  ws.on('error', () => {})
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })

  const take = (pred: (m: Record<string, unknown>) => boolean): Record<string, unknown> | undefined => {
    const i = received.findIndex(pred)
    return i >= 0 ? received.splice(i, 1)[0] : undefined
  }

  return {
    ws,
    raw,
    send: (message) => ws.send(JSON.stringify(message)),
    sendRaw: (data, binary = false) => ws.send(data, { binary }),
    next(pred = () => true, timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = take(pred)
          if (!m) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve(m)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error('timed out waiting for a signaling message'))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    async silentFor(ms, pred = () => true) {
      await new Promise((r) => setTimeout(r, ms))
      return received.findIndex(pred) < 0
    },
    closed,
    close: () => ws.close(),
  }
}

/** Resolves once the server has processed everything this client sent before (ping is answered in order). */
export async function roundTrip(client: TestClient): Promise<void> {
  client.send({ type: 'ping' })
  await client.next((m) => m.type === 'pong')
}
