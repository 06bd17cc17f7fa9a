/**
 * Lena's phone may be looked at by people who must not learn she uses
 * Hearth. She sets the neutral look: the app calls itself "Notes" — in its
 * bar, the tab's title, the icon and the manifest an install would use — and
 * keeps doing so across a restart, on the lock screen, and on the screen shown
 * when it cannot start (her older browser's fallback could not be fetched,
 * offline). Nowhere on those screens does "Hearth" appear.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { createBoard, openSettings, unexpectedErrors } from './support/flows.ts'
import { OLDER_WEBCRYPTO } from './support/older-webcrypto.ts'
import { startApp, type App } from './support/server.ts'

let app: App
let lena: Peer

beforeAll(async () => {
  app = await startApp()
  // An older phone (no WebCrypto Ed25519/X25519): Hearth runs on its fallback, which a dropped link can keep away.
  lena = await launchPeer('lena', { viewport: { width: 360, height: 740 }, offlineCapable: false })
  await lena.context.addInitScript(OLDER_WEBCRYPTO)
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/** What would give the app away: the words on screen, the tab's title, the manifest and the tab's icon. */
const giveaways = (page: Page) =>
  page.evaluate(() => ({
    hearthOnScreen: document.body.innerText.includes('Hearth'),
    title: document.title,
    manifest: document.querySelector('link[rel=manifest]')?.getAttribute('href') ?? null,
    icon: document.querySelector('link[rel=icon][type="image/svg+xml"]')?.getAttribute('href') ?? null,
  }))

const NEUTRAL = { hearthOnScreen: false, title: 'Notes', manifest: '/manifest-notes.webmanifest', icon: '/icons/notes.svg' }

describe('the neutral look', () => {
  it('calls the app "Notes" everywhere once chosen, and across a restart to the lock screen', async () => {
    await lena.page.goto(app.url)
    await createBoard(lena.page, { name: 'Safe homes', displayName: 'Lena' })
    await openSettings(lena.page)
    await lena.page.getByRole('radio', { name: 'Notes' }).check()
    await lena.page.getByRole('link', { name: 'Notes' }).waitFor()
    // A passphrase, so that Hearth starts locked.
    await lena.page.getByLabel('New passphrase').fill('the heron waits at dusk')
    await lena.page.getByLabel('Type the passphrase again').fill('the heron waits at dusk')
    await lena.page.getByRole('button', { name: 'Set passphrase' }).click()
    await lena.page.getByText('Passphrase saved.').waitFor()
    await lena.page.getByRole('button', { name: 'Back' }).click()
    await lena.page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    expect(await giveaways(lena.page)).toEqual(NEUTRAL)

    await lena.page.reload()
    await lena.page.getByRole('heading', { name: 'Locked' }).waitFor({ timeout: 30_000 })
    expect(await giveaways(lena.page)).toEqual(NEUTRAL)
  })

  it('still says "Notes", never "Hearth", when it cannot start', async () => {
    await lena.page.route(/\/assets\/curves-noble-[\w-]+\.js(\?.*)?$/, (route) => route.abort('internetdisconnected'))
    await lena.page.reload()
    const alert = lena.page.getByRole('alert')
    await alert.filter({ hasText: 'Part of Notes could not be loaded. Connect to the internet and try again.' }).waitFor({ timeout: 30_000 })
    expect(await giveaways(lena.page)).toEqual(NEUTRAL)
    // The wipe is there, without a word about it (a passphrase is set, as on the lock screen).
    await lena.page.getByRole('button', { name: 'Wipe now…' }).waitFor()
    expect(await lena.page.getByText('Deletes every board').count()).toBe(0)
    await expectNoAxeViolations(lena.page, 'cannot start, in the neutral look')
    expect(unexpectedErrors(lena.errors, [/ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch dynamically imported module/])).toEqual([])
  })
})
