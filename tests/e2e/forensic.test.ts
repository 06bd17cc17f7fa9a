/**
 * The seized phone, examined the way a forensic lab examines a browser
 * profile. Alice uses Hearth — in device mode or with a passphrase, on a quiet
 * profile (one board, one notice: LevelDB has had no reason to compact, so
 * deleted records sit in its files) or a busy one (two boards, many posts and
 * edits, a board left, several restarts) — then wipes. The profile is taken
 * apart file by file (tests/e2e/forensic/attacker.ts: every LevelDB log and
 * table, deleted entries and snappy blocks included) and everything found is
 * tried as a key against everything found, with her passphrase too.
 *
 * The same attack on a copy of the profile taken just before the wipe opens
 * her keyring and her board's records: it would find what is there. After the
 * wipe — and after the browser restarts on the wiped profile — it opens
 * nothing, and none of her board's words is anywhere in plain text.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { createBoard, goHome, openMenu, postItem, unexpectedErrors, editItem } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'
import { attack } from './forensic/attacker.ts'

const BOARD = 'Secret Garden Collective'
const MEMBER = 'Alice Wren'
const NOTICE = { kind: 'notice', title: 'Lilac gate after dark', body: 'Meet behind the lilac gate at dusk; the word is thistle-4471-quartz.' } as const
const PASSPHRASE = 'moths circle the porch lamp'
/** What must not come back. */
const NEEDLES = [BOARD, MEMBER, NOTICE.title, 'thistle-4471-quartz', 'Kitchen rota']

let app: App
const copies: string[] = []

beforeAll(async () => {
  app = await startApp()
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
  for (const dir of copies) await rm(dir, { recursive: true, force: true })
})

/** A copy of the profile as it is on disk now (the browser must be closed). */
async function copyOf(peer: Peer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `hearth-e2e-copy-${peer.name}-`))
  copies.push(dir)
  await cp(peer.profileDir, dir, { recursive: true })
  return dir
}

/** The phone restarts the app: unlock if need be, then the list of boards. */
async function restart(peer: Peer, mode: 'device' | 'passphrase'): Promise<Page> {
  const page = await peer.reopen()
  // From its icon: the start page, not the board it showed last.
  await page.goto(app.url)
  if (mode === 'passphrase') {
    await page.getByRole('heading', { level: 1, name: 'Locked' }).waitFor()
    await page.getByLabel('Passphrase').fill(PASSPHRASE)
    await page.getByRole('button', { name: 'Unlock' }).click()
  }
  await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
  return page
}

async function leaveBoard(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name: new RegExp(name) }).click()
  await page.getByRole('heading', { level: 1, name }).waitFor()
  await (await openMenu(page)).getByRole('button', { name: 'Board settings' }).click()
  const dialog = page.getByRole('dialog', { name: 'Board settings' })
  await dialog.getByRole('button', { name: 'Leave this board' }).click()
  await page.getByRole('button', { name: 'Yes, leave and delete from this device' }).click()
  await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
}

/** A busier life: a second board, many posts and edits, restarts, a board left. */
async function busyDays(peer: Peer, mode: 'device' | 'passphrase'): Promise<Page> {
  let page = peer.page
  await goHome(page)
  await createBoard(page, { name: 'Kitchen rota', displayName: 'Alice' })
  for (let i = 0; i < 8; i++) await postItem(page, { kind: 'notice', title: `Rota week ${i}`, body: `Cooking on day ${i}: ${'soup and bread, '.repeat(40)}` })
  for (let day = 0; day < 3; day++) {
    page = await restart(peer, mode)
    await page.getByRole('link', { name: new RegExp(BOARD) }).click()
    await page.getByRole('heading', { level: 1, name: BOARD }).waitFor()
    for (let i = 0; i < 4; i++) await postItem(page, { kind: 'notice', title: `Day ${day} note ${i}`, body: `${'Bring blankets and tea. '.repeat(30)}${day}-${i}` })
    await editItem(page, `Day ${day} note 0`, { Title: `Day ${day} note 0 (moved)` })
    await goHome(page)
  }
  await leaveBoard(page, 'Kitchen rota')
  return page
}

