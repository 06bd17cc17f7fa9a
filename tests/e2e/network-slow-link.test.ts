/**
 * Bob joins his circle's board from a bad connection: every message between
 * his phone and the Hearth server takes a second each way (2 s round trips).
 * The board already holds 50 posts, on Alice's phone. Bob must have all of them
 * within 10 s of pressing "Join board", and while his phone sets up the
 * connection to Alice's it must say so, not just "Looking for other members…".
 *
 * What is slowed (support/slow-link.ts): everything Bob's browser sends to or
 * receives from the Hearth server (the app's files, /config.json and the
 * signaling WebSocket). WebRTC between the two phones runs at loopback speed:
 * the watchdog, the status and the round-trip measurement are all about the
 * signaling path, which is what a 2 s link slows to a crawl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { STATUS, createBoard, readInviteLink, resultCount, submitJoin, syncStatus, unexpectedErrors, waitForText } from './support/flows.ts'
import { startSeeder, type Seeder } from './support/seed.ts'
import { startApp, type App } from './support/server.ts'
import { startSlowLink, throughOrigin, type SlowLink } from './support/slow-link.ts'

const ITEMS = 50
const ROUND_TRIP_MS = 2_000
const GOAL_MS = 10_000

let app: App
let slow: SlowLink
let alice: Peer
let bob: Peer
let seeder: Seeder | undefined

beforeAll(async () => {
  app = await startApp()
  slow = await startSlowLink({ targetPort: app.port, oneWayMs: ROUND_TRIP_MS / 2 })
  ;[alice, bob] = await Promise.all([
    launchPeer('alice', { viewport: { width: 360, height: 740 } }),
    launchPeer('bob', { viewport: { width: 360, height: 740 }, offlineCapable: false }),
  ])
})

afterAll(async () => {
  await seeder?.stop()
  await closeAllPeers()
  await slow?.close()
  await app?.close()
})

describe('a new member on a link with 2 s round trips', () => {
  it(`gets a ${ITEMS}-item board within ${GOAL_MS / 1000} s of joining, and is told a connection is being set up`, async () => {
    await alice.page.goto(app.url)
    await createBoard(alice.page, { name: 'Harbour street kitchen', displayName: 'Alice' })
    // Two people use it: the seeding device, then Bob.
    const invite = await readInviteLink(alice.page, { uses: 2 })
    seeder = startSeeder({ invite, signalingUrl: app.signalingUrl, count: ITEMS, seed: 7 })
    await seeder.synced(60_000)
    await waitForText(resultCount(alice.page), `${ITEMS} items`, 60_000)
    await seeder.stop()
    seeder = undefined
    await waitForText(syncStatus(alice.page), STATUS.searching, 30_000)

    // Bob opens the invite over his slow link (the app itself loads slowly too).
    await bob.page.goto(throughOrigin(invite, slow.url), { timeout: 60_000 })
    await bob.page.getByLabel('Your name on this board').waitFor({ timeout: 60_000 })
    // Bob types his name meanwhile: the app loads the board engine then (src/main.ts), not after he presses Join.
    await bob.page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /\/assets\/board-session-/.test(e.name)), undefined, { timeout: 60_000 })
    // Every status text Bob's screen shows from now on, in order.
    await bob.page.evaluate(() => {
      const w = globalThis as unknown as { __statuses: string[] }
      w.__statuses = []
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid=sync-status]')?.textContent?.replace(/\s+/g, ' ').trim()
        if (text && w.__statuses.at(-1) !== text) w.__statuses.push(text)
      }).observe(document.body, { childList: true, subtree: true, characterData: true })
    })

    const started = Date.now()
    await submitJoin(bob.page, 'Bob')
    await waitForText(resultCount(bob.page), `${ITEMS} items`, 60_000)
    const ms = Date.now() - started
    console.log(`[measure] new member at ${ROUND_TRIP_MS} ms round trips: ${ITEMS}-item board ${ms} ms after "Join board"`)

    const statuses = await bob.page.evaluate(() => (globalThis as unknown as { __statuses: string[] }).__statuses)
    console.log(`[measure] Bob's status texts: ${statuses.map((s) => s.replace(/ ·.*$/, '')).join(' → ')}`)
    expect(ms).toBeLessThan(GOAL_MS)
    expect(statuses.some((s) => s.startsWith('Connecting to a member device…'))).toBe(true)
    await waitForText(syncStatus(bob.page), STATUS.synced1, 30_000)
    expect(unexpectedErrors(alice.errors)).toEqual([])
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })
})
