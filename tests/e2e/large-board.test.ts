/**
 * A big, long-lived board: 10,000 items (mixed kinds, texts of 50–400
 * characters) reach Alice's phone from a Node member device, and then a
 * fresh device (Bob) joins and receives all of it from Alice alone, over one
 * WebRTC connection. Well past y-webrtc's silent ~256 KiB single-message
 * limit, so this proves chunking end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { STATUS, createBoard, items, postItem, readInviteLink, resultCount, syncStatus, textOf, unexpectedErrors, waitForText } from './support/flows.ts'
import { startSeeder, type Seeder } from './support/seed.ts'
import { startApp, type App } from './support/server.ts'

const SEEDED = 10_000
/** Alice's own notice plus the seeded items. */
const TOTAL = SEEDED + 1
const TOTAL_TEXT = `${TOTAL.toLocaleString('en-US')} items`
/** The list renders this many cards before "Show … more" (src/state/board.svelte.ts PAGE_SIZE). */
const PAGE = 50

let app: App
let alice: Peer
let bob: Peer
let seeder: Seeder | undefined
let invite: string

beforeAll(async () => {
  app = await startApp()
  ;[alice, bob] = await Promise.all([
    launchPeer('alice', { viewport: { width: 360, height: 740 } }),
    launchPeer('bob', { viewport: { width: 1280, height: 900 } }),
  ])
})

afterAll(async () => {
  await seeder?.stop()
  await closeAllPeers()
  await app?.close()
})

describe('a board with 10,000 items', () => {
  it('reaches Alice from a seeding member device', async () => {
    const page = alice.page
    await page.goto(app.url)
    await createBoard(page, { name: 'Big city network', displayName: 'Alice' })
    await postItem(page, { kind: 'notice', title: 'Read this first', body: 'House rules for the network board.' })
    // Two uses: the seeding device, then a fresh device later.
    invite = await readInviteLink(page, { uses: 2 })

    const started = Date.now()
    seeder = startSeeder({ invite, signalingUrl: app.signalingUrl, count: SEEDED, seed: 42 })
    const built = await seeder.built
    expect(built.items).toBe(SEEDED)
    console.log(`[measure] seeded sealed doc: ${SEEDED} items in ${built.entries} entries, ${(built.bytes / 1024 / 1024).toFixed(2)} MiB encoded, built and sealed in ${built.ms} ms`)
    await seeder.synced(90_000)
    await waitForText(resultCount(page), TOTAL_TEXT, 120_000)
    console.log(`[measure] 10k board from Node seeder to Alice (phone): ${Date.now() - started} ms (incl. building)`)
    await waitForText(syncStatus(page), STATUS.synced1, 30_000)
    await seeder.stop()
    seeder = undefined
    await waitForText(syncStatus(page), STATUS.searching, 30_000)
    // Alice's own notice is still there among them.
    await page.getByRole('searchbox', { name: 'Search this board' }).fill('house rules')
    await waitForText(resultCount(page), '1 item')
    await page.getByRole('searchbox', { name: 'Search this board' }).fill('')
    await waitForText(resultCount(page), TOTAL_TEXT)
  })

  it('reaches a fresh device that joins by link, from Alice alone', async () => {
    const page = bob.page
    await page.goto(invite)
    await page.getByLabel('Your name on this board').fill('Bob')
    const join = page.getByRole('button', { name: 'Join board' })
    await page.evaluate(() => {
      const w = globalThis as unknown as { __joinClickedAt?: number }
      document.addEventListener('click', () => (w.__joinClickedAt ??= Date.now()), { capture: true, once: true })
    })
    await join.click()
    // Time as the page sees it: from the click until the count shows every item.
    await page.waitForFunction(
      (expected) => document.querySelector('[data-testid=result-count]')?.textContent?.trim() === expected,
      TOTAL_TEXT,
      { timeout: 180_000, polling: 50 },
    )
    const elapsed = await page.evaluate(() => Date.now() - (globalThis as unknown as { __joinClickedAt: number }).__joinClickedAt)
    console.log(`[measure] 10k board to fresh peer: ${elapsed} ms`)

    await page.getByRole('heading', { level: 1, name: 'Big city network' }).waitFor()
    await waitForText(syncStatus(page), STATUS.synced1, 30_000)
    // The list pages instead of rendering 10k cards.
    expect(await items(page).count()).toBe(PAGE)
    const more = page.getByRole('button', { name: `Show ${(TOTAL - PAGE).toLocaleString('en-US')} more` })
    await more.waitFor()
    await more.click()
    // Polled on the button's own text, so that a failure says what it shows instead (the click lost, or the count changed).
    await expect.poll(() => page.locator('button.more').textContent(), { timeout: 30_000 }).toBe(`Show ${(TOTAL - 2 * PAGE).toLocaleString('en-US')} more`)
    expect(await items(page).count()).toBe(2 * PAGE)
    // A filter over 10k items answers, and counts match the kind buttons.
    const kinds = page.getByRole('navigation', { name: 'What to show' })
    const allButton = await textOf(kinds.getByRole('button', { name: /^All/ }))
    expect(allButton.startsWith('All ')).toBe(true)
    expect(Number(allButton.replace(/\D/g, ''))).toBe(TOTAL)
    await page.getByRole('searchbox', { name: 'Search this board' }).fill('house rules')
    await waitForText(resultCount(page), '1 item')
  })

  it('neither device logged an unexpected error', () => {
    expect(unexpectedErrors(alice.errors)).toEqual([])
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })
})
