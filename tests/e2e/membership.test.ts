/**
 * Joining is asking to be let in, across real devices (one Chromium process
 * and profile each, real WebRTC). Alice founds a board. Bob opens her invite
 * while her phone is off the network: he waits and sees nothing of the board
 * until her phone comes back and lets him in; then he posts. Carol's
 * invitation asks Alice first: she compares the fingerprint on Carol's screen
 * with the one on her Members screen and lets her in. Bob links his laptop by
 * scanning the QR code his phone shows: the circle sees one Bob, with two
 * devices.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jsQR from 'jsqr'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import {
  STANDING,
  card,
  closeDialog,
  createBoard,
  memberRow,
  openMembers,
  openMenu,
  postItem,
  readInviteLink,
  submitJoin,
  syncStatus,
  textOf,
  unexpectedErrors,
  waitForQrDrawn,
  waitForText,
} from './support/flows.ts'
import { writeQrVideo } from './support/qr-video.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

const SYNC_MS = 45_000
const BOARD = { name: 'Eastside tenants', description: 'Repairs, rent and who to call.', displayName: 'Alice' }
const WELCOME = { kind: 'notice', title: 'Landlord meeting on Friday', body: 'We go together; bring your rent receipts.' } as const
const BOBS_POST = { kind: 'notice', title: 'I can lend a ladder', body: 'Ask me on the second floor, flat 12.' } as const
const LAPTOP_POST = { kind: 'notice', title: 'Minutes of the last meeting', body: 'Typed on my laptop: the boiler is fixed next week.' } as const
/** Nothing of this may reach a newcomer who has not been let in. */
const BOARD_TEXT = [BOARD.name, BOARD.description, WELCOME.title, WELCOME.body, 'Alice']
const FINGERPRINT = /^[0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}$/

let app: App
let alice: Peer
let bob: Peer
let carol: Peer

