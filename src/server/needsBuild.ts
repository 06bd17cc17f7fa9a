import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

/** Newest mtime (ms) of a file or of any file under a directory; 0 when absent. */
function newestMtime(target: string, skip: ReadonlySet<string>): number {
  let stats
  try {
    stats = statSync(target)
  } catch {
    return 0
  }
  if (!stats.isDirectory()) return stats.mtimeMs
  if (skip.has(path.resolve(target))) return 0
  let newest = 0
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry), skip))
  return newest
}

/**
 * True when `dist/index.html` is missing or older than any app source, so
 * `npm start` on a fresh clone (or after a pull) builds first instead of
 * serving a stale app. `src/server` is not part of the bundle and is skipped.
 */
export function needsBuild(projectRoot: string): boolean {
  let built: number
  try {
    built = statSync(path.join(projectRoot, 'dist', 'index.html')).mtimeMs
  } catch {
    return true
  }
  const skip = new Set([path.resolve(projectRoot, 'src', 'server')])
  const sources = ['src', 'public', 'index.html', 'vite.config.ts'].map((p) => path.join(projectRoot, p))
  return sources.some((p) => newestMtime(p, skip) > built)
}
