/**
 * Mina's cheap phone is full. She posts anyway: the post is on the board,
 * the form closes, and Hearth says plainly that this device could not save
 * it, instead of leaving "Post" spinning for good (as it did) or losing it.
 * Once she frees some space, "Save again" writes it, and it is still there
 * after Hearth restarts. A board made, or joined, on a full device says
 * that nothing was saved (the buttons used to do nothing, or spin for good),
 * and works once there is room. Leaving a board there says when it did not
 * finish (it used to close the board and stop, saying nothing), keeps the
 * board listed, and leaves it once there is room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { card, createBoard, goHome, openMenu, openSettings, postItem, readInviteLink, STANDING, submitJoin, unexpectedErrors } from './support/flows.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

let app: App
let mina: Peer

/**
 * The device fills up while `window.full` is true, as Chromium shows it past
 * the quota: a transaction that writes is aborted, its error a
 * QuotaExceededError, its requests failing with AbortError.
 */
const FULL_DEVICE = `(() => {
  window.full = false;
  const aborted = new WeakSet();
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (!window.full) return put.apply(this, args);
    const tx = this.transaction;
    if (aborted.has(tx)) throw new DOMException('The transaction has finished.', 'TransactionInactiveError');
    const req = put.apply(this, args);
    aborted.add(tx);
    tx.abort();
    return req;
  };
  const error = Object.getOwnPropertyDescriptor(IDBTransaction.prototype, 'error').get;
  Object.defineProperty(IDBTransaction.prototype, 'error', {
    configurable: true,
    get() { return aborted.has(this) ? new DOMException('The quota has been exceeded.', 'QuotaExceededError') : error.call(this) },
  });
})()`

