/**
 * The servers a bench run needs, all on 127.0.0.1: Hearth itself (built app +
 * signaling, via the e2e harness) and the baseline and engine pages, served
 * by a second instance of Hearth's own server so both get the same static
 * handler, the same headers and the same CSP.
 */
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { startServer } from '../../../src/server/server.ts'
import { repoRoot } from '../../e2e/support/build.ts'
import { startApp, type App } from '../../e2e/support/server.ts'

const pagesRoot = fileURLToPath(new URL('../pages/', import.meta.url))
export const pagesDist = fileURLToPath(new URL('../pages/dist/', import.meta.url))
const profileDist = fileURLToPath(new URL('../.cache/app-unminified/', import.meta.url))

/**
 * Bundles the baseline pages (yjs, y-indexeddb, y-webrtc from node_modules)
 * and the engine page (Hearth's own BoardSession, no UI) with Vite.
 */
export async function buildBaselinePages(): Promise<void> {
  await rm(pagesDist, { recursive: true, force: true })
  await build({
    configFile: false,
    root: pagesRoot,
    logLevel: 'warn',
    build: {
      outDir: pagesDist,
      emptyOutDir: true,
      target: 'es2022',
      rollupOptions: { input: { open: `${pagesRoot}open.html`, net: `${pagesRoot}net.html`, engine: `${pagesRoot}engine.html` } },
    },
  })
}

/**
 * Builds the app again without minification (same sources and config) so CPU
 * profiles show real function names. Only profiles use it; timings use dist/.
 */
async function buildUnminifiedApp(): Promise<void> {
  await build({
    configFile: `${repoRoot}vite.config.ts`,
    root: repoRoot,
    logLevel: 'warn',
    build: { outDir: profileDist, emptyOutDir: true, minify: false },
  })
}

export interface Servers {
  app: App
  /** Origin of the baseline and engine pages, with a trailing slash. */
  baselineUrl: string
  /** Origin of the unminified app (for profiles), built on first use. */
  profileUrl(): Promise<string>
  close(): Promise<void>
}

export async function startServers(): Promise<Servers> {
  // Sequential builds: two at once on two cores only slows both.
  const app = await startApp()
  const closers: (() => Promise<void>)[] = [() => app.close()]
  const close = async () => {
    await Promise.allSettled(closers.map((c) => c()))
  }
  try {
    await buildBaselinePages()
    const baseline = await startServer({ host: '127.0.0.1', port: 0, staticDir: pagesDist })
    closers.push(() => baseline.close())
    let profiled: Promise<string> | null = null
    // BENCH_PROFILE_MINIFIED=1: profiles run on the timed build (its timings, minified names) instead.
    const profileUrl = () =>
      process.env.BENCH_PROFILE_MINIFIED ? Promise.resolve(app.url) : (profiled ??= (async () => {
        await buildUnminifiedApp()
        const server = await startServer({ host: '127.0.0.1', port: 0, staticDir: profileDist })
        closers.push(() => server.close())
        return `${server.url}/`
      })())
    return { app, baselineUrl: `${baseline.url}/`, profileUrl, close }
  } catch (err) {
    await close()
    throw err
  }
}
