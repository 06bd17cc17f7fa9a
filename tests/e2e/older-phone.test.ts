/**
 * Bob's phone is a few years old: its browser has no WebCrypto Ed25519 or
 * X25519. Hearth loads its fallback there (@noble/curves, in its own chunk),
 * with the same keys and signature format, so Bob's posts verify on Alice's
 * up-to-date phone and hers on his, both ways, with nothing rejected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { STATUS, card, closeDialog, createBoard, openDetail, postItem, readInviteLink, submitJoin, syncStatus, textOf, unexpectedErrors, waitForText } from './support/flows.ts'
import { OLDER_WEBCRYPTO } from './support/older-webcrypto.ts'
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

  it("says plainly when even the fallback cannot run (Carol's phone cannot load it)", async () => {
    const carol = await launchPeer('carol', { viewport: { width: 360, height: 740 }, offlineCapable: false, locale: 'ar' })
    await carol.context.addInitScript(OLDER_WEBCRYPTO)
    await carol.page.route(/\/assets\/curves-noble-[\w-]+\.js$/, (route) => route.abort('failed'))
    await carol.page.goto(app.url)
    const alert = carol.page.getByRole('alert')
    await alert.getByRole('heading', { name: 'لا يمكن تشغيل Hearth في هذا المتصفح' }).waitFor()
    expect(await textOf(alert)).toContain('Android System WebView')
    expect(await carol.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ar', 'rtl'])
    // Nothing of the app is left that could half-work.
    expect(await carol.page.getByRole('button').count()).toBe(0)
    await carol.close()
  })
})
