/**
 * Builds the app for the e2e tests once per test run.
 *
 * Every e2e test file runs in its own worker, so "once" is decided on disk:
 * `dist/index.html` must be newer than every source of the build, and a lock
 * file under `node_modules/.cache/hearth-e2e` makes concurrent callers (other
 * workers, or two `vitest` processes) wait for the one that is building.
 */
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnChild } from '../../support/child-processes.ts'

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
export const distDir = join(repoRoot, 'dist')

const cacheDir = join(repoRoot, 'node_modules/.cache/hearth-e2e')
const lockPath = join(cacheDir, 'build.lock')
/** Everything whose change means the build is out of date. */
const SOURCES = ['index.html', 'src', 'public', 'vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json']
/** A lock older than this is left over from a killed run. */
const STALE_LOCK_MS = 10 * 60_000

/** The server is not part of the bundle: changing it needs no rebuild. */
const NOT_BUNDLED = join(repoRoot, 'src/server')

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => null)
  if (!s) return 0
  if (!s.isDirectory()) return s.mtimeMs
  if (path === NOT_BUNDLED) return 0
  const entries = await readdir(path)
  const times = await Promise.all(entries.map((e) => newestMtime(join(path, e))))
  return Math.max(s.mtimeMs, ...times)
}

async function isFresh(): Promise<boolean> {
  const built = await stat(join(distDir, 'index.html')).catch(() => null)
  if (!built) return false
  const times = await Promise.all(SOURCES.map((s) => newestMtime(join(repoRoot, s))))
  return built.mtimeMs >= Math.max(...times)
}

async function acquireLock(): Promise<() => Promise<void>> {
  await mkdir(cacheDir, { recursive: true })
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx')
      await handle.write(`${process.pid}\n`)
      await handle.close()
      return () => rm(lockPath, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const held = await stat(lockPath).catch(() => null)
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await rm(lockPath, { force: true })
      await new Promise((r) => setTimeout(r, 250))
    }
  }
}

function viteBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    // Its own process group (npx → node vite), killed with the worker if a hook times out mid-build.
    // The build people get: Vitest sets NODE_ENV=test, and a build that inherits it resolves Svelte's
    // development runtime (a third more script in the first screen's files), which no browser is ever served.
    const env = { ...process.env, NODE_ENV: 'production' }
    const child = spawnChild('npx', ['vite', 'build'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build failed (exit ${code}):\n${output}`)),
    )
  })
}

let pending: Promise<void> | undefined

/** Resolves when `dist/` holds a build at least as new as the sources. */
export function ensureBuilt(): Promise<void> {
  pending ??= (async () => {
    if (await isFresh()) return
    const release = await acquireLock()
    try {
      // Another worker may have built while this one waited for the lock.
      if (await isFresh()) return
      const started = Date.now()
      await viteBuild()
      console.log(`[e2e] built the app in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    } finally {
      await release()
    }
  })().catch((err: unknown) => {
    pending = undefined
    throw err
  })
  return pending
}
