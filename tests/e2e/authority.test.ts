/**
 * Only a post's owner edits it; its owner or a moderator removes it; only
 * moderators pin. Alice founds a board (the founder moderates) and posts; Bob
 * joins. Bob's app offers him nothing that changes Alice's post. As the
 * board's moderator, Alice removes a post of Bob's: both see where it was
 * and who removed it. Then Bob acts as an informant with devtools would: he
 * takes his device keys and the board's key out of his own phone, crafts a
 * validly signed, encrypted change that rewrites Alice's post, and slips it
 * into his app's database. His own app refuses it, WebRTC carries it to
 * Alice, her app refuses it and names him; her post stays as she wrote it.
 * Last, Alice makes Bob a moderator (he may pin her post), is asked before
 * she could make him a founder, and makes him a member again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { appendSealedUpdate, boardIdOf, entryUpdate, leaveApp, readBoardRecord, readSealedDoc } from './support/device-data.ts'
import { STATUS, card, closeDialog, createBoard, memberRow, openDetail, openMembers, postItem, readInviteLink, submitJoin, syncStatus, textOf, unexpectedErrors, waitForText } from './support/flows.ts'
import { forgeEdit } from './support/informant.ts'
import { startApp, type App } from './support/server.ts'

const SYNC_MS = 45_000
const BOARD = { name: 'Harbour street circle', displayName: 'Alice' }
const ALICES = { kind: 'notice', title: 'Safe meeting moved to the library', body: 'Back room, Thursday at 7. Ask for Samir.' } as const
const BOBS = { kind: 'notice', title: 'Selling cheap phones', body: 'Message me, no questions asked.' } as const
const BOBS_OWN = { kind: 'notice', title: 'Rides on Saturday', body: 'Two seats to the clinic.' } as const
const FORGED = { title: 'Meeting cancelled', body: 'Stay home on Thursday, it is not safe.' }

let app: App
let alice: Peer
let bob: Peer

beforeAll(async () => {
  app = await startApp()
  ;[alice, bob] = await Promise.all([
    launchPeer('alice-authority', { viewport: { width: 360, height: 740 } }),
    launchPeer('bob-authority', { viewport: { width: 360, height: 740 } }),
  ])
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/** The actions the post's detail view offers, by their names. */
async function offered(page: Peer['page'], title: string): Promise<string[]> {
  const view = await openDetail(page, title)
  const actions = (await view.locator('.detail-actions button').allTextContents()).map((t) => t.trim())
  await closeDialog(view)
  return actions
}

