/**
 * Starts Hearth (the built app plus its signaling server) inside the test
 * process, on a free loopback port.
 */
import { relative } from 'node:path'
import { startServer } from '../../../src/server/server.ts'
import { distDir, ensureBuilt } from './build.ts'

export { ensureBuilt } from './build.ts'

export type App = {
  /** The app's origin with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string
  /** The signaling WebSocket URL the app uses by default. */
  signalingUrl: string
  port: number
  close(): Promise<void>
}

/**
 * Builds the app if needed, then serves `dist/` with Hearth's own server.
 * Loopback only: throws if the server reports a non-loopback address.
 */
export async function startApp(): Promise<App> {
  await ensureBuilt()
  // 'dist' when the tests run from the repo root (they do), absolute otherwise.
  const staticDir = relative(process.cwd(), distDir) || '.'
  const server = await startServer({ host: '127.0.0.1', port: 0, staticDir })
  const host = new URL(server.url).hostname
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    await server.close()
    throw new Error(`e2e: Hearth's server must listen on loopback only, got ${server.url}`)
  }
  const url = server.url.endsWith('/') ? server.url : `${server.url}/`
  return { url, signalingUrl: server.signalingUrl, port: server.port, close: () => server.close() }
}
