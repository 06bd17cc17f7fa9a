/**
 * A new version is deployed while Alice has Hearth installed: the app offers
 * the update, and taking it loads the new version (the service worker's
 * precache moves to the new files).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../../src/server/server.ts'
import { closeAllPeers, launchPeer } from './support/browser.ts'
import { unexpectedErrors } from './support/flows.ts'
import { distDir, ensureBuilt } from './support/build.ts'

let root: string
let server: Awaited<ReturnType<typeof startServer>>

beforeAll(async () => {
  await ensureBuilt()
  // A deployment of our own: a copy of the built app that this test may change.
  root = await mkdtemp(join(tmpdir(), 'hearth-deploy-'))
  await cp(distDir, root, { recursive: true })
  server = await startServer({ host: '127.0.0.1', port: 0, staticDir: root })
})

afterAll(async () => {
  await closeAllPeers()
  await server?.close()
  if (root) await rm(root, { recursive: true, force: true })
})

describe('updating the installed app', () => {
  it('offers a new version when one is deployed, and loads it when asked', async () => {
    const alice = await launchPeer('alice-update')
    const page = alice.page
    await page.goto(server.url)
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    await alice.waitForServiceWorker()
    expect(await page.getByText('A new version of Hearth is ready.').count()).toBe(0)

    // Deploy "version 2": a changed page shell (and so a changed precache manifest in sw.js).
    const indexPath = join(root, 'index.html')
    const index = await readFile(indexPath, 'utf8')
    await writeFile(indexPath, index.replace('<title>Hearth</title>', '<title>Hearth</title><meta name="hearth-version" content="2" />'))
    const swPath = join(root, 'sw.js')
    const sw = await readFile(swPath, 'utf8')
    // Minified ({url:"index.html",revision:"…"}) or not ("url": "index.html", "revision": "…"), depending on the build mode.
    const revised = sw.replace(/("?url"?:\s*"index\.html",\s*"?revision"?:\s*")([^"]+)"/, (_m, head: string, rev: string) => `${head}${rev}-v2"`)
    expect(revised, 'sw.js precaches index.html with a revision').not.toBe(sw)
    await writeFile(swPath, revised)

    // The browser checks for a new service worker on navigation.
    await page.reload()
    await page.getByText('A new version of Hearth is ready.').waitFor({ timeout: 30_000 })
    await page.getByRole('button', { name: 'Update now' }).click()
    await page.waitForFunction(() => document.querySelector('meta[name="hearth-version"]')?.getAttribute('content') === '2', undefined, { timeout: 30_000 })
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    expect(unexpectedErrors(alice.errors)).toEqual([])
  })
})
