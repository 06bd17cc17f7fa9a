/**
 * Bob opens Hearth for the first time, from an invitation, on a phone with a
 * slow link: what he waits for is the script the first screen needs. That
 * screen (the board list, the join and lock screens) does not carry the
 * board engine, Yjs, a board's screens, the settings or any language but
 * his: those load when a board is made, opened or joined, or the settings
 * opened. Before they were split off, the
 * first script was about 170 KB brotli (over 200 KB gzip), 3.5 s at 400
 * kbit/s. Service workers are blocked, so every file crosses the network and
 * is counted as sent.
 */
import type { Response } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { en } from '../../src/i18n/en.ts'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { closeDialog, createBoard, openMenu, readInviteLink, submitJoin, unexpectedErrors, waitForQrDrawn } from './support/flows.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

/** Script bytes on the wire (compressed as the server sent them) before the first screen: the budget. */
const FIRST_SCRIPT_BUDGET = 90_000
/** The board engine's chunk, under any query (a try after a failure fetches it under one of its own: src/chunks/retriable.ts). */
const ENGINE = /\/assets\/board-session-[\w-]+\.js(\?.*)?$/
/** The settings screen's chunk (with the lock's and the wipe's settings), under any query. */
const SETTINGS = /\/assets\/SettingsView-[\w-]+\.js(\?.*)?$/
/** The chunk that draws QR codes (src/ui/common/qr-draw.ts, with qrcode in it), under any query. */
const QRCODE = /\/assets\/qr-draw-[\w-]+\.js(\?.*)?$/
/** In Yjs's own code, and only there: whether a script fetched carries Yjs. */
const YJS_MARK = 'Yjs was already imported'

let app: App
let bob: Peer
let carla: Peer
let dana: Peer

