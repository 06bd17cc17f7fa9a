import type { Stats } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { ContentCoding } from './negotiateEncoding.ts'

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/** Compressed copies of static files, made on first request and kept while the file is unchanged. */
export interface CompressionCache {
  /** The file's bytes in `coding`, or null when compressing does not make it smaller (or failed). */
  get(filePath: string, stats: Stats, coding: ContentCoding): Promise<Buffer | null>
}

/**
 * Why on first request and not at build time: it works for any `--dist`
 * (copied from elsewhere, or built by a Vite config that knows nothing of
 * it), covers `index.html` and `sw.js`, which vite-plugin-pwa writes after
 * the bundle, and leaves no extra files for the service worker's precache or
 * a deploy script to trip over. Compression runs on libuv's thread pool
 * (async zlib), so the first visitor after a deploy waits a little and
 * signaling never does. Maximum levels, because each file is compressed once.
 * Only files that exist in the app directory reach here, so the cache is
 * bounded by the build; `maxEntries` guards against a surprise anyway.
 */
export function createCompressionCache(maxEntries = 1024): CompressionCache {
  const entries = new Map<string, { version: string; bytes: Promise<Buffer | null> }>()

  const compress = async (filePath: string, coding: ContentCoding): Promise<Buffer | null> => {
    try {
      const raw = await readFile(filePath)
      const packed =
        coding === 'br'
          ? await brotli(raw, {
              params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
            })
          : await gzipAsync(raw, { level: constants.Z_BEST_COMPRESSION })
      return packed.length < raw.length ? packed : null
    } catch {
      return null
    }
  }

  return {
    get(filePath, stats, coding) {
      const key = `${coding}:${filePath}`
      const version = `${stats.size}-${Math.floor(stats.mtimeMs)}`
      const cached = entries.get(key)
      if (cached?.version === version) return cached.bytes
      if (entries.size >= maxEntries) entries.clear()
      const bytes = compress(filePath, coding)
      entries.set(key, { version, bytes })
      return bytes
    },
  }
}
