import path from 'node:path'

export type StaticPath = { ok: true; filePath: string; relative: string } | { ok: false; status: 400 | 404 }

/**
 * Maps a request URL path onto a file inside `root`, or refuses. Traversal is
 * refused before touching the disk: percent-decoding first (so `%2e%2e` is
 * caught), then any NUL, backslash, `..` segment or dotfile segment is
 * rejected, and the joined result must still lie inside `root`.
 */
export function resolveStaticPath(root: string, urlPath: string): StaticPath {
  const pathname = urlPath.split('?', 1)[0] ?? ''
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return { ok: false, status: 400 }
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400 }
  const segments = decoded.split('/').filter((s) => s !== '')
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 400 }
  if (segments.some((s) => s.startsWith('.') && s !== '.well-known')) return { ok: false, status: 404 }
  const base = path.resolve(root)
  const filePath = path.join(base, ...segments)
  if (filePath !== base && !filePath.startsWith(base + path.sep)) return { ok: false, status: 400 }
  return { ok: true, filePath, relative: segments.join('/') }
}
