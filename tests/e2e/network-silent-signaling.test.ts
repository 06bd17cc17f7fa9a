/**
 * Carol's network lets the signaling socket open and then swallows
 * everything both ways (a proxy that accepts the upgrade and forwards
 * nothing). She opens Alice's invitation and joins. Her waiting screen must
 * say she is offline, so she checks her network, rather than "looking for
 * the board's members" for ever beside the advice to ask for a new
 * invitation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeAllPeers, launchPeer } from './support/browser.ts'
import { STANDING, createBoard, readInviteLink, submitJoin, unexpectedErrors, waitForText } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'

let app: App

beforeAll(async () => {
  app = await startApp()
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

describe('a signaling server that never answers', () => {
  it('Carol, whose network swallows the signaling socket, is told she is offline, not that members are being looked for', async () => {
    const [alice, carol] = await Promise.all([launchPeer('alice-silent'), launchPeer('carol-silent', { viewport: { width: 360, height: 740 } })])
    await alice.page.goto(app.url)
    await alice.page.getByRole('button', { name: 'Not now' }).click()
    await createBoard(alice.page, { name: 'Food bank rota', displayName: 'Alice' })
    const invite = await readInviteLink(alice.page)

    const page = carol.page
    let swallowed = 0
    // The socket opens (the route answers the upgrade) and nothing ever reaches the server or comes back.
    await page.routeWebSocket(/./, (ws) => {
      ws.onMessage(() => void swallowed++)
    })
    await page.goto(invite)
    await submitJoin(page, 'Carol')
    await page.getByRole('heading', { level: 1, name: STANDING.waiting }).waitFor()
    const line = page.getByTestId('sync-status')
    await waitForText(line, 'Offline — nobody can let you in until you are back online', 30_000)
    // Her device did speak to the socket (it subscribed and asked whether anyone was there): it was the network that said nothing.
    expect(swallowed).toBeGreaterThan(0)
    expect(unexpectedErrors(carol.errors)).toEqual([])
  })
})
