/**
 * Text edited away leaves the stored history, not only the screen. Bob, a
 * member, posts where he can give out food tonight, then edits the address
 * out. Right after, the old text is still in the encrypted entries on both
 * phones (the edit is a change on top of the post). Once Bob's app has been
 * quiet for 10 s it writes his history again without it, and sends that to
 * Alice: then neither device holds the address in any entry it can decrypt,
 * with every key its keyring has — what an informant with Alice's unlocked
 * phone, or a lab with both, would read — and both still show the post as
 * edited. Then he edits a second address out and puts his phone away at
 * once (the app closes before it is quiet): the address stays until he opens
 * the board again, and leaves 10 s later. Last, Alice, moderating, takes down
 * a post of his with a third address, and his phone is put away as soon as
 * it shows the post gone: with Alice away, his stored history still holds
 * it until he opens the board again, then not 10 s later (it used to wait
 * for his next edit). Alice, who founded the board (its name is her first
 * entry) and then made the invitation, edits an address out of a post of
 * hers: it leaves both phones too (her posts since the invitation are
 * written again apart from her first; what she posted before it could
 * stay, see THREAT_MODEL.md). Then she pins Bob's post, and an address she
 * edits out of a post of hers after that leaves both phones as well (her pin
 * is written inside his post; her device's rewrite brings his post in).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BoardId } from '../../src/crypto/index.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { boardIdOf, containsText, contentKeysOf, entriesIn, everythingReadable, leaveApp, openableRecords, readBoardRecord, readSealedDoc } from './support/device-data.ts'
import { attack, contentKeysFound } from './forensic/attacker.ts'
import { STATUS, card, closeDialog, createBoard, editItem, openDetail, postItem, readInviteLink, submitJoin, syncStatus, textOf, unexpectedErrors, until, waitForText } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'

const SYNC_MS = 45_000
/** The app's quiet time before it compacts (10 s), with room for a slow machine and the sync after. */
const ERASED_MS = 120_000
const BOARD = { name: 'Harbour mutual aid', displayName: 'Alice' }
const ADDRESS = '14 Elm Street, back door'
const POST = { kind: 'notice', title: 'Food to give out tonight', body: `${ADDRESS}. Knock twice.` } as const
const EDITED = 'Message Bob for the place.'
const SECOND = '3 Mill Lane, side gate'
const THIRD = '8 Quay Road, blue door'
const TAKEN = { kind: 'notice', title: 'Spare keys', body: `Under the mat at ${THIRD}.` } as const
const FOURTH = '21 Canal Walk, yard gate'
const ALICES = { kind: 'notice', title: 'Coats to hand out', body: `At ${FOURTH} from six.` } as const
const ALICES_EDIT = 'Ask Alice for the place.'
const FIFTH = '5 Ropewalk, green door'
const AFTER_PIN = { kind: 'notice', title: 'Blankets on Sunday', body: `Bring them to ${FIFTH}.` } as const
const AFTER_PIN_EDIT = 'Ask Alice where to bring them.'

let app: App
let alice: Peer
let bob: Peer