beforeAll(async () => {
  app = await startApp()
  bob = await launchPeer('bob-first-script', { viewport: { width: 360, height: 740 }, offlineCapable: false })
  carla = await launchPeer('carla-first-script', { viewport: { width: 360, height: 740 }, offlineCapable: false })
  dana = await launchPeer('dana-first-script', { viewport: { width: 360, height: 740 }, offlineCapable: false })
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
        // Chromium may not give a body (a worker's script, or one it has let go): the file is then fetched
        // again from the server, as it is, uncompressed (more bytes, never fewer).
        Promise.all([response.request().sizes(), response.body().catch(() => fetch(response.url()).then(async (r) => Buffer.from(await r.arrayBuffer())))]).then(([sizes, body]) => ({
          path,
          wire: sizes.responseBodySize || body.byteLength,
          yjs: body.toString('utf8').includes(YJS_MARK),
        })),
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
    expect(first.filter((f) => SETTINGS.test(f.path)).map((f) => f.path)).toEqual([])

    // Making a board loads the engine (and Yjs with it): the mark is found where it is.
    await createBoard(page, { name: 'Tenants’ union', displayName: 'Bob' })
    const all = await Promise.all(fetched)
    expect(all.filter((f) => f.yjs).length).toBeGreaterThan(0)
    page.off('response', onResponse)
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })

  it('says so when the board engine cannot be fetched, makes nothing, and makes the board once it can', async () => {
    // Carla's link drops just as she makes her first board: the engine's chunk never arrives.
    const page = carla.page
    await page.goto(app.url)
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor({ timeout: 30_000 })
    await page.route(ENGINE, (route) => route.abort('internetdisconnected'))
    await page.getByRole('button', { name: 'Create a board' }).click()
    await page.getByLabel('Board name').fill('Night shelter rota')
    await page.getByLabel('Your name on this board').fill('Carla')
    const create = page.getByRole('button', { name: 'Create board' })
    await create.click()
    await page.getByRole('alert').filter({ hasText: en['app.partUnavailable'] }).waitFor({ timeout: 15_000 })
    expect(await create.isEnabled()).toBe(true)
    expect(await page.getByLabel('Board name').inputValue()).toBe('Night shelter rota')
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    expect(await page.getByText('Night shelter rota').count()).toBe(0)

    // The link is back: the same form makes the board.
    await page.unroute(ENGINE)
    await createBoard(page, { name: 'Night shelter rota', displayName: 'Carla' })
    expect(unexpectedErrors(carla.errors, [/ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch dynamically imported module/])).toEqual([])
  })

  it('fetches the settings when they are opened, and says so when they cannot be fetched', async () => {
    // Bob's link drops as he opens the settings for the first time.
    const page = bob.page
    await page.goto(app.url)
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor({ timeout: 30_000 })
    let asked = 0
    await page.route(SETTINGS, (route) => {
      asked++
      return route.abort('internetdisconnected')
    })
    await (await openMenu(page)).getByRole('button', { name: 'Settings', exact: true }).click()
    await page.getByRole('alert').filter({ hasText: en['app.partUnavailable'] }).waitFor({ timeout: 15_000 })
    expect(asked).toBeGreaterThan(0)
    expect(await page.getByRole('heading', { level: 1, name: en['settings.title'] }).count()).toBe(1)
    expect(await page.getByRole('heading', { level: 2, name: en['settings.language'] }).count()).toBe(0)
    await expectNoAxeViolations(page, 'the settings that could not be fetched')
    await screenshot(page, 'settings-unavailable-360')

    // The link is back: "Try again" fetches them and the settings show, language and lock included.
    await page.unroute(SETTINGS)
    await page.getByRole('button', { name: en['app.retry'] }).click()
    await page.getByRole('heading', { level: 2, name: en['settings.language'] }).waitFor({ timeout: 15_000 })
    await page.getByRole('heading', { level: 2, name: en['lock.section'] }).waitFor()
    expect(await page.getByText(en['app.partUnavailable']).count()).toBe(0)
    expect(unexpectedErrors(bob.errors, [/ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch dynamically imported module/])).toEqual([])
  })

  it('says so when a newcomer’s board cannot open for want of the engine, and opens it by itself once back online', async () => {
    // Dana opens Carla's invitation; her link drops before the engine's chunk arrives (the join screen asks for it at once).
    const invite = await readInviteLink(carla.page)
    const page = dana.page
    await page.route(ENGINE, (route) => route.abort('internetdisconnected'))
    await page.goto(invite)
    await page.getByRole('heading', { level: 1, name: 'Join a board' }).waitFor({ timeout: 30_000 })
    await submitJoin(page, 'Dana')
    // Joining keeps the invitation on this device; opening the board needs the engine: said as such, not "not on this device".
    await page.getByRole('heading', { level: 1, name: en['board.unavailable'] }).waitFor({ timeout: 15_000 })
    expect(await page.getByText(en['board.missing']).count()).toBe(0)

    await page.getByRole('button', { name: en['app.retry'] }).waitFor()

    // Her phone goes offline and comes back: Carla's board opens without her tapping "Try again", and Dana is let in.
    await page.unroute(ENGINE)
    await dana.setOffline(true)
    await dana.setOffline(false)
    await page.getByRole('heading', { level: 1, name: 'Night shelter rota' }).waitFor({ timeout: 60_000 })
    expect(unexpectedErrors(dana.errors, [/ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch dynamically imported module/])).toEqual([])
  })

  it('shows the invitation’s link when its QR code cannot be drawn, and draws the code on “Try again”', async () => {
    // Carla opens Hearth again (a new page: nothing of the app fetched yet) and invites someone as her link drops.
    const page = carla.page
    await page.goto(app.url)
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor({ timeout: 30_000 })
    await page.getByRole('link', { name: /Night shelter rota/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Night shelter rota' }).waitFor({ timeout: 30_000 })
    let asked = 0
    await page.route(QRCODE, (route) => {
      asked++
      return route.abort('internetdisconnected')
    })
    await (await openMenu(page)).getByRole('button', { name: 'Invite' }).click()
    const dialog = page.getByRole('dialog', { name: /^Invite to / })
    await dialog.getByRole('button', { name: 'Create the invite' }).click()
    await dialog.getByRole('alert').filter({ hasText: en['invite.qrUnavailable'] }).waitFor({ timeout: 15_000 })
    expect(asked).toBeGreaterThan(0)
    // The link it made is there to copy, and nothing pretends to be a code.
    expect(await dialog.getByLabel('Invite link').inputValue()).toMatch(/#/)
    expect(await dialog.getByRole('img', { name: en['invite.qr'] }).count()).toBe(0)
    await expectNoAxeViolations(page, 'an invitation whose QR code could not be drawn')
    await screenshot(page, 'invite-qr-unavailable-360')

    // The link is back: "Try again" draws the code, which takes the focus from the button that went away.
    await page.unroute(QRCODE)
    await dialog.getByRole('button', { name: en['app.retry'] }).click()
    expect(await waitForQrDrawn(page)).toBeGreaterThan(1000)
    await dialog.getByRole('img', { name: en['invite.qr'] }).waitFor()
    expect(await dialog.getByText(en['invite.qrUnavailable']).count()).toBe(0)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(en['invite.qr'])
    await closeDialog(dialog)
    expect(unexpectedErrors(carla.errors, [/ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch dynamically imported module/])).toEqual([])
  })
})
