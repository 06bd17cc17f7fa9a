/**
 * The duress passphrase. Alice protects Hearth with a passphrase from the
 * first minute, keeps a board, and sets a second passphrase for when someone
 * makes her unlock. Her phone is taken; she is told to open it and types the
 * duress passphrase. What appears is a new, empty Hearth asking for a
 * passphrase — the same screen Carol's brand-new install shows — and no word
 * says that anything was wiped. Afterwards her profile decrypts nothing, with
 * either passphrase and every key found in it (tests/e2e/forensic/attacker.ts),
 * and what Hearth keeps in it is, in kind, what Carol's fresh install keeps.
 */
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { createBoard, openSettings, postItem, unexpectedErrors } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'
import { attack } from './forensic/attacker.ts'

const BOARD = 'Secret Garden Collective'
const MEMBER = 'Alice Wren'
const NOTICE = { kind: 'notice', title: 'Lilac gate after dark', body: 'Meet behind the lilac gate at dusk; the word is thistle-4471-quartz.' } as const
const PASSPHRASE = 'moths circle the porch lamp'
const DURESS = 'the kettle is always on'
const NEEDLES = [BOARD, MEMBER, NOTICE.title, 'thistle-4471-quartz']

let app: App

beforeAll(async () => {
  app = await startApp()
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/** What Hearth keeps in a profile, in kind: databases and their stores, files of the origin-private file system, storage keys, workers, caches. */
async function kinds(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = []
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name!)
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      out.push(`indexedDB ${name} [${Array.from(db.objectStoreNames).join(', ')}]`)
      db.close()
    }
    const root = await (navigator.storage as unknown as { getDirectory(): Promise<{ keys(): AsyncIterable<string> }> }).getDirectory()
    for await (const name of root.keys()) out.push(`file ${name}`)
    for (const key of Object.keys(localStorage)) out.push(`localStorage ${key}`)
    for (const key of Object.keys(sessionStorage)) out.push(`sessionStorage ${key}`)
    for (const r of await navigator.serviceWorker.getRegistrations()) out.push(`service worker ${new URL(r.scope).pathname}`)
    for (const key of await caches.keys()) out.push(`cache ${key.replace(/[0-9a-f]{8,}/g, '#')}`)
    return out.sort()
  })
}

/** The app as its icon opens it, once its service worker has settled. */
async function start(peer: Peer): Promise<Page> {
  const page = await peer.reopen()
  await page.goto(app.url)
  await page.waitForFunction(async () => (await navigator.serviceWorker.ready) !== null)
  return page
}

describe('the duress passphrase', () => {
  it('typed on the lock screen, it wipes everything without a word and shows a first run like a new install’s; the profile decrypts nothing', { timeout: 300_000 }, async () => {
    const alice = await launchPeer('alice-duress', { keepProfile: true })
    let page = alice.page
    await page.goto(app.url)
    await page.getByLabel('Choose a passphrase').fill(PASSPHRASE)
    await page.getByLabel('Type it again').fill(PASSPHRASE)
    await page.getByRole('button', { name: 'Set passphrase' }).click()
    await page.getByRole('status').filter({ hasText: 'Passphrase set.' }).waitFor()
    await createBoard(page, { name: BOARD, displayName: MEMBER })
    await postItem(page, NOTICE)

    await openSettings(page)
    await page.getByLabel('Duress passphrase', { exact: true }).fill(PASSPHRASE)
    await page.getByLabel('Type the duress passphrase again').fill(PASSPHRASE)
    await page.getByRole('button', { name: 'Set duress passphrase' }).click()
    await page.getByRole('alert').filter({ hasText: 'It must differ from your passphrase.' }).waitFor()
    await page.getByLabel('Duress passphrase', { exact: true }).fill(DURESS)
    await page.getByLabel('Type the duress passphrase again').fill(DURESS)
    await page.getByRole('button', { name: 'Set duress passphrase' }).click()
    await page.getByRole('status').filter({ hasText: 'Duress passphrase saved.' }).waitFor()

    // The phone is taken while Hearth is closed; she is made to open it.
    page = await start(alice)
    await page.getByRole('heading', { level: 1, name: 'Locked' }).waitFor()
    const lockScreen = await page.evaluate(() => document.body.innerText)
    expect(lockScreen).not.toMatch(/duress|wipe/i)
    await page.getByLabel('Passphrase').fill(DURESS)
    await page.getByRole('button', { name: 'Unlock' }).click()
    await page.getByRole('heading', { name: 'Protect Hearth with a passphrase' }).waitFor()
    await page.getByText('No boards on this device yet.').waitFor()
    const shown = await page.evaluate(() => document.body.innerText)
    for (const needle of NEEDLES) expect(shown).not.toContain(needle)
    expect(shown).not.toMatch(/wiped|erased|deleted|duress/i)
    expect(unexpectedErrors(alice.errors)).toEqual([])

    // The same screen and, after a restart, the same kinds of stored things as Carol's new install.
    page = await start(alice)
    await page.getByRole('heading', { name: 'Protect Hearth with a passphrase' }).waitFor()
    const afterDuress = await kinds(page)
    await alice.close()
    const carol = await launchPeer('carol-fresh')
    let fresh = carol.page
    await fresh.goto(app.url)
    await fresh.getByRole('heading', { name: 'Protect Hearth with a passphrase' }).waitFor()
    fresh = await start(carol)
    await fresh.getByRole('heading', { name: 'Protect Hearth with a passphrase' }).waitFor()
    const freshInstall = await kinds(fresh)
    console.log(`[measure] duress: what Hearth keeps afterwards: ${afterDuress.join('; ')}`)
    expect(afterDuress).toEqual(freshInstall)
    expect(await fresh.evaluate(() => document.body.innerText)).toBe(shown)
    await carol.close()

    // The lab: every key found, both passphrases, every copy LevelDB keeps.
    const found = await attack(alice.profileDir, { passphrases: [PASSPHRASE, DURESS], needles: NEEDLES })
    console.log(`[measure] duress, profile afterwards: ${found.files} files; ${found.blobs} keyring copies and ${found.records} records still on disk, ${found.keyCandidates} keys tried; opened ${found.keyrings.length} keyrings, ${found.recordsOpened} records`)
    expect(found.keyrings).toEqual([])
    expect(found.recordsOpened).toBe(0)
    expect(found.plainHits).toEqual([])
    await rm(alice.profileDir, { recursive: true, force: true })
  })
})
