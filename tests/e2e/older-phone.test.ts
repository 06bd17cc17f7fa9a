/**
 * Bob's phone is a few years old: its browser has no WebCrypto Ed25519 or
 * X25519. Hearth loads its fallback there (@noble/curves, in its own chunk),
 * with the same keys and signature format, so Bob's posts verify on Alice's
 * up-to-date phone and hers on his, both ways, with nothing rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { STATUS, card, closeDialog, createBoard, escapes, openDetail, postItem, readInviteLink, submitJoin, syncStatus, textOf, unexpectedErrors, waitForText } from './support/flows.ts'
import { OLDER_WEBCRYPTO } from './support/older-webcrypto.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

let app: App
let alice: Peer
let bob: Peer

beforeAll(async () => {
  app = await startApp()
  ;[alice, bob] = await Promise.all([
    launchPeer('alice', { viewport: { width: 360, height: 740 } }),
    // No service worker on Bob's phone: it would serve the crypto worker's script from its cache, past the route below.
    launchPeer('bob', { viewport: { width: 360, height: 740 }, offlineCapable: false }),
  ])
  await bob.context.addInitScript(OLDER_WEBCRYPTO)
  // Init scripts do not run in workers: the crypto worker gets the same older WebCrypto at the top of its script.
  await bob.context.route(/\/assets\/entry-crypto\.worker-[\w-]+\.js$/, async (route) => {
    const response = await route.fetch()
    await route.fulfill({ response, body: `${OLDER_WEBCRYPTO};\n${await response.text()}` })
  })
})

/** The page's crypto worker (src/crypto/worker-crypto.ts). */
const cryptoWorker = (page: Page) => page.workers().find((w) => w.url().includes('entry-crypto.worker'))

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/** Whether the page loaded the fallback's chunk. */
const loadedFallback = (page: Page) => page.evaluate(() => performance.getEntriesByType('resource').some((e) => /\/assets\/curves-noble-[\w-]+\.js$/.test(e.name)))

/** The fingerprint the post's detail view shows beside its author (only members whose signature checked out get one). */
async function authorFingerprint(page: Page, title: string): Promise<string> {
  expect(await textOf(card(page, title))).not.toContain('unverified')
  const view = await openDetail(page, title)
  const shown = (await view.getByTestId('author-fingerprint').count()) > 0 ? await textOf(view.getByTestId('author-fingerprint')) : 'none'
  await closeDialog(view)
  return shown
}

/** The Members dialog's diagnostics: nothing rejected. */
async function expectNothingRejected(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^\d+ members?/ }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByText('Every change received so far was signed by a member and checked.').waitFor()
  await dialog.getByRole('button', { name: 'Close' }).first().click()
  await dialog.waitFor({ state: 'detached' })
}