beforeAll(async () => {
  app = await startApp()
  ;[alice, bob, carol] = await Promise.all([
    launchPeer('alice-members', { viewport: { width: 360, height: 740 } }),
    launchPeer('bob-phone', { viewport: { width: 360, height: 740 } }),
    launchPeer('carol-members', { viewport: { width: 360, height: 740 } }),
  ])
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/** Neither the page's text nor its markup holds anything of the board. */
async function expectNothingOfTheBoard(page: Page): Promise<void> {
  const html = await page.content()
  for (const text of BOARD_TEXT) expect(html, `"${text}" on a newcomer's screen`).not.toContain(text)
  expect(await page.title()).toBe('Hearth')
}

/** What the invite QR code on `page` encodes, read from its pixels as a camera would. */
async function qrOnScreen(page: Page): Promise<string | null> {
  const { width, height, data } = await page.evaluate(() => {
    const canvas = document.querySelector('canvas[data-testid=invite-qr]') as HTMLCanvasElement
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
    return { width: pixels.width, height: pixels.height, data: btoa(Array.from(pixels.data, (b) => String.fromCharCode(b)).join('')) }
  })
  return jsQR(new Uint8ClampedArray(Buffer.from(data, 'base64')), width, height)?.data ?? null
}

describe('letting people in', () => {
  it('Bob opens Alice’s invite while her phone is offline: he waits and sees nothing of the board until it lets him in; then he posts', async () => {
    await alice.page.goto(app.url)
    await createBoard(alice.page, BOARD)
    await postItem(alice.page, WELCOME)
    const invite = await readInviteLink(alice.page)
    await alice.setOffline(true)

    const page = bob.page
    await page.goto(invite)
    await submitJoin(page, 'Bob')
    await page.getByRole('heading', { level: 1, name: STANDING.waiting }).waitFor()
    await page.getByTestId('waiting').waitFor()
    expect(await textOf(page.getByTestId('my-fingerprint'))).toMatch(FINGERPRINT)
    await expectNothingOfTheBoard(page)
    await expectNoAxeViolations(page, 'the waiting screen')
    await screenshot(page, 'membership-waiting')

    // Alice's phone is back: it lets Bob in on its own (her invitation, no approval asked).
    await alice.setOffline(false)
    await page.getByRole('heading', { level: 1, name: BOARD.name }).waitFor({ timeout: SYNC_MS })
    await card(page, WELCOME.title).waitFor({ timeout: SYNC_MS })
    await postItem(page, BOBS_POST)
    await card(alice.page, BOBS_POST.title).waitFor({ timeout: SYNC_MS })
    expect(await textOf(card(alice.page, BOBS_POST.title))).toContain('Posted by Bob')

    const members = await openMembers(alice.page)
    await waitForText(memberRow(members, 'Bob'), 'let in by Alice', SYNC_MS)
    await waitForText(members.getByTestId('history'), 'Alice let Bob in')
    // The invitation was for one person: it is used up.
    await members.getByText('No open invitations.').waitFor()
    await expectNoAxeViolations(alice.page, 'Members after letting Bob in')
    await closeDialog(members)
    // Bob's own device checked the same signed admission.
    const his = await openMembers(page)
    expect(await textOf(memberRow(his, 'Bob'))).toContain('let in by Alice')
    await closeDialog(his)
  })

  it('“Let me approve”: Carol waits while Alice compares fingerprints with her in person, then lets her in', async () => {
    const link = await readInviteLink(alice.page, { ask: true })
    const page = carol.page
    await page.goto(link)
    await submitJoin(page, 'Carol')
    await page.getByRole('heading', { level: 1, name: STANDING.waiting }).waitFor()
    // Her screen does not promise that a device lets her in by itself: this invitation asks a member first.
    expect(await textOf(page.getByTestId('waiting'))).toContain('at once, or when a member has approved you, if the invitation asks for that')
    const carolsScreen = await textOf(page.getByTestId('my-fingerprint'))
    expect(carolsScreen).toMatch(FINGERPRINT)

    // Nobody's device lets Carol in by itself, so Alice's board says someone waits, and takes her to them.
    const asking = alice.page.getByTestId('asking')
    await waitForText(asking, '1 person asks to be let in')
    await asking.getByRole('button', { name: 'Review' }).click()
    const members = alice.page.getByRole('dialog', { name: 'Members and diagnostics' })
    const request = members.getByTestId('request').filter({ hasText: 'Carol' })
    await request.waitFor({ timeout: SYNC_MS })
    const asked = await textOf(request)
    expect(asked).toContain('with an invitation from Alice')
    // What Alice reads on her phone is what Carol shows her.
    expect(asked).toContain(carolsScreen)
    await waitForText(members.getByTestId('invites'), 'asks you first')
    await expectNoAxeViolations(alice.page, 'Members with a request to approve')
    // Bob, a member who neither made the invitation nor moderates, cannot let her in: his device holds her request, his board says nothing of it.
    const his = await openMembers(bob.page)
    await his.getByTestId('request').filter({ hasText: 'Carol' }).waitFor({ timeout: SYNC_MS })
    await closeDialog(his)
    expect(await bob.page.getByTestId('asking').count()).toBe(0)
    await screenshot(alice.page, 'membership-request')

    // Alice's device is online and in the room with Carol's, yet lets nobody in by itself —
    // not even after the 10 s a moderator's device waits for an inviter who is away.
    await page.waitForTimeout(11_000)
    await page.getByTestId('waiting').waitFor()
    // In the room with Alice's and Bob's devices, but nothing of the board is hers to read: in touch, never "up to date".
    await waitForText(syncStatus(page), /^In touch with [12] devices?/)
    expect(await textOf(syncStatus(page))).not.toContain('Up to date')
    // What to do if nobody ever does (an invitation used up, expired or withdrawn: nothing tells the newcomer which).
    expect(await textOf(page.getByTestId('waiting-stuck'))).toContain('ask whoever sent it for a new one')
    await expectNothingOfTheBoard(page)
    await expectNoAxeViolations(page, 'the waiting screen, in the room with a member')

    await request.getByRole('button', { name: 'Let in' }).click()
    await page.getByRole('heading', { level: 1, name: BOARD.name }).waitFor({ timeout: SYNC_MS })
    await card(page, WELCOME.title).waitFor({ timeout: SYNC_MS })
    await card(page, BOBS_POST.title).waitFor({ timeout: SYNC_MS })
    await request.waitFor({ state: 'detached' })
    await waitForText(members.getByTestId('history'), 'Alice let Carol in')
    expect(await textOf(memberRow(members, 'Carol'))).toContain(carolsScreen)
    await closeDialog(members)
    expect(await asking.count()).toBe(0)
  })

  it('Bob links his laptop by scanning the QR code on his phone: one member, two devices', async () => {
    const phone = bob.page
    await (await openMenu(phone)).getByRole('button', { name: 'Invite' }).click()
    const dialog = phone.getByRole('dialog', { name: `Invite to ${BOARD.name}` })
    await dialog.getByLabel('Another device of mine (phone, laptop)').check()
    // A device link is for one device, and only his own devices let it in.
    expect(await dialog.getByLabel('How many people may use it').count()).toBe(0)
    await expectNoAxeViolations(phone, 'the invite form for another device')
    await dialog.getByRole('button', { name: 'Create the invite' }).click()
    expect(await waitForQrDrawn(phone)).toBeGreaterThan(1000)
    expect(await textOf(dialog.getByTestId('invite-explain'))).toContain('Open this on your other device to link it to you.')
    await expectNoAxeViolations(phone, 'a device invitation')
    const link = await dialog.getByLabel('Invite link').inputValue()
    expect(await qrOnScreen(phone)).toBe(link)

    // The laptop's camera sees that code.
    const video = join(await mkdtemp(join(tmpdir(), 'hearth-link-')), 'phone.y4m')
    await writeQrVideo(video, link)
    const laptop = await launchPeer('bob-laptop', {
      viewport: { width: 1280, height: 800 },
      args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    })
    const page = laptop.page
    await page.goto(app.url)
    await page.getByRole('button', { name: 'Join a board' }).click()
    await page.getByRole('button', { name: 'Scan QR code' }).click()
    await expect.poll(() => page.getByLabel('Invite link').inputValue(), { timeout: 20_000 }).toBe(link)
    await submitJoin(page, 'Bob')
    await page.getByRole('heading', { level: 1, name: BOARD.name }).waitFor({ timeout: SYNC_MS })
    await card(page, WELCOME.title).waitFor({ timeout: SYNC_MS })
    await postItem(page, LAPTOP_POST)

    await card(alice.page, LAPTOP_POST.title).waitFor({ timeout: SYNC_MS })
    expect(await textOf(card(alice.page, LAPTOP_POST.title))).toContain('Posted by Bob')
    const members = await openMembers(alice.page)
    await expect.poll(() => memberRow(members, 'Bob').getByTestId('fingerprint').count(), { timeout: SYNC_MS }).toBe(2)
    expect(await memberRow(members, 'Bob').count()).toBe(1)
    const [first, second] = await memberRow(members, 'Bob').getByTestId('fingerprint').allTextContents()
    expect(first).toMatch(FINGERPRINT)
    expect(second).toMatch(FINGERPRINT)
    expect(first).not.toBe(second)
    expect(await alice.page.getByRole('button', { name: /^3 members/ }).count()).toBe(1)
    await expectNoAxeViolations(alice.page, 'Members with a member on two devices')
    await screenshot(alice.page, 'membership-two-devices')
    await closeDialog(members)
    expect(unexpectedErrors(laptop.errors)).toEqual([])
  })

  it('no device logged an unexpected error', () => {
    for (const peer of [alice, bob, carol]) expect(unexpectedErrors(peer.errors), peer.name).toEqual([])
  })
})
