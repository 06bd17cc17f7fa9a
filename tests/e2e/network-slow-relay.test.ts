/**
 * Worse than a slow signaling link: Bob's whole connection is slow. Besides
 * the Hearth server (support/slow-link.ts), his peer connection itself runs
 * through a TURN relay reached over that same kind of link (relay-only, TURN
 * over TCP behind a proxy holding every byte 1 s each way). So the ICE checks,
 * the DTLS handshake, SCTP and the sync messages all take 2 s round trips, and
 * setting up the connection takes well over 8 s. The old watchdog dropped
 * every connection still not open after 8 s, so Bob never got the board; now
 * a connection is dropped only when it stops making progress.
 *
 * No 10 s goal here: ICE, DTLS and SCTP alone need more round trips than fit
 * (measured: the connection opens about 12 s after it is created, the board
 * is complete about 32 s after "Join board"; with the old watchdog, never).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { STATUS, createBoard, readInviteLink, resultCount, submitJoin, syncStatus, unexpectedErrors, waitForText } from './support/flows.ts'
import { startSeeder, type Seeder } from './support/seed.ts'
import { startApp, type App } from './support/server.ts'
import { startSlowLink, throughOrigin, type SlowLink } from './support/slow-link.ts'
import { startTurn, type Turn } from './support/turn.ts'

const ITEMS = 50
const ONE_WAY_MS = 1_000

let app: App
let turn: Turn
let slowApp: SlowLink
let slowTurn: SlowLink
let alice: Peer
let bob: Peer
let seeder: Seeder | undefined

beforeAll(async () => {
  app = await startApp()
  turn = await startTurn()
  slowApp = await startSlowLink({ targetPort: app.port, oneWayMs: ONE_WAY_MS })
  slowTurn = await startSlowLink({ targetPort: turn.port, oneWayMs: ONE_WAY_MS })
  ;[alice, bob] = await Promise.all([
    launchPeer('alice', { viewport: { width: 360, height: 740 } }),
    launchPeer('bob', { viewport: { width: 360, height: 740 }, offlineCapable: false }),
  ])
  // Bob's settings, as Settings → Network would save them: the relay, and relay-only.
  const settings = {
    language: null,
    signaling: [],
    replaceSignaling: false,
    iceServers: [{ urls: `turn:127.0.0.1:${slowTurn.port}?transport=tcp`, username: turn.username, credential: turn.credential }],
    relayOnly: true,
  }
  await bob.context.addInitScript(`localStorage.setItem('hearth.settings', ${JSON.stringify(JSON.stringify(settings))})`)
  // Alice is relay-only too, on a fast path to the same relay: two relayed candidates meet on this
  // machine's loopback (what coturn can relay here; see support/turn.ts).
  const direct = { ...settings, iceServers: [{ urls: `turn:127.0.0.1:${turn.port}?transport=tcp`, username: turn.username, credential: turn.credential }] }
  await alice.context.addInitScript(`localStorage.setItem('hearth.settings', ${JSON.stringify(JSON.stringify(direct))})`)
})

afterAll(async () => {
  await seeder?.stop()
  await closeAllPeers()
  await slowTurn?.close()
  await slowApp?.close()
  await turn?.close()
  await app?.close()
})

describe('a new member whose every round trip takes 2 s, WebRTC included', () => {
  it(`still gets the ${ITEMS}-item board: the connection is slow to set up but keeps moving, and is kept`, async () => {
    await alice.page.goto(app.url)
    await createBoard(alice.page, { name: 'Riverside food bank', displayName: 'Alice' })
    // Two people use it: the seeding device, then Bob.
    const invite = await readInviteLink(alice.page, { uses: 2 })
    seeder = startSeeder({ invite, signalingUrl: app.signalingUrl, count: ITEMS, seed: 9 })
    await seeder.synced(60_000)
    await waitForText(resultCount(alice.page), `${ITEMS} items`, 60_000)
    await seeder.stop()
    seeder = undefined

    await bob.page.goto(throughOrigin(invite, slowApp.url), { timeout: 60_000 })
    await bob.page.getByLabel('Your name on this board').waitFor({ timeout: 60_000 })
    await bob.page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /\/assets\/board-session-/.test(e.name)), undefined, { timeout: 60_000 })
    const started = Date.now()
    await submitJoin(bob.page, 'Bob')
    await waitForText(resultCount(bob.page), `${ITEMS} items`, 120_000)
    const ms = Date.now() - started
    console.log(`[measure] new member, 2 s round trips to the server and through the TURN relay: ${ITEMS}-item board ${ms} ms after "Join board"`)
    expect(ms).toBeLessThan(60_000)
    await waitForText(syncStatus(bob.page), STATUS.synced1, 30_000)
    // Only relayed candidates: the peer connection really went through the slow relay.
    const relayed = await bob.page.evaluate(async () => {
      const live = (globalThis as unknown as { __hearthE2eRtc?: Set<RTCPeerConnection> }).__hearthE2eRtc ?? new Set<RTCPeerConnection>()
      for (const pc of live) {
        if (pc.connectionState !== 'connected') continue
        const stats = await pc.getStats()
        for (const s of stats.values()) if (s.type === 'local-candidate' && s.candidateType !== 'relay') return false
        return true
      }
      return false
    })
    expect(relayed).toBe(true)
    expect(unexpectedErrors(alice.errors)).toEqual([])
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })
})
