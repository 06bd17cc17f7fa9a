import { readFileSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../src/server/server.ts'
import { httpRequest, makeStaticDir } from './helpers.ts'

const EXPECTED_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
  "font-src 'self'; connect-src 'self' ws: wss:; worker-src 'self'; manifest-src 'self'; object-src 'none'; " +
  "base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

describe('a member opens Hearth from the server (static app)', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ port: 0, staticDir: makeStaticDir() })
  })
  afterAll(() => server.close())

  it('listens on loopback and reports its URLs', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    expect(server.signalingUrl).toBe(`ws://127.0.0.1:${server.port}/signal`)
  })

  it('serves index.html at / without caching it', async () => {
    const res = await httpRequest(server.url, '/')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.body).toContain('<title>Hearth</title>')
  })

  it.each([
    ['/assets/index-3f9a1c.js', 'text/javascript; charset=utf-8'],
    ['/assets/index-77b2e0.css', 'text/css; charset=utf-8'],
    ['/manifest.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['/icons/icon.svg', 'image/svg+xml'],
    ['/icons/icon-192.png', 'image/png'],
    ['/favicon.ico', 'image/x-icon'],
    ['/data.json', 'application/json; charset=utf-8'],
    ['/robots.txt', 'text/plain; charset=utf-8'],
    ['/sw.js', 'text/javascript; charset=utf-8'],
  ])('serves %s as %s', async (path, type) => {
    const res = await httpRequest(server.url, path)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe(type)
  })

  it('caches hashed assets forever but makes the service worker, its registration and the manifest revalidate', async () => {
    expect((await httpRequest(server.url, '/assets/index-3f9a1c.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable')
    for (const path of ['/index.html', '/sw.js', '/registerSW.js', '/manifest.webmanifest']) {
      expect((await httpRequest(server.url, path)).headers['cache-control']).toBe('no-cache')
    }
  })

  it('answers a revalidation with 304 when nothing changed', async () => {
    const first = await httpRequest(server.url, '/sw.js')
    const etag = String(first.headers.etag)
    const again = await httpRequest(server.url, '/sw.js', 'GET', { 'If-None-Match': etag })
    expect(again.status).toBe(304)
    expect(again.body).toBe('')
  })

  it('falls back to index.html for app routes, but 404s missing files', async () => {
    const route = await httpRequest(server.url, '/board/abc?x=1')
    expect(route.status).toBe(200)
    expect(route.body).toContain('<title>Hearth</title>')
    expect(route.headers['cache-control']).toBe('no-cache')
    expect((await httpRequest(server.url, '/assets/missing-123.js')).status).toBe(404)
    expect((await httpRequest(server.url, '/nope.png')).status).toBe(404)
  })

  it.each([
    '/../package.json',
    '/../../../../etc/passwd',
    '/%2e%2e/package.json',
    '/%2E%2E/%2E%2E/package.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e%5c%2e%2e%5cpackage.json',
    '/index.html%00.png',
    '/%00',
    '/%E0%A4%A',
  ])('refuses the traversal attempt %s', async (path) => {
    const res = await httpRequest(server.url, path)
    expect(res.status).toBe(400)
    expect(res.body).not.toContain('"name"')
    expect(res.body).not.toContain('root:')
  })

  it('does not serve dotfiles', async () => {
    expect((await httpRequest(server.url, '/.secret')).status).toBe(404)
  })

  it('sends the strict security headers on every response, errors included', async () => {
    for (const [path, method] of [['/', 'GET'], ['/missing.js', 'GET'], ['/%2e%2e/x', 'GET'], ['/', 'POST'], ['/config.json', 'GET']] as const) {
      const res = await httpRequest(server.url, path, method)
      expect(res.headers['content-security-policy']).toBe(EXPECTED_CSP)
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['referrer-policy']).toBe('no-referrer')
      expect(res.headers['permissions-policy']).toBe('camera=(self), microphone=(), geolocation=()')
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin')
    }
  })

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])('answers %s with 405', async (method) => {
    const res = await httpRequest(server.url, '/', method)
    expect(res.status).toBe(405)
    expect(res.headers.allow).toBe('GET, HEAD')
  })

  it('answers HEAD with headers and no body', async () => {
    const res = await httpRequest(server.url, '/assets/index-3f9a1c.js', 'HEAD')
    expect(res.status).toBe(200)
    expect(res.headers['content-length']).toBe(String('export const hearth = 1\n'.length))
    expect(res.body).toBe('')
  })

  it('tells plain HTTP visitors of /signal that it is a WebSocket endpoint', async () => {
    expect((await httpRequest(server.url, '/signal')).status).toBe(426)
  })
})

