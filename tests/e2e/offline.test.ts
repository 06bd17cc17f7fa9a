/**
 * Hearth is an installable PWA that starts with no network: a member opens it
 * once, and from then on the app shell comes from the service worker and the
 * boards from IndexedDB, even with the phone in airplane mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { STATUS, card, createBoard, goHome, postItem, resultCount, syncStatus, textOf, unexpectedErrors, waitForText } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'

let app: App
let alice: Peer

beforeAll(async () => {
  app = await startApp()
  alice = await launchPeer('alice', { viewport: { width: 360, height: 740 } })
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

describe('offline start', () => {
  it('the app shell and a board with its item load with no network, from the service worker', async () => {
    const page = alice.page
    await page.goto(app.url)
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    await alice.waitForServiceWorker()

    await createBoard(page, { name: 'Night shelter rota', displayName: 'Alice' })
    await postItem(page, { kind: 'notice', title: 'Keys are with Noor', body: 'Pick them up before 8 pm.' })
    const boardUrl = page.url()
    expect(boardUrl).toMatch(/#\/board\/[\w-]+$/)

    await alice.setOffline(true)
    const reopened = await alice.reopen()
    expect(reopened.url()).toBe(boardUrl)
    expect(await reopened.evaluate(() => navigator.onLine)).toBe(false)
    await reopened.getByRole('heading', { level: 1, name: 'Night shelter rota' }).waitFor()
    await waitForText(resultCount(reopened), '1 item')
    expect(await textOf(card(reopened, 'Keys are with Noor'))).toContain('Pick them up before 8 pm.')
    await waitForText(syncStatus(reopened), STATUS.offline)
    // The page really came from the service worker.
    expect(await reopened.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)

    // Still offline: posting works and is kept.
    await postItem(reopened, { kind: 'notice', title: 'Written offline', body: 'Saved on this phone only, for now.' })
    await waitForText(resultCount(reopened), '2 items')

    // And the home screen lists the board, offline too.
    await goHome(reopened)
    await reopened.getByRole('link', { name: /Night shelter rota/ }).waitFor()

    // A second cold start offline still has both items.
    await reopened.getByRole('link', { name: /Night shelter rota/ }).click()
    const again = await alice.reopen()
    await waitForText(resultCount(again), '2 items')
    await card(again, 'Written offline').waitFor()

    expect(unexpectedErrors(alice.errors)).toEqual([])
  })

  it('links a valid web app manifest with a maskable icon', async () => {
    const page = alice.page
    await alice.setOffline(false)
    const href = await page.locator('link[rel=manifest]').getAttribute('href')
    expect(href).toBe('/manifest.webmanifest')

    const res = await fetch(new URL('/manifest.webmanifest', app.url))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/(manifest\+json|json)/)
    const manifest = (await res.json()) as {
      name?: string
      short_name?: string
      start_url?: string
      scope?: string
      display?: string
      icons?: { src: string; sizes?: string; type?: string; purpose?: string }[]
    }
    expect(manifest.name).toBe('Hearth')
    expect(manifest.short_name).toBeTruthy()
    expect(manifest.display).toBe('standalone')
    expect(manifest.start_url).toBeTruthy()
    const manifestUrl = new URL('/manifest.webmanifest', app.url)
    // start_url must be inside scope and same origin, or browsers ignore it.
    const start = new URL(manifest.start_url!, manifestUrl)
    const scope = new URL(manifest.scope ?? './', manifestUrl)
    expect(start.origin).toBe(new URL(app.url).origin)
    expect(start.href.startsWith(scope.href)).toBe(true)

    const icons = manifest.icons ?? []
    const purposes = (i: { purpose?: string }) => (i.purpose ?? 'any').split(/\s+/)
    expect(icons.some((i) => purposes(i).includes('maskable'))).toBe(true)
    // Installability (Chromium): a 192 px and a 512 px "any" PNG icon.
    for (const size of ['192x192', '512x512']) {
      expect(icons.some((i) => i.sizes?.split(/\s+/).includes(size) && i.type === 'image/png' && purposes(i).includes('any'))).toBe(true)
    }
    // Every icon is served, as the type it claims.
    for (const icon of icons) {
      const r = await fetch(new URL(icon.src, manifestUrl))
      expect(r.status, icon.src).toBe(200)
      expect(r.headers.get('content-type') ?? '', icon.src).toContain(icon.type ?? 'image/')
      const bytes = new Uint8Array(await r.arrayBuffer())
      if (icon.type === 'image/png') {
        expect([...bytes.slice(1, 4)].map((b) => String.fromCharCode(b)).join(''), icon.src).toBe('PNG')
        const [w, h] = (icon.sizes ?? '').split('x').map(Number)
        const view = new DataView(bytes.buffer)
        expect([view.getUint32(16), view.getUint32(20)], `${icon.src} dimensions`).toEqual([w, h])
      }
    }
  })
})
