/**
 * Removing a member shuts the door, on real devices. Alice founds a board;
 * Bob and Eve are let in and read the rota. Alice removes Eve: the board gets
 * new keys and a new meeting place. Eve's screen says she is no longer a
 * member. Alice posts where the circle meets now: Bob gets it; Eve's screen
 * never shows it, nothing her device holds can be decrypted into it with any
 * key her keyring has, and no file of her profile contains it.
 */
import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { boardIdOf, containsText, everythingReadable, leaveApp, readBoardRecord, readSealedDoc } from './support/device-data.ts'
import { STANDING, card, closeDialog, createBoard, memberRow, openMembers, postItem, readInviteLink, submitJoin, textOf, unexpectedErrors, waitForText } from './support/flows.ts'
import { scanProfile } from './support/profile-scan.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

const SYNC_MS = 45_000
const BOARD = { name: 'Night shelter volunteers', displayName: 'Alice' }
const ROTA = { kind: 'notice', title: 'March rota', body: 'Mondays Bob, Wednesdays Eve, Fridays Alice.' } as const
const AFTER = { kind: 'notice', title: 'We meet at the bakery now', body: 'Side door on Quay Lane, knock twice: marigold-5521.' } as const
/** Written in plain text into Eve's profile on purpose, to prove the scan finds plain text where it is. */
const CANARY = 'canary-plaintext-3f9b2e71'

let app: App
let alice: Peer
let bob: Peer
let eve: Peer

beforeAll(async () => {
  app = await startApp()
  ;[alice, bob, eve] = await Promise.all([
    launchPeer('alice-removal', { viewport: { width: 360, height: 740 } }),
    launchPeer('bob-removal', { viewport: { width: 360, height: 740 } }),
    launchPeer('eve-removal', { viewport: { width: 360, height: 740 }, keepProfile: true }),
  ])
})

afterAll(async () => {
  await closeAllPeers()
  if (eve) await rm(eve.profileDir, { recursive: true, force: true })
  await app?.close()
})

async function join(peer: Peer, name: string): Promise<void> {
  await peer.page.goto(await readInviteLink(alice.page))
  await submitJoin(peer.page, name)
  await card(peer.page, ROTA.title).waitFor({ timeout: SYNC_MS })
}

describe('removing a member', () => {
  it('Alice removes Eve from the board; Eve’s screen says she is no longer a member', async () => {
    await alice.page.goto(app.url)
    await createBoard(alice.page, BOARD)
    await postItem(alice.page, ROTA)
    await join(bob, 'Bob')
    await join(eve, 'Eve')

    const members = await openMembers(alice.page)
    await memberRow(members, 'Eve').getByRole('button', { name: 'Remove from the board' }).click()
    const confirm = members.getByRole('alertdialog', { name: 'Remove Eve?' })
    expect(await textOf(confirm)).toContain('All of Eve’s devices lose access. The board gets new keys and a new meeting place')
    await expectNoAxeViolations(alice.page, 'the question before removing Eve')
    await confirm.getByRole('button', { name: 'Remove from the board' }).click()
    await confirm.waitFor({ state: 'detached' })
    await waitForText(memberRow(members, 'Eve'), 'removed', SYNC_MS)
    await waitForText(members.getByTestId('history'), 'Eve was removed by Alice')
    await expectNoAxeViolations(alice.page, 'Members after a removal')
    await closeDialog(members)

    await eve.page.getByRole('heading', { level: 1, name: STANDING.removed }).waitFor({ timeout: SYNC_MS })
    await eve.page.getByTestId('removed').waitFor()
    expect(await textOf(eve.page.locator('main'))).not.toContain(ROTA.body)
    await expectNoAxeViolations(eve.page, 'the removed screen')
    await screenshot(eve.page, 'removal-eve')
  })

  it('Alice posts where the circle meets now: Bob gets it, and nothing of it reaches Eve — not her screen, not her device, not her disk', async () => {
    await postItem(alice.page, AFTER)
    // The post did go out: Bob, still a member, follows the board to its new keys and gets it.
    await card(bob.page, AFTER.title).waitFor({ timeout: SYNC_MS })
    expect(await textOf(card(bob.page, AFTER.title))).toContain(AFTER.body)
    // Eve's device stays online meanwhile, in the room it knew.
    await eve.page.waitForTimeout(5_000)
    const html = await eve.page.content()
    expect(html).not.toContain(AFTER.title)
    expect(html).not.toContain(AFTER.body)

    // Everything Eve's device holds, opened with every key her keyring has, whatever her app decided.
    const boardId = boardIdOf(eve.page)
    await leaveApp(eve.page, app.url)
    const record = await readBoardRecord(eve.page, boardId)
    const readable = await everythingReadable(await readSealedDoc(eve.page, boardId), record)
    expect(containsText(readable, ROTA.body), 'what Eve could read before her removal decrypts').toBe(true)
    expect(containsText(readable, AFTER.title)).toBe(false)
    expect(containsText(readable, AFTER.body)).toBe(false)

    // Her phone is taken and searched: no file of the profile holds the post's text.
    await eve.page.evaluate((canary) => localStorage.setItem('e2e-canary', canary), CANARY)
    await eve.close()
    const scan = await scanProfile(eve.profileDir, [AFTER.title, AFTER.body, 'marigold-5521', CANARY])
    console.log(`[measure] removed member's profile scan: ${scan.files} files, ${(scan.bytes / 1024 / 1024).toFixed(1)} MiB`)
    expect(scan.hits.filter((h) => h.startsWith(CANARY)), 'the scan finds plain text the profile does hold').not.toEqual([])
    expect(scan.hits.filter((h) => !h.startsWith(CANARY))).toEqual([])
  })

  it('no device logged an unexpected error', () => {
    for (const peer of [alice, bob, eve]) expect(unexpectedErrors(peer.errors), peer.name).toEqual([])
  })
})