async function wipeFromMenu(page: Page): Promise<void> {
  await (await openMenu(page)).getByRole('button', { name: 'Wipe now…' }).click()
  await page.getByRole('dialog', { name: 'Wipe everything on this device?' }).getByRole('button', { name: 'Wipe everything' }).click()
  await page.getByText('No boards on this device yet.').waitFor()
}

describe('forensics after a panic wipe', () => {
  for (const mode of ['device', 'passphrase'] as const) {
    for (const life of ['quiet', 'busy'] as const) {
      it(`${mode} mode, ${life} profile: the copy from before the wipe opens; after the wipe, and after a restart, nothing does`, { timeout: 600_000 }, async () => {
        const alice = await launchPeer(`forensic-${mode}-${life}`, { keepProfile: true })
        let page = alice.page
        await page.goto(app.url)
        await page.getByRole('heading', { name: 'Protect Hearth with a passphrase' }).waitFor()
        if (mode === 'passphrase') {
          await page.getByLabel('Choose a passphrase').fill(PASSPHRASE)
          await page.getByLabel('Type it again').fill(PASSPHRASE)
          await page.getByRole('button', { name: 'Set passphrase' }).click()
          await page.getByRole('status').filter({ hasText: 'Passphrase set.' }).waitFor()
        } else await page.getByRole('button', { name: 'Not now' }).click()
        await createBoard(page, { name: BOARD, displayName: MEMBER })
        await postItem(page, NOTICE)
        // A restart: what was written is flushed from LevelDB's log into its tables.
        await restart(alice, mode)
        if (life === 'busy') await busyDays(alice, mode)
        await alice.context.close()
        const before = await copyOf(alice)

        page = await alice.reopen()
        if (mode === 'passphrase') await page.getByRole('heading', { level: 1, name: 'Locked' }).waitFor()
        else await page.getByRole('heading', { level: 1 }).getByText(BOARD).or(page.getByRole('heading', { level: 1, name: 'Your boards' })).waitFor()
        await wipeFromMenu(page)
        // Let the service worker's unregistration finish before the browser closes.
        await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistrations()).length === 0)
        await alice.context.close()
        const afterWipe = await copyOf(alice)
        // The browser starts again on the wiped profile (LevelDB may compact now); Hearth starts as a fresh install.
        page = await alice.reopen()
        await page.getByRole('heading', { name: 'Protect Hearth with a passphrase' }).waitFor()
        await alice.close()

        const passphrases = [PASSPHRASE]
        const control = await attack(before, { passphrases, needles: NEEDLES })
        console.log(`[measure] forensic ${mode}/${life}, copy before the wipe: ${control.files} files, ${(control.bytes / 1048576).toFixed(1)} MiB; ${control.blobs} keyring copies, ${control.records} records, ${control.keyCandidates} keys tried; opened ${control.keyrings.length} keyrings, ${control.recordsOpened} records`)
        expect(control.keyrings.length, 'the attack opens the keyring before the wipe').toBeGreaterThan(0)
        expect(control.keyrings.some((k) => k.includes(BOARD) && k.includes(MEMBER))).toBe(true)
        expect(control.recordsOpened, 'the attack opens board records before the wipe').toBeGreaterThan(0)

        for (const [when, dir] of [
          ['after the wipe', afterWipe],
          ['after the wipe and a restart', alice.profileDir],
        ] as const) {
          const found = await attack(dir, { passphrases, needles: NEEDLES })
          console.log(`[measure] forensic ${mode}/${life}, ${when}: ${found.files} files, ${(found.bytes / 1048576).toFixed(1)} MiB; ${found.blobs} keyring copies and ${found.records} records still on disk, ${found.keyCandidates} keys tried; opened ${found.keyrings.length} keyrings, ${found.recordsOpened} records`)
          expect(found.keyrings, `no keyring opens ${when}`).toEqual([])
          expect(found.recordsOpened, `no record opens ${when}`).toBe(0)
          expect(found.plainHits, `no plain text ${when}`).toEqual([])
        }
        expect(unexpectedErrors(alice.errors)).toEqual([])
        await rm(alice.profileDir, { recursive: true, force: true })
      })
    }
  }
})
