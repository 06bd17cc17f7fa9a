/**
 * Bob opens Hearth for the first time, from an invitation, on a phone with a
 * slow link: what he waits for is the script the first screen needs. That
 * screen (the board list, the join and lock screens) does not carry the
 * board engine, Yjs, a board's screens or any language but his: those load
 * when a board is made, opened or joined. Before they were split off, the
 * first script was about 170 KB brotli (over 200 KB gzip), 3.5 s at 400
 * kbit/s. Service workers are blocked, so every file crosses the network and
 * is counted as sent.
 */
import type { Response } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { createBoard, unexpectedErrors } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'

/** Script bytes on the wire (compressed as the server sent them) before the first screen: the budget. */
const FIRST_SCRIPT_BUDGET = 90_000
/** In Yjs's own code, and only there: whether a script fetched carries Yjs. */
const YJS_MARK = 'Yjs was already imported'

let app: App
let bob: Peer

beforeAll(async () => {
  app = await startApp()
  bob = await launchPeer('bob-first-script', { viewport: { width: 360, height: 740 }, offlineCapable: false })
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

interface Fetched {
  path: string
  wire: number
  yjs: boolean
}

describe('the first script', () => {
  it('is the first screen’s only: no board engine or Yjs until a board is made', async () => {
    const page = bob.page
    const fetched: Promise<Fetched>[] = []
    const onResponse = (response: Response) => {
      const path = new URL(response.url()).pathname
      if (!/^\/assets\/.+\.js$/.test(path)) return
      fetched.push(
        // A worker's script has no size reported (0): its decoded length counts instead, which is more, never less.
        Promise.all([response.request().sizes(), response.body()]).then(([sizes, body]) => ({ path, wire: sizes.responseBodySize || body.byteLength, yjs: body.toString('utf8').includes(YJS_MARK) })),
      )
    }
    page.on('response', onResponse)

    await page.goto(app.url)
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor({ timeout: 30_000 })
    const first = await Promise.all(fetched)
    const wire = first.reduce((n, f) => n + f.wire, 0)
    console.log(`[measure] first screen: ${first.length} scripts, ${(wire / 1000).toFixed(1)} KB on the wire (${first.map((f) => `${f.path.replace(/^\/assets\//, '')} ${(f.wire / 1000).toFixed(1)}`).join(', ')})`)
    expect(first.length).toBeGreaterThan(0)
    expect(wire).toBeLessThan(FIRST_SCRIPT_BUDGET)
    expect(first.filter((f) => f.yjs).map((f) => f.path)).toEqual([])

    // Making a board loads the engine (and Yjs with it): the mark is found where it is.
    await createBoard(page, { name: 'Tenants’ union', displayName: 'Bob' })
    const all = await Promise.all(fetched)
    expect(all.filter((f) => f.yjs).length).toBeGreaterThan(0)
    page.off('response', onResponse)
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })
})
