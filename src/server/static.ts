import { createReadStream, type Stats } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { createCompressionCache } from './compressionCache.ts'
import { mimeTypeFor } from './mimeTypes.ts'
import { negotiateEncoding } from './negotiateEncoding.ts'
import { resolveStaticPath } from './resolveStaticPath.ts'
import { sendText } from './sendText.ts'

/** Serves one request; the caller has already allowed only GET and HEAD. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/** Hashed build output never changes under the same name; everything else must revalidate so updates land. */
function cacheControlFor(relative: string): string {
  return relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'
}

/** Text formats gain from compression; images and fonts are compressed already. */
function isCompressible(contentType: string): boolean {
  return /^(text\/|application\/(json|manifest\+json|wasm)|image\/svg\+xml)/.test(contentType)
}

/** `If-None-Match` may list several tags, or `*`. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  return header.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t === etag
  })
}

/** A path whose last segment has an extension asks for a file, so a miss is a real 404 rather than an app route. */
function looksLikeFile(relative: string): boolean {
  const last = relative.slice(relative.lastIndexOf('/') + 1)
  return last.includes('.')
}

async function statFile(filePath: string): Promise<Stats | null> {
  try {
    const s = await stat(filePath)
    return s.isFile() ? s : null
  } catch {
    return null
  }
}

/**
 * Serves a built app directory (Vite's `dist/`) as a single-page app:
 * existing files with their MIME type, `index.html` for unknown app routes,
 * 404 for missing files. Text files go out brotli- or gzip-compressed when
 * the browser accepts it (see `createCompressionCache`). No access log is kept.
 */
export function createStaticHandler(root: string, opts: { precompress?: boolean } = {}): StaticHandler {
  let realRoot: string | null = null
  const compressed = createCompressionCache()

  /**
   * Brotli at its best level takes over a second for the main bundle, so
   * `npm start` compresses every text file once in the background at start
   * and the first visitor after a deploy does not wait. One file at a time,
   * on the thread pool: signaling is never held up.
   */
  const precompress = async (): Promise<void> => {
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.startsWith('.')) continue
      const filePath = path.join(entry.parentPath, entry.name)
      if (!isCompressible(mimeTypeFor(filePath))) continue
      const stats = await statFile(filePath)
      if (!stats) continue
      await compressed.get(filePath, stats, 'br')
      await compressed.get(filePath, stats, 'gzip')
    }
  }
  if (opts.precompress) void precompress()

  const isInsideRoot = async (filePath: string): Promise<boolean> => {
    try {
      realRoot ??= await realpath(root)
      const real = await realpath(filePath)
      return real === realRoot || real.startsWith(realRoot + path.sep)
    } catch {
      return false
    }
  }

  const serve = async (req: IncomingMessage, res: ServerResponse, filePath: string, relative: string, stats: Stats): Promise<void> => {
    const contentType = mimeTypeFor(filePath)
    const compressible = isCompressible(contentType)
    let coding = compressible ? negotiateEncoding(req.headers['accept-encoding']) : null
    const packed = coding ? await compressed.get(filePath, stats, coding) : null
    if (!packed) coding = null
    // Each coding is a different representation, so it needs its own tag.
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}${coding ? `-${coding}` : ''}"`
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      'Cache-Control': cacheControlFor(relative),
      ETag: etag,
      'Last-Modified': stats.mtime.toUTCString(),
      ...(compressible ? { Vary: 'Accept-Encoding' } : {}),
      ...(coding ? { 'Content-Encoding': coding } : {}),
    }
    if (matchesEtag(req.headers['if-none-match'], etag)) {
      res.writeHead(304, headers)
      res.end()
      return
    }
    res.writeHead(200, { ...headers, 'Content-Length': String(packed ? packed.length : stats.size) })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    if (packed) {
      res.end(packed)
      return
    }
    if (stats.size === 0) {
      res.end()
      return
    }
    // Exactly the bytes announced in Content-Length: a file replaced by a deploy mid-response
    // must not spill extra bytes into the next response on a kept-alive connection.
    const stream = createReadStream(filePath, { start: 0, end: stats.size - 1 })
    stream.on('error', () => res.destroy())
    stream.pipe(res)
  }

  return async (req, res) => {
    const resolved = resolveStaticPath(root, req.url ?? '/')
    if (!resolved.ok) return sendText(res, resolved.status, resolved.status === 400 ? 'Bad request' : 'Not found')
    let { filePath, relative } = resolved
    let stats = relative === '' ? null : await statFile(filePath)
    if (!stats) {
      if (relative !== '' && looksLikeFile(relative)) return sendText(res, 404, 'Not found')
      filePath = path.join(path.resolve(root), 'index.html')
      relative = 'index.html'
      stats = await statFile(filePath)
      if (!stats) return sendText(res, 404, 'Not found')
    }
    if (!(await isInsideRoot(filePath))) return sendText(res, 404, 'Not found')
    await serve(req, res, filePath, relative, stats)
  }
}
