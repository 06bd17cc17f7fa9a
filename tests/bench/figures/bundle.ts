/**
 * bundle: what `dist/index.html` makes the browser load before the app runs
 * (entry scripts, modulepreloads, stylesheets), raw, gzip and brotli
 * (node:zlib, maximum levels), against the 120 KB gzip budget; and every
 * other JS chunk (loaded lazily) on its own.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { distDir } from '../../e2e/support/build.ts'
import { figure, type Figure } from '../lib/figure.ts'

export interface FileSize {
  file: string
  raw: number
  gzip: number
  brotli: number
}

async function sizeOf(file: string): Promise<FileSize> {
  const data = await readFile(join(distDir, file))
  return {
    file,
    raw: data.byteLength,
    gzip: gzipSync(data, { level: 9 }).byteLength,
    brotli: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength,
  }
}

/** Initial files (as index.html references them) and lazy JS chunks. */
export async function bundleSizes(): Promise<{ initial: FileSize[]; lazy: FileSize[] }> {
  const html = await readFile(join(distDir, 'index.html'), 'utf8')
  const refs = new Set<string>()
  for (const m of html.matchAll(/<script[^>]*\ssrc="\/?([^"]+)"/g)) refs.add(m[1]!)
  for (const m of html.matchAll(/<link[^>]*rel="(?:modulepreload|stylesheet)"[^>]*href="\/?([^"]+)"/g)) refs.add(m[1]!)
  for (const m of html.matchAll(/<link[^>]*href="\/?([^"]+)"[^>]*rel="(?:modulepreload|stylesheet)"/g)) refs.add(m[1]!)
  const initial = await Promise.all([...refs].filter((r) => /\.(js|css)$/.test(r)).map(sizeOf))
  const assets = (await readdir(join(distDir, 'assets'))).map((f) => `assets/${f}`)
  const lazy = await Promise.all(assets.filter((a) => a.endsWith('.js') && !refs.has(a)).map(sizeOf))
  return { initial, lazy: lazy.sort((a, b) => b.gzip - a.gzip) }
}

export async function measureBundle(): Promise<Figure[]> {
  const { initial, lazy } = await bundleSizes()
  const sum = (k: 'raw' | 'gzip' | 'brotli') => initial.reduce((s, f) => s + f[k], 0) / 1000
  const files = (list: FileSize[]) => list.map((f) => `${f.file} ${(f.gzip / 1000).toFixed(1)} KB gzip`).join(', ')
  return [
    figure({
      id: 'bundle-initial',
      label: 'bundle: initial JS + CSS (gzip)',
      unit: 'KB',
      hearth: [sum('gzip')],
      target: { kind: 'absolute', max: 120, text: '≤ 120 KB' },
      note: `raw ${sum('raw').toFixed(1)} KB, brotli ${sum('brotli').toFixed(1)} KB; ${files(initial)}`,
    }),
    ...lazy.map((f) =>
      figure({
        id: `bundle-lazy-${f.file.replace(/^assets\//, '').replace(/-[\w-]{8}\.js$/, '')}`,
        label: `bundle: lazy chunk ${f.file} (gzip)`,
        unit: 'KB',
        hearth: [f.gzip / 1000],
        note: `raw ${(f.raw / 1000).toFixed(1)} KB, brotli ${(f.brotli / 1000).toFixed(1)} KB`,
      }),
    ),
  ]
}