describe('who may change a post', () => {
  it('Bob is offered nothing that changes Alice’s post; on his own he may edit and delete, and only Alice pins', async () => {
    await alice.page.goto(app.url)
    await createBoard(alice.page, BOARD)
    await postItem(alice.page, ALICES)
    const invite = await readInviteLink(alice.page)
    await bob.page.goto(invite)
    await submitJoin(bob.page, 'Bob')
    await card(bob.page, ALICES.title).waitFor({ timeout: SYNC_MS })
    await postItem(bob.page, BOBS_OWN)
    await card(alice.page, BOBS_OWN.title).waitFor({ timeout: SYNC_MS })

    expect(await offered(bob.page, ALICES.title)).toEqual([])
    expect(await offered(bob.page, BOBS_OWN.title)).toEqual(['Edit', 'Delete'])
    expect(await offered(alice.page, ALICES.title)).toEqual(['Edit', 'Pin', 'Delete'])
    // The founder moderates Bob's post: pin or remove it, never rewrite it.
    expect(await offered(alice.page, BOBS_OWN.title)).toEqual(['Pin', 'Delete'])
  })

  it('Alice, moderating, removes a post of Bob’s: both see where it was and who removed it, and Bob no longer sees it', async () => {
    await postItem(bob.page, BOBS)
    await card(alice.page, BOBS.title).waitFor({ timeout: SYNC_MS })
    const view = await openDetail(alice.page, BOBS.title)
    await view.getByRole('button', { name: 'Delete', exact: true }).click()
    const confirm = alice.page.getByRole('dialog', { name: 'Delete this post?' })
    await confirm.waitFor()
    expect(await textOf(confirm.getByTestId('moderator-removal'))).toBe('You are removing another member’s post as a moderator. Every member will see that you removed it.')
    await expectNoAxeViolations(alice.page, 'removing another member’s post')
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click()
    await confirm.waitFor({ state: 'detached' })

    for (const peer of [alice, bob]) {
      await card(peer.page, BOBS.title).waitFor({ state: 'detached', timeout: SYNC_MS })
      const trace = peer.page.getByTestId('removal-trace')
      await waitForText(trace, /^A post by Bob was removed by Alice, moderator, /, SYNC_MS)
      expect(await trace.count()).toBe(1)
      expect(await textOf(peer.page.locator('main'))).not.toContain(BOBS.body)
    }
    await expectNoAxeViolations(bob.page, 'a board with a removal trace')
    // The rest of Bob's posts are untouched.
    await card(bob.page, BOBS_OWN.title).waitFor()
  })

  it('a change Bob crafts outside his app to rewrite Alice’s post is refused by his own app and by Alice’s, which names him', async () => {
    const boardId = await boardIdOf(bob.page)
    // Bob's app is closed; his phone's database and keyring are open to him.
    await leaveApp(bob.page, app.url)
    const record = await readBoardRecord(bob.page, boardId)
    const sealed = await readSealedDoc(bob.page, boardId)
    const forged = await forgeEdit(record, sealed, ALICES.title, FORGED)
    await appendSealedUpdate(bob.page, boardId, entryUpdate(sealed, forged.key, forged.bytes))
    expect((await readSealedDoc(bob.page, boardId)).getMap('entries').has(forged.key)).toBe(true)

    // Bob opens his app again: it loads the crafted entry from disk, refuses it, and syncs it on.
    await bob.page.goto(`${app.url}#/board/${boardId}`)
    await card(bob.page, ALICES.title).waitFor()
    await waitForText(syncStatus(bob.page), STATUS.synced1, SYNC_MS)
    const bobs = await openMembers(bob.page)
    await waitForText(bobs.getByTestId('diagnostics-events'), 'Tried to change what only its owner or a moderator may change · signed by Bob', SYNC_MS)
    await closeDialog(bobs)

    // It reached Alice's device (WebRTC carries every entry), and her app refused it too.
    await expect.poll(async () => (await readSealedDoc(alice.page, boardId)).getMap('entries').has(forged.key), { timeout: SYNC_MS }).toBe(true)
    await alice.page.getByRole('img', { name: 'Some changes were rejected' }).waitFor({ timeout: SYNC_MS })
    const members = await openMembers(alice.page)
    const events = members.getByTestId('diagnostics-events')
    await waitForText(events, 'Tried to change what only its owner or a moderator may change · signed by Bob', SYNC_MS)
    expect(await textOf(members.getByTestId('diagnostics-counts'))).toMatch(/^Tried to change what only its owner or a moderator may change 1$/)
    await expectNoAxeViolations(alice.page, 'Diagnostics naming Bob')
    await closeDialog(members)

    // Alice's post is as she wrote it, on both screens.
    for (const peer of [alice, bob]) {
      const shown = await textOf(card(peer.page, ALICES.title))
      expect(shown).toContain(ALICES.body)
      expect(shown).toContain('Posted by Alice')
      expect(await textOf(peer.page.locator('main'))).not.toContain(FORGED.title)
      expect(await textOf(peer.page.locator('main'))).not.toContain(FORGED.body)
    }
  })

  it('Alice makes Bob a moderator: he may pin her post; "Make founder" asks first and Cancel changes nothing; a member again, he may not pin', async () => {
    const alices = await openMembers(alice.page)
    const bobsRow = memberRow(alices, 'Bob')
    await bobsRow.getByRole('button', { name: 'Make moderator' }).click()
    await waitForText(bobsRow.locator('.badge').first(), 'moderator', SYNC_MS)
    await waitForText(alices.getByTestId('history').locator('li').first(), 'Alice made Bob moderator', SYNC_MS)

    // Handing over everything takes a second, deliberate tap: the question says what it gives, and opens on Cancel.
    const makeFounder = bobsRow.getByRole('button', { name: 'Make founder' })
    await makeFounder.click()
    const question = alices.getByRole('alertdialog', { name: 'Make Bob a founder?' })
    await question.waitFor()
    expect(await textOf(question.locator('#confirm-body'))).toBe('Bob will be able to do everything you can, for as long as they are a founder: remove members, name moderators and founders, and take the founder’s role away from anyone, you included.')
    expect(await alice.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancel')
    // It sits under Bob's row, where Alice tapped, not below the whole list.
    expect(await bobsRow.getByRole('alertdialog').count()).toBe(1)
    await expectNoAxeViolations(alice.page, 'asked before making a founder')
    await alice.page.keyboard.press('Enter')
    await question.waitFor({ state: 'detached' })
    expect(await alice.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Make founder')
    expect(await textOf(bobsRow.locator('.badge').first())).toBe('moderator')
    await closeDialog(alices)

    // Bob's device heard it: as a moderator he may pin Alice's post, never rewrite it.
    const bobs = await openMembers(bob.page)
    await waitForText(memberRow(bobs, 'Bob').locator('.badge').first(), 'moderator', SYNC_MS)
    await closeDialog(bobs)
    expect(await offered(bob.page, ALICES.title)).toEqual(['Pin', 'Delete'])
    const view = await openDetail(bob.page, ALICES.title)
    await view.getByRole('button', { name: 'Pin', exact: true }).click()
    await view.getByRole('button', { name: 'Unpin', exact: true }).waitFor()
    await closeDialog(view)
    await card(alice.page, ALICES.title).getByText('Pinned').waitFor({ timeout: SYNC_MS })

    // A member again: Bob's app offers him nothing on Alice's post, and his pin stays.
    const again = await openMembers(alice.page)
    await memberRow(again, 'Bob').getByRole('button', { name: 'Make member' }).click()
    await waitForText(memberRow(again, 'Bob').locator('.badge').first(), 'member', SYNC_MS)
    await closeDialog(again)
    const bobsAgain = await openMembers(bob.page)
    await waitForText(memberRow(bobsAgain, 'Bob').locator('.badge').first(), 'member', SYNC_MS)
    await closeDialog(bobsAgain)
    expect(await offered(bob.page, ALICES.title)).toEqual([])
    await card(bob.page, ALICES.title).getByText('Pinned').waitFor()
  })

  it('neither device logged an unexpected error', () => {
    expect(unexpectedErrors(alice.errors)).toEqual([])
    // Bob's tab on /config.json is a JSON document: nothing of the app ran there.
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })
})