describe('an older phone without WebCrypto Ed25519/X25519', () => {
  it('really refuses them, and Hearth takes the fallback there only', async () => {
    await Promise.all([alice.page.goto(app.url), bob.page.goto(app.url)])
    const refused = await bob.page.evaluate(() =>
      crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']).then(
        () => 'accepted',
        (e: Error) => e.name,
      ),
    )
    expect(refused).toBe('NotSupportedError')
    await bob.page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    await alice.page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    expect(await loadedFallback(bob.page)).toBe(true)
    expect(await loadedFallback(alice.page)).toBe(false)
  })

  it('syncs a board with an up-to-date phone both ways, every author verified', async () => {
    await createBoard(alice.page, { name: 'Tenants together', displayName: 'Alice' })
    await postItem(alice.page, { kind: 'notice', title: 'Meeting with the landlord', body: 'Thursday, bring your contracts.' })
    const invite = await readInviteLink(alice.page)
    await bob.page.goto(invite)
    await submitJoin(bob.page, 'Bob')
    await bob.page.getByRole('heading', { level: 1, name: 'Tenants together' }).waitFor()
    await card(bob.page, 'Meeting with the landlord').waitFor({ timeout: 30_000 })
    await postItem(bob.page, { kind: 'notice', title: 'I can translate', body: 'Arabic and French, for anyone who needs it.' })
    await card(alice.page, 'I can translate').waitFor({ timeout: 30_000 })
    for (const peer of [alice, bob]) await waitForText(syncStatus(peer.page), STATUS.synced1, 30_000)

    // Each side shows the other's post with its author's fingerprint: the signature checked out.
    const aliceOnBob = await authorFingerprint(bob.page, 'Meeting with the landlord')
    const aliceOnAlice = await authorFingerprint(alice.page, 'Meeting with the landlord')
    const bobOnAlice = await authorFingerprint(alice.page, 'I can translate')
    const bobOnBob = await authorFingerprint(bob.page, 'I can translate')
    expect(aliceOnBob).toBe(aliceOnAlice)
    expect(bobOnAlice).toBe(bobOnBob)
    expect(aliceOnBob).not.toBe(bobOnBob)
    expect(aliceOnBob).toMatch(/^[0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}$/)
    expect(await textOf(card(alice.page, 'I can translate'))).toContain('Posted by Bob')
    expect(await textOf(card(bob.page, 'Meeting with the landlord'))).toContain('Posted by Alice')
    for (const peer of [alice, bob]) await expectNothingRejected(peer.page)
    // Bob's device identity was made by the fallback, and his phone never used WebCrypto's curves.
    expect(await loadedFallback(bob.page)).toBe(true)
    // Alice's signatures were checked in Bob's crypto worker, which has no WebCrypto curves either: it took the fallback too.
    const worker = cryptoWorker(bob.page)!
    expect(await worker.evaluate(() => crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']).then(() => 'accepted', (e: Error) => e.name))).toBe('NotSupportedError')
    expect(await worker.evaluate(() => performance.getEntriesByType('resource').some((e) => /\/assets\/curves-noble-[\w-]+\.js$/.test(e.name)))).toBe(true)
    expect(await cryptoWorker(alice.page)!.evaluate(() => performance.getEntriesByType('resource').some((e) => /curves-noble/.test(e.name)))).toBe(false)
    expect(unexpectedErrors(alice.errors)).toEqual([])
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })

  it('says plainly when the fallback cannot run in the browser (Carol’s has no BigInt when Hearth looks)', async () => {
    const carol = await launchPeer('carol', { viewport: { width: 360, height: 740 }, offlineCapable: false, locale: 'ar' })
    await carol.context.addInitScript(OLDER_WEBCRYPTO)
    // A browser that runs Hearth's first script has BigInt (it is older than the syntax the script needs):
    // this one loses it once the script has started, just before Hearth chooses its curves.
    await carol.context.addInitScript(`(() => {
      const mark = performance.mark.bind(performance);
      performance.mark = (name, ...rest) => {
        if (name === 'hearth:script') delete globalThis.BigInt;
        return mark(name, ...rest);
      };
    })()`)
    let fetched = 0
    carol.page.on('request', (r) => void (/\/assets\/curves-noble-[\w-]+\.js/.test(r.url()) && fetched++))
    await carol.page.goto(app.url)
    const alert = carol.page.getByRole('alert')
    await alert.getByRole('heading', { name: 'لا يمكن تشغيل Hearth في هذا المتصفح' }).waitFor()
    expect(await textOf(alert)).toContain('Android System WebView')
    expect(await carol.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl'])
    // Nothing of the app is left that could half-work, and the fallback was not fetched for nothing.
    expect(await carol.page.getByRole('button').count()).toBe(0)
    expect(fetched).toBe(0)
    await expectNoAxeViolations(carol.page, 'a browser the fallback cannot run in')
    await carol.close()
  })

  it('says the fallback could not be fetched when Dave’s link drops on his first visit, and starts, invitation kept, once it comes', async () => {
    // Dave opens Alice’s invitation on his older phone; the fallback's chunk does not arrive.
    const invite = await readInviteLink(alice.page)
    const dave = await launchPeer('dave', { viewport: { width: 360, height: 740 }, offlineCapable: false })
    await dave.context.addInitScript(OLDER_WEBCRYPTO)
    const NOBLE = /\/assets\/curves-noble-[\w-]+\.js(\?.*)?$/
    let blocked = 0
    await dave.page.route(NOBLE, (route) => (blocked++, route.abort('internetdisconnected')))
    await dave.page.goto(invite)
    const alert = dave.page.getByRole('alert')
    await alert.filter({ hasText: 'Part of Hearth could not be loaded. Connect to the internet and try again.' }).waitFor({ timeout: 30_000 })
    expect(blocked).toBeGreaterThan(0)
    // Not "this browser cannot run Hearth": that would tell him to change phones over a dropped link.
    expect(await dave.page.getByText('Hearth cannot run in this browser').count()).toBe(0)
    await expectNoAxeViolations(dave.page, 'the fallback that could not be fetched')
    await screenshot(dave.page, 'older-phone-fallback-unfetched-360')
    const retry = dave.page.getByRole('button', { name: 'Try again' })

    // Still no link: "Try again" fails again and says so; nothing else happens.
    await retry.click()
    await expect.poll(() => blocked, { timeout: 15_000 }).toBeGreaterThan(1)
    await expect.poll(() => retry.isEnabled(), { timeout: 15_000 }).toBe(true)
    await alert.filter({ hasText: 'Part of Hearth could not be loaded.' }).waitFor()

    // The link is back: "Try again" fetches it and Hearth starts, on the join page of the invitation he opened.
    await dave.page.unroute(NOBLE)
    await retry.click()
    await dave.page.getByRole('heading', { level: 1, name: 'Join a board' }).waitFor({ timeout: 30_000 })
    await submitJoin(dave.page, 'Dave')
    await dave.page.getByRole('heading', { level: 1, name: 'Tenants together' }).waitFor({ timeout: 30_000 })
    await card(dave.page, 'Meeting with the landlord').waitFor({ timeout: 60_000 })
    expect(await loadedFallback(dave.page)).toBe(true)
    expect(unexpectedErrors(dave.errors, [/ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch dynamically imported module/])).toEqual([])
    await dave.close()
  })

  it('keeps the panic wipe within reach when Bob’s fallback cannot be fetched, and it erases his board', async () => {
    // Bob's phone holds a board. He opens Hearth offline, and the fallback is not in the browser's cache.
    const NOBLE = /\/assets\/curves-noble-[\w-]+\.js(\?.*)?$/
    await bob.page.route(NOBLE, (route) => route.abort('internetdisconnected'))
    await bob.page.reload()
    const alert = bob.page.getByRole('alert')
    await alert.filter({ hasText: 'Part of Hearth could not be loaded.' }).waitFor({ timeout: 30_000 })
    expect(await bob.page.getByText('Deletes every board, key and setting on this device at once.').count()).toBe(1)
    const wipe = bob.page.getByRole('button', { name: 'Wipe now…' })
    await wipe.waitFor()
    await expectNoAxeViolations(bob.page, 'the fallback that could not be fetched, on a device that holds a board')
    await screenshot(bob.page, 'older-phone-fallback-unfetched-wipe-360')
    expect((await bob.page.evaluate(async () => (await indexedDB.databases()).length)) > 0).toBe(true)

    // The shortcut works here too (Escape three times): the question opens on Cancel, and he wipes.
    await escapes(bob.page, 3)
    const question = bob.page.getByRole('dialog', { name: 'Wipe everything on this device?' })
    await question.waitFor()
    expect(await bob.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancel')
    await question.getByRole('button', { name: 'Wipe everything' }).click()
    await question.waitFor({ state: 'detached' })
    await wipe.waitFor({ state: 'detached', timeout: 15_000 })
    await alert.filter({ hasText: 'Part of Hearth could not be loaded.' }).waitFor()
    const left = await bob.page.evaluate(async () => ({
      databases: (await indexedDB.databases()).map((d) => d.name),
      localStorage: localStorage.length,
      sessionStorage: sessionStorage.length,
    }))
    expect(left).toEqual({ databases: [], localStorage: 0, sessionStorage: 0 })

    // Once the link is back, "Try again" starts a fresh Hearth: his board is gone.
    await bob.page.unroute(NOBLE)
    await bob.page.getByRole('button', { name: 'Try again' }).click()
    await bob.page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor({ timeout: 30_000 })
    await bob.page.getByText('No boards on this device yet.').waitFor()
    expect(await bob.page.getByText('Tenants together').count()).toBe(0)
    expect(unexpectedErrors(bob.errors, [/ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch dynamically imported module/])).toEqual([])
  })
})
