/**
 * Mina's cheap phone is full. She posts anyway: the post is on the board,
 * the form closes, and Hearth says plainly that this device could not save
 * it, instead of leaving "Post" spinning for good (as it did) or losing it.
 * Once she frees some space, "Save again" writes it, and it is still there
 * after Hearth restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { card, createBoard, postItem, unexpectedErrors } from './support/flows.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

let app: App
let mina: Peer

/** The device fills up while `window.full` is true: every IndexedDB put fails as Chromium's does past the quota. */
const FULL_DEVICE = `(() => {
  window.full = false;
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (window.full) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return put.apply(this, args);
  };
})()`

const UNSAVED = 'This device could not save your latest changes: it may be full.'

beforeAll(async () => {
  app = await startApp()
  mina = await launchPeer('mina', { viewport: { width: 360, height: 740 } })
  await mina.context.addInitScript(FULL_DEVICE)
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

describe('a device that is full', () => {
  it('posts, says the post is not saved on this device, and saves it once there is room', async () => {
    await mina.page.goto(app.url)
    await createBoard(mina.page, { name: 'Food bank shifts', displayName: 'Mina' })
    await mina.page.evaluate(() => ((window as unknown as { full: boolean }).full = true))

    // The form closes and the post is on the board; the alert says what is not done.
    await postItem(mina.page, { kind: 'notice', title: 'Van needs a driver Friday', body: 'Pick-up at 9 from the depot.' })
    const alert = mina.page.getByRole('alert').filter({ hasText: UNSAVED })
    await alert.waitFor({ timeout: 15_000 })
    await expectNoAxeViolations(mina.page, 'a full device')
    await screenshot(mina.page, 'full-device-unsaved-360')

    // Still full: "Save again" cannot, and the alert stays.
    const again = alert.getByRole('button', { name: 'Save again' })
    await again.click()
    await expect.poll(() => again.isEnabled(), { timeout: 15_000 }).toBe(true)
    expect(await alert.count()).toBe(1)

    // Room again: saved, the alert goes.
    await mina.page.evaluate(() => ((window as unknown as { full: boolean }).full = false))
    await again.click()
    await alert.waitFor({ state: 'detached', timeout: 15_000 })

    // Hearth starts again, on the board: the post was kept on this device.
    await mina.page.reload()
    await mina.page.getByRole('heading', { level: 1, name: 'Food bank shifts' }).waitFor({ timeout: 30_000 })
    await card(mina.page, 'Van needs a driver Friday').waitFor({ timeout: 30_000 })
    expect(unexpectedErrors(mina.errors)).toEqual([])
  })
})