const UNSAVED = 'This device could not save your latest changes: it may be full.'
const NOTHING_SAVED = 'This device could not save anything: it may be full. Free some space, then try again.'
const LEAVE_UNFINISHED = 'Leaving “Food bank shifts” did not finish: this device could not save that you left. It may be full. Free some space, then leave again.'
const setFull = (page: Peer['page'], full: boolean) => page.evaluate((f) => ((window as unknown as { full: boolean }).full = f), full)

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

  it('makes no board while full, says so, and makes it once there is room', async () => {
    await mina.page.goto(app.url)
    await mina.page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    await setFull(mina.page, true)
    await mina.page.getByRole('button', { name: 'Create a board' }).click()
    await mina.page.getByLabel('Board name').fill('Winter coats')
    await mina.page.getByLabel('Your name on this board').fill('Mina')
    const create = mina.page.getByRole('button', { name: 'Create board' })
    await create.click()
    await mina.page.getByRole('alert').filter({ hasText: NOTHING_SAVED }).waitFor({ timeout: 15_000 })
    expect(await create.isEnabled()).toBe(true)
    await expectNoAxeViolations(mina.page, 'a board not made on a full device')
    await setFull(mina.page, false)
    await create.click()
    await mina.page.getByRole('heading', { level: 1, name: 'Winter coats' }).waitFor({ timeout: 30_000 })
    expect(unexpectedErrors(mina.errors)).toEqual([])
  })

  it('joins no board while full, keeps the invitation, and joins once there is room', async () => {
    const invite = await readInviteLink(mina.page)
    const nour = await launchPeer('nour', { viewport: { width: 360, height: 740 } })
    await nour.context.addInitScript(FULL_DEVICE)
    await nour.page.goto(invite)
    await nour.page.getByRole('heading', { level: 1, name: 'Join a board' }).waitFor()
    await setFull(nour.page, true)
    await submitJoin(nour.page, 'Nour')
    await nour.page.getByRole('alert').filter({ hasText: NOTHING_SAVED }).waitFor({ timeout: 15_000 })
    expect(await nour.page.getByRole('button', { name: 'Join board' }).isEnabled()).toBe(true)
    await setFull(nour.page, false)
    await nour.page.getByRole('button', { name: 'Join board' }).click()
    await nour.page.getByRole('heading', { level: 1, name: 'Winter coats' }).waitFor({ timeout: 60_000 })
    expect(unexpectedErrors(nour.errors)).toEqual([])
    await nour.close()
  })

  it('a newcomer waiting to be let in is told, too, when her device could not save what reached it, and saves it once there is room', async () => {
    await mina.page.getByRole('heading', { level: 1, name: 'Winter coats' }).waitFor()
    const invite = await readInviteLink(mina.page, { ask: true })
    const ines = await launchPeer('ines', { viewport: { width: 360, height: 740 } })
    await ines.context.addInitScript(FULL_DEVICE)
    await ines.page.goto(invite)
    await submitJoin(ines.page, 'Inès')
    await ines.page.getByRole('heading', { level: 1, name: STANDING.waiting }).waitFor({ timeout: 30_000 })
    await setFull(ines.page, true)
    // Mina posts while Inès waits: what reaches Inès's device cannot be saved there.
    await postItem(mina.page, { kind: 'notice', title: 'Coats sorted by size', body: 'Racks by the door.' })
    const alert = ines.page.getByRole('alert').filter({ hasText: UNSAVED })
    await alert.waitFor({ timeout: 30_000 })
    await ines.page.getByTestId('waiting').waitFor()
    await expectNoAxeViolations(ines.page, 'the waiting screen on a full device')
    await screenshot(ines.page, 'full-device-waiting-360')
    await setFull(ines.page, false)
    await alert.getByRole('button', { name: 'Save again' }).click()
    await alert.waitFor({ state: 'detached', timeout: 15_000 })
    expect(unexpectedErrors(ines.errors)).toEqual([])
    await ines.close()
  })

  it('never says a passphrase is set, or the settings saved, when the device could not save them', async () => {
    await openSettings(mina.page)
    await mina.page.getByTestId('passphrase-state').filter({ hasText: 'No passphrase is set' }).waitFor()
    await setFull(mina.page, true)
    await mina.page.getByLabel('New passphrase').fill('lanterns by the canal')
    await mina.page.getByLabel('Type the passphrase again').fill('lanterns by the canal')
    const set = mina.page.getByRole('button', { name: 'Set passphrase' })
    await set.click()
    await mina.page.getByRole('alert').filter({ hasText: NOTHING_SAVED }).waitFor({ timeout: 15_000 })
    expect(await mina.page.getByText('Passphrase saved.').count()).toBe(0)
    expect(await mina.page.getByTestId('passphrase-state').textContent()).toContain('No passphrase is set')
    // The network settings neither: no "Saved. Restarting…", and no restart that would lose them.
    await mina.page.getByRole('button', { name: 'Save and restart' }).click()
    await expect.poll(() => mina.page.getByRole('alert').filter({ hasText: NOTHING_SAVED }).count(), { timeout: 15_000 }).toBe(2)
    expect(await mina.page.getByText('Saved. Restarting…').count()).toBe(0)
    await setFull(mina.page, false)
    await set.click()
    await mina.page.getByText('Passphrase saved.').waitFor({ timeout: 30_000 })
    expect(await mina.page.getByTestId('passphrase-state').textContent()).toContain('A passphrase is set')
    expect(unexpectedErrors(mina.errors)).toEqual([])
  })
  it('says when leaving a board did not finish, keeps the board listed, and leaves once there is room', async () => {
    const page = mina.page
    const listed = () => page.getByRole('link', { name: /Food bank shifts/ }).count()
    await goHome(page)
    await page.getByRole('link', { name: /Food bank shifts/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Food bank shifts' }).waitFor({ timeout: 30_000 })
    await (await openMenu(page)).getByRole('button', { name: 'Board settings' }).click()
    await page.getByRole('dialog', { name: 'Board settings' }).getByRole('button', { name: 'Leave this board' }).click()
    await setFull(page, true)
    await page.getByRole('button', { name: 'Yes, leave and delete from this device' }).click()

    // Back on the list, which still has the board, with the alert.
    const alert = page.getByRole('alert').filter({ hasText: LEAVE_UNFINISHED })
    await alert.waitFor({ timeout: 15_000 })
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    expect(await listed()).toBe(1)
    await expectNoAxeViolations(page, 'leaving a board on a full device')
    await screenshot(page, 'full-device-leave-360')

    // Still full: "Leave again" cannot, and the alert stays.
    const again = alert.getByRole('button', { name: 'Leave again' })
    await again.click()
    await expect.poll(() => again.isEnabled(), { timeout: 15_000 }).toBe(true)
    expect(await alert.count()).toBe(1)
    expect(await listed()).toBe(1)

    // Room again: the board is left, and stays left after Hearth starts again.
    await setFull(page, false)
    await again.click()
    await alert.waitFor({ state: 'detached', timeout: 15_000 })
    expect(await listed()).toBe(0)
    await page.reload()
    await page.getByLabel('Passphrase').fill('lanterns by the canal')
    await page.getByRole('button', { name: 'Unlock' }).click()
    await page.getByRole('link', { name: /Winter coats/ }).waitFor({ timeout: 30_000 })
    expect(await listed()).toBe(0)
    expect(unexpectedErrors(mina.errors)).toEqual([])
  })
})