describe('a member on a slow phone gets the app compressed', () => {
  let server: RunningServer
  let dir: string
  const asset = '/assets/board-5e8d21.js'
  beforeAll(async () => {
    dir = makeStaticDir()
    server = await startServer({ port: 0, staticDir: dir })
  })
  afterAll(() => server.close())

  it('in brotli when the browser accepts it, smaller, and the same bytes once decoded', async () => {
    const original = readFileSync(path.join(dir, asset))
    const res = await httpRequest(server.url, asset, 'GET', { 'Accept-Encoding': 'gzip, deflate, br, zstd' })
    expect(res.status).toBe(200)
    expect(res.headers['content-encoding']).toBe('br')
    expect(res.headers.vary).toBe('Accept-Encoding')
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(Number(res.headers['content-length'])).toBe(res.bytes.length)
    expect(res.bytes.length).toBeLessThan(original.length / 4)
    expect(brotliDecompressSync(res.bytes).equals(original)).toBe(true)
  })

  it('in gzip when brotli is not offered, and plain when nothing is', async () => {
    const original = readFileSync(path.join(dir, asset))
    const gz = await httpRequest(server.url, asset, 'GET', { 'Accept-Encoding': 'gzip' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.bytes).equals(original)).toBe(true)
    const plain = await httpRequest(server.url, asset, 'GET', { 'Accept-Encoding': 'br;q=0, identity' })
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers.vary).toBe('Accept-Encoding')
    expect(plain.bytes.equals(original)).toBe(true)
  })

  it('index.html, the service worker and app routes too, still revalidated on every visit', async () => {
    for (const p of ['/', '/sw.js', '/board/abc']) {
      const res = await httpRequest(server.url, p, 'GET', { 'Accept-Encoding': 'br' })
      expect(res.headers['cache-control'], p).toBe('no-cache')
      expect(res.headers.vary, p).toBe('Accept-Encoding')
    }
    const index = await httpRequest(server.url, '/', 'GET', { 'Accept-Encoding': 'gzip' })
    expect(gunzipSync(index.bytes).toString()).toContain('<title>Hearth</title>')
  })

  it('gives each coding its own ETag, so a cache never answers br bytes to a gzip request', async () => {
    const br = await httpRequest(server.url, asset, 'GET', { 'Accept-Encoding': 'br' })
    const gz = await httpRequest(server.url, asset, 'GET', { 'Accept-Encoding': 'gzip' })
    const plain = await httpRequest(server.url, asset)
    expect(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size).toBe(3)
    const again = await httpRequest(server.url, asset, 'GET', { 'Accept-Encoding': 'br', 'If-None-Match': String(br.headers.etag) })
    expect(again.status).toBe(304)
    expect(again.headers.vary).toBe('Accept-Encoding')
    const otherCoding = await httpRequest(server.url, asset, 'GET', { 'Accept-Encoding': 'gzip', 'If-None-Match': String(br.headers.etag) })
    expect(otherCoding.status).toBe(200)
  })

  it('answers HEAD with the compressed length', async () => {
    const get = await httpRequest(server.url, asset, 'GET', { 'Accept-Encoding': 'br' })
    const head = await httpRequest(server.url, asset, 'HEAD', { 'Accept-Encoding': 'br' })
    expect(head.headers['content-length']).toBe(String(get.bytes.length))
    expect(head.bytes.length).toBe(0)
  })

  it('leaves images alone', async () => {
    const res = await httpRequest(server.url, '/icons/icon-192.png', 'GET', { 'Accept-Encoding': 'br, gzip' })
    expect(res.headers['content-encoding']).toBeUndefined()
    expect(res.headers.vary).toBeUndefined()
  })

  it('serves the new file after a deploy replaces it under the same name', async () => {
    const file = path.join(dir, 'registerSW.js')
    const before = await httpRequest(server.url, '/registerSW.js', 'GET', { 'Accept-Encoding': 'gzip' })
    writeFileSync(file, `// new build\n${'navigator.serviceWorker.register("/sw.js")\n'.repeat(20)}`)
    utimesSync(file, new Date(), new Date(Date.now() + 5000))
    const after = await httpRequest(server.url, '/registerSW.js', 'GET', { 'Accept-Encoding': 'gzip' })
    expect(after.headers.etag).not.toBe(before.headers.etag)
    expect(gunzipSync(after.bytes).toString()).toContain('// new build')
  })
})

describe('npm start compresses the app before anyone asks', () => {
  it('the first visitor gets the bytes compressed at start, not compressed while they wait', async () => {
    const dir = makeStaticDir()
    const file = path.join(dir, 'assets/board-5e8d21.js')
    const original = readFileSync(file)
    const mtime = 1_800_000_000 // whole seconds, so setting it again restores it exactly
    utimesSync(file, mtime, mtime)
    const server = await startServer({ port: 0, staticDir: dir, precompress: true })
    try {
      await new Promise((r) => setTimeout(r, 2000))
      // Same size and time, other bytes: only a copy made before this moment can still hold the original.
      writeFileSync(file, Buffer.from(original.toString().replaceAll('Thursday', 'Saturday')))
      utimesSync(file, mtime, mtime)
      const res = await httpRequest(server.url, '/assets/board-5e8d21.js', 'GET', { 'Accept-Encoding': 'br' })
      expect(brotliDecompressSync(res.bytes).equals(original)).toBe(true)
    } finally {
      await server.close()
    }
  })
})

describe('an operator adds other signaling servers', () => {
  it('lets the CSP connect to their origins', async () => {
    const server = await startServer({ port: 0, staticDir: makeStaticDir(), extraSignaling: ['wss://signal.example.org/ws'] })
    try {
      const res = await httpRequest(server.url, '/')
      expect(res.headers['content-security-policy']).toContain("connect-src 'self' ws: wss: wss://signal.example.org;")
    } finally {
      await server.close()
    }
  })
})

describe('a server without an app directory', () => {
  it('still serves /config.json but 404s everything else', async () => {
    const server = await startServer({ port: 0 })
    try {
      expect((await httpRequest(server.url, '/')).status).toBe(404)
      expect((await httpRequest(server.url, '/config.json')).status).toBe(200)
    } finally {
      await server.close()
    }
  })
})
