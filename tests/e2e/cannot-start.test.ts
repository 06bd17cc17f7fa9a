/**
 * When Hearth cannot start, the person is told why, in their language, and
 * offered what can help; nothing is deleted unless they wipe.
 *
 * - Leyla's browser refuses this site any storage (site data blocked in its
 *   settings): IndexedDB's open fails as Chromium's does then, and the
 *   origin-private file system is refused. Before, the page said "Opening…"
 *   for ever. Once she allows it, "Try again" starts Hearth.
 * - Ray's start fails for another reason (a database from a newer Hearth):
 *   "could not start", and "Try again".
 * - Sam's device lost Hearth's device file (the key everything kept is
 *   encrypted under): nothing kept can be read, and trying again cannot
 *   help. The panic wipe is there, and after it Hearth starts afresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fa } from '../../src/i18n/fa.ts'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer } from './support/browser.ts'
import { createBoard, unexpectedErrors } from './support/flows.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

let app: App

beforeAll(async () => {
  app = await startApp()
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/**
 * Storage refused, as Chromium refuses it to a site whose data is blocked:
 * IndexedDB's open request fails with UnknownError, the file system with
 * SecurityError. Lifted once the tab's `window.name` is "allowed" (it outlives
 * a reload of the tab, as the person's changed setting would).
 */
const REFUSE_STORAGE = `(() => {
  const allowed = () => window.name === 'allowed';
  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function (...args) {
    if (allowed()) return open.apply(this, args);
    const req = new EventTarget();
    Object.defineProperty(req, 'error', { value: new DOMException('The user denied permission to access the database.', 'UnknownError') });
    Object.defineProperty(req, 'result', { get() { throw new DOMException('The request has not finished.', 'InvalidStateError') } });
    setTimeout(() => { const e = new Event('error'); req.dispatchEvent(e); req.onerror?.(e) });
    return req;
  };
  const databases = IDBFactory.prototype.databases;
  IDBFactory.prototype.databases = function () {
    return allowed() ? databases.call(this) : Promise.reject(new DOMException('The user denied permission to access the database.', 'UnknownError'));
  };
  const getDirectory = StorageManager.prototype.getDirectory;
  StorageManager.prototype.getDirectory = function () {
    return allowed() ? getDirectory.call(this) : Promise.reject(new DOMException('Storage directory access is denied.', 'SecurityError'));
  };
})()`