beforeAll(async () => {
  app = await startApp()
  ;[alice, bob] = await Promise.all([launchPeer('alice-erasure'), launchPeer('bob-erasure', { viewport: { width: 360, height: 740 } })])
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/** Whether `peer`'s stored board holds `text` in any entry it can decrypt, whatever its app decided. */
async function holds(peer: Peer, text: string, boardId?: BoardId): Promise<boolean> {
  boardId ??= await boardIdOf(peer.page)
  const record = await readBoardRecord(peer.page, boardId)
  return containsText(await everythingReadable(await readSealedDoc(peer.page, boardId), record), text)
}

/**
 * Whether any record of `peer`'s database that opens with its keyring holds
 * `text` in an entry it can decrypt: not only what the board's state still
 * has, but what records written before a compaction kept of what it dropped.
 */
async function storedAnywhere(peer: Peer, text: string, boardId?: BoardId): Promise<boolean> {
  boardId ??= await boardIdOf(peer.page)
  const record = await readBoardRecord(peer.page, boardId)
  return containsText(await entriesIn(await openableRecords(peer.page, boardId), contentKeysOf(record)), text)
}

describe('an address edited out of a post', () => {
  it('leaves the encrypted history on both phones once Bob’s app has been quiet, and the post stays as edited', async () => {
    await alice.page.goto(app.url)
    await createBoard(alice.page, BOARD)
    await bob.page.goto(await readInviteLink(alice.page))
    await submitJoin(bob.page, 'Bob')
    await waitForText(syncStatus(bob.page), STATUS.synced1, SYNC_MS)
    await postItem(bob.page, POST)
    await card(alice.page, POST.title).waitFor({ timeout: SYNC_MS })

    await editItem(bob.page, POST.title, { Text: EDITED })
    await waitForText(card(alice.page, POST.title), EDITED, SYNC_MS)
    // Right after the edit, the old text is still in the entries on both phones: the check below can see it.
    expect(await holds(alice, ADDRESS), 'Alice’s entries right after the edit').toBe(true)
    expect(await holds(bob, ADDRESS), 'Bob’s entries right after the edit').toBe(true)

    // The records that brought the post and the edit still hold it; they are written again under a new key.
    expect(await storedAnywhere(alice, ADDRESS), 'Alice’s records right after the edit').toBe(true)
    await until(async () => !(await holds(alice, ADDRESS)) && !(await holds(bob, ADDRESS)), 'the address gone from both phones’ entries', ERASED_MS, 2_000)
    await until(async () => !(await storedAnywhere(alice, ADDRESS)) && !(await storedAnywhere(bob, ADDRESS)), 'the address gone from both phones’ records', SYNC_MS, 1_000)
    for (const peer of [alice, bob]) {
      expect(await storedAnywhere(peer, EDITED), 'the edited text is in the records').toBe(true)
      expect(await holds(peer, EDITED), 'the edited text is kept').toBe(true)
      expect(await holds(peer, POST.title)).toBe(true)
      const shown = await textOf(card(peer.page, POST.title))
      expect(shown).toContain(EDITED)
      expect(shown).not.toContain(ADDRESS)
    }
    // Nothing refused on either device: the rewritten history is Alice's own, judged like any entry.
    for (const peer of [alice, bob]) expect(await peer.page.getByRole('img', { name: 'Some changes were rejected' }).count()).toBe(0)
  }, 240_000)

  it('an address edited out just before the app closes leaves the history 10 s after the board opens again', async () => {
    const boardId = await boardIdOf(bob.page)
    await editItem(bob.page, POST.title, { Text: `Now at ${SECOND}. ${EDITED}` })
    await editItem(bob.page, POST.title, { Text: EDITED })
    // Put away at once: the app closes before it has been quiet, and his entries still hold the address.
    await leaveApp(bob.page, app.url)
    expect(await holds(bob, SECOND, boardId), 'Bob’s entries once his app is closed').toBe(true)
    await bob.page.goto(`${app.url}#/board/${boardId}`)
    await card(bob.page, POST.title).waitFor({ timeout: SYNC_MS })
    await waitForText(syncStatus(bob.page), STATUS.synced1, SYNC_MS)
    await until(async () => !(await holds(alice, SECOND)) && !(await holds(bob, SECOND)), 'the second address gone from both phones’ entries', ERASED_MS, 2_000)
    for (const peer of [alice, bob]) {
      expect(await holds(peer, EDITED)).toBe(true)
      await waitForText(card(peer.page, POST.title), EDITED, SYNC_MS)
      expect(await textOf(card(peer.page, POST.title))).not.toContain(SECOND)
    }
  }, 240_000)

  it('a post Alice takes down just before Bob’s app closes leaves his history 10 s after the board opens again, with Alice away', async () => {
    const boardId = await boardIdOf(bob.page)
    await postItem(bob.page, TAKEN)
    await card(alice.page, TAKEN.title).waitFor({ timeout: SYNC_MS })
    const view = await openDetail(alice.page, TAKEN.title)
    await view.getByRole('button', { name: 'Delete', exact: true }).click()
    const confirm = alice.page.getByRole('dialog', { name: 'Delete this post?' })
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click()
    await card(bob.page, TAKEN.title).waitFor({ state: 'detached', timeout: SYNC_MS })
    // A moment for his device to store what it heard, well inside the 10 s; then both apps close.
    await bob.page.waitForTimeout(1_000)
    await leaveApp(bob.page, app.url)
    await leaveApp(alice.page, app.url)
    expect(await holds(bob, THIRD, boardId), 'Bob’s entries once his app is closed').toBe(true)
    // Only his own device knows of the takedown now: the fold comes from what it stored.
    await bob.page.goto(`${app.url}#/board/${boardId}`)
    await card(bob.page, POST.title).waitFor({ timeout: SYNC_MS })
    expect(await card(bob.page, TAKEN.title).count()).toBe(0)
    await until(async () => !(await holds(bob, THIRD, boardId)), 'the third address gone from Bob’s entries', ERASED_MS, 2_000)
    expect(await holds(bob, POST.title, boardId)).toBe(true)
    // Alice comes back and is sent the history without it.
    await alice.page.goto(`${app.url}#/board/${boardId}`)
    await card(alice.page, POST.title).waitFor({ timeout: SYNC_MS })
    await until(async () => !(await holds(alice, THIRD, boardId)), 'the third address gone from Alice’s entries', ERASED_MS, 2_000)
    for (const peer of [alice, bob]) expect(await peer.page.getByRole('img', { name: 'Some changes were rejected' }).count()).toBe(0)
  }, 240_000)

  it('an address Alice, the founder, edits out of her post after she made the invitation leaves both phones once her app has been quiet', async () => {
    const boardId = await boardIdOf(alice.page)
    await postItem(alice.page, ALICES)
    await card(bob.page, ALICES.title).waitFor({ timeout: SYNC_MS })
    await editItem(alice.page, ALICES.title, { Text: ALICES_EDIT })
    await waitForText(card(bob.page, ALICES.title), ALICES_EDIT, SYNC_MS)
    expect(await holds(alice, FOURTH, boardId), 'Alice’s entries right after the edit').toBe(true)
    await until(async () => !(await holds(alice, FOURTH, boardId)) && !(await holds(bob, FOURTH, boardId)), 'the fourth address gone from both phones’ entries', ERASED_MS, 2_000)
    for (const peer of [alice, bob]) {
      expect(await holds(peer, ALICES_EDIT, boardId)).toBe(true)
      expect(await holds(peer, BOARD.name, boardId), 'her first entry, the board’s name, is kept').toBe(true)
      expect(await textOf(card(peer.page, ALICES.title))).toContain(ALICES_EDIT)
      expect(await peer.page.getByRole('img', { name: 'Some changes were rejected' }).count()).toBe(0)
    }
  }, 240_000)

  it('once Alice has pinned Bob’s post, an address she edits out of a post of hers afterwards leaves both phones too, and the pin stays', async () => {
    const boardId = await boardIdOf(alice.page)
    const view = await openDetail(alice.page, POST.title)
    await view.getByRole('button', { name: 'Pin', exact: true }).click()
    await view.getByRole('button', { name: 'Unpin', exact: true }).waitFor()
    await closeDialog(view)
    await card(bob.page, POST.title).getByText('Pinned').waitFor({ timeout: SYNC_MS })
    // Her pin is written inside Bob's post: everything of hers after it builds on his post.
    await postItem(alice.page, AFTER_PIN)
    await card(bob.page, AFTER_PIN.title).waitFor({ timeout: SYNC_MS })
    await editItem(alice.page, AFTER_PIN.title, { Text: AFTER_PIN_EDIT })
    await waitForText(card(bob.page, AFTER_PIN.title), AFTER_PIN_EDIT, SYNC_MS)
    expect(await holds(alice, FIFTH, boardId), 'Alice’s entries right after the edit').toBe(true)
    await until(async () => !(await holds(alice, FIFTH, boardId)) && !(await holds(bob, FIFTH, boardId)), 'the fifth address gone from both phones’ entries', ERASED_MS, 2_000)
    for (const peer of [alice, bob]) {
      expect(await holds(peer, AFTER_PIN_EDIT, boardId)).toBe(true)
      expect(await textOf(card(peer.page, AFTER_PIN.title))).toContain(AFTER_PIN_EDIT)
      await card(peer.page, POST.title).getByText('Pinned').waitFor()
      expect(await peer.page.getByRole('img', { name: 'Some changes were rejected' }).count()).toBe(0)
    }
  }, 240_000)

  it('a lab with both phones, their apps closed, opens their keyrings and records, and reads none of the five addresses in anything stored', async () => {
    const boardId = await boardIdOf(alice.page)
    const addresses = [ADDRESS, SECOND, THIRD, FOURTH, FIFTH]
    for (const peer of [alice, bob]) await until(async () => !(await Promise.all(addresses.map((a) => storedAnywhere(peer, a, boardId)))).some(Boolean), `no address in ${peer.name}’s records`, SYNC_MS, 1_000)
    await Promise.all([alice.context.close(), bob.context.close()])
    for (const peer of [alice, bob]) {
      // Every file of the profile, every copy LevelDB keeps of a keyring or a record, every key found tried on each.
      const found = await attack(peer.profileDir)
      const read = await entriesIn(found.recordPlaintexts, contentKeysFound(found))
      console.log(`[measure] erasure, ${peer.name}’s closed profile: ${found.blobs} keyring copies and ${found.records} records on disk; opened ${found.keyrings.length} keyrings, ${found.recordsOpened} records, ${read.length} entries`)
      expect(found.keyrings.length, `${peer.name}: the lab opens the keyring`).toBeGreaterThan(0)
      expect(containsText(read, EDITED), `${peer.name}: the lab reads the board`).toBe(true)
      for (const address of addresses) expect(containsText(read, address), `${peer.name}: ${address}`).toBe(false)
    }
  }, 240_000)

  it('neither device logged an unexpected error', () => {
    expect(unexpectedErrors(alice.errors)).toEqual([])
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })
})