describe('when Hearth cannot start', () => {
  it('says a browser that refuses storage is why, in Persian, right to left, and starts once storage is allowed', async () => {
    const leyla = await launchPeer('leyla', { viewport: { width: 360, height: 740 }, locale: 'fa', offlineCapable: false })
    await leyla.context.addInitScript(REFUSE_STORAGE)
    await leyla.page.goto(app.url)
    const alert = leyla.page.getByRole('alert')
    await alert.getByRole('heading', { level: 1, name: fa['app.storageTitle'] }).waitFor({ timeout: 30_000 })
    expect(await alert.textContent()).toContain(fa['app.storage'].slice(0, 40))
    expect(await leyla.page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['fa', 'rtl'])
    // Not "Opening…" for ever: the shell is gone. Nothing to wipe: the browser keeps nothing of Hearth's.
    expect(await leyla.page.getByTestId('shell').count()).toBe(0)
    expect(await leyla.page.getByRole('button').allTextContents()).toEqual([fa['app.retry']])
    await expectNoAxeViolations(leyla.page, 'storage refused, in Persian')
    await screenshot(leyla.page, 'cannot-start-storage-fa-360')

    // Still refused: "Try again" shows the same screen again.
    await leyla.page.getByRole('button', { name: fa['app.retry'] }).click()
    await alert.getByRole('heading', { level: 1, name: fa['app.storageTitle'] }).waitFor({ timeout: 30_000 })

    // She allows this site to keep data; "Try again" starts Hearth.
    await leyla.page.evaluate(() => (window.name = 'allowed'))
    await leyla.page.getByRole('button', { name: fa['app.retry'] }).click()
    await leyla.page.getByRole('heading', { level: 1, name: fa['boards.title'] }).waitFor({ timeout: 30_000 })
    expect(unexpectedErrors(leyla.errors)).toEqual([])
    await leyla.close()
  })

  it('says what a device whose device file is gone can do, and its panic wipe starts Hearth afresh', async () => {
    const sam = await launchPeer('sam', { viewport: { width: 360, height: 740 } })
    await sam.page.goto(app.url)
    await createBoard(sam.page, { name: 'Night shelter rota', displayName: 'Sam' })
    // The device file goes (the browser cleared part of the site's data, or a disk error).
    await sam.page.evaluate(async () => {
      const root = (await navigator.storage.getDirectory()) as unknown as { removeEntry(name: string): Promise<void> }
      await root.removeEntry('key')
    })
    await sam.page.reload()
    const alert = sam.page.getByRole('alert')
    await alert.getByRole('heading', { level: 1, name: 'Hearth’s data on this device cannot be opened' }).waitFor({ timeout: 30_000 })
    expect(await alert.textContent()).toContain('To use Hearth here again, wipe this device, then join your boards again with new invitations.')
    // Trying again cannot mend it: no "Try again". The wipe is there, with what it does.
    expect(await sam.page.getByRole('button', { name: 'Try again' }).count()).toBe(0)
    await sam.page.getByText('Deletes every board, key and setting on this device at once.').waitFor()
    const wipe = sam.page.getByRole('button', { name: 'Wipe now…' })
    await expectNoAxeViolations(sam.page, 'a device file that is gone')
    await screenshot(sam.page, 'cannot-start-damaged-360')
    // Nothing was deleted by the failed start: the board's database is still there.
    expect((await sam.page.evaluate(async () => (await indexedDB.databases()).length)) > 0).toBe(true)

    await wipe.click()
    const question = sam.page.getByRole('dialog', { name: 'Wipe everything on this device?' })
    await question.getByRole('button', { name: 'Wipe everything' }).click()
    await wipe.waitFor({ state: 'detached', timeout: 15_000 })
    await alert.getByRole('heading', { level: 1, name: 'Hearth’s data on this device cannot be opened' }).waitFor()
    expect(await sam.page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual([])

    await sam.page.reload()
    await sam.page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor({ timeout: 30_000 })
    await sam.page.getByText('No boards on this device yet.').waitFor()
    expect(unexpectedErrors(sam.errors)).toEqual([])
    await sam.close()
  })

  it('says plainly that Hearth could not start when the failure is neither, and starts on "Try again" once it passes', async () => {
    // The database is from a newer Hearth than the one this tab loaded (an update rolled back): VersionError, once.
    const ray = await launchPeer('ray', { viewport: { width: 360, height: 740 }, offlineCapable: false })
    await ray.context.addInitScript(`(() => {
      const open = IDBFactory.prototype.open;
      IDBFactory.prototype.open = function (...args) {
        if (window.name === 'passed') return open.apply(this, args);
        const req = new EventTarget();
        Object.defineProperty(req, 'error', { value: new DOMException('The requested version is less than the existing version.', 'VersionError') });
        setTimeout(() => { const e = new Event('error'); req.dispatchEvent(e); req.onerror?.(e) });
        return req;
      };
    })()`)
    await ray.page.goto(app.url)
    const alert = ray.page.getByRole('alert')
    await alert.getByRole('heading', { level: 1, name: 'Hearth could not start' }).waitFor({ timeout: 30_000 })
    expect(await alert.textContent()).toContain('Something went wrong while Hearth opened. Nothing was deleted. Try again.')
    // Not told to change the browser's settings, and nothing to wipe on a fresh device.
    expect(await ray.page.getByText('Hearth cannot keep its data in this browser').count()).toBe(0)
    expect(await ray.page.getByRole('button').allTextContents()).toEqual(['Try again'])
    await expectNoAxeViolations(ray.page, 'could not start')
    await ray.page.evaluate(() => (window.name = 'passed'))
    await ray.page.getByRole('button', { name: 'Try again' }).click()
    await ray.page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor({ timeout: 30_000 })
    expect(unexpectedErrors(ray.errors)).toEqual([])
    await ray.close()
  })
})
