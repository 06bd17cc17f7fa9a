/**
 * The board story, across two real devices: Alice (a phone) starts a board
 * for her circle and posts one of every kind of item; Bob (a laptop, its own
 * Chromium profile) joins with her invite link and the board reaches him over
 * WebRTC. They both lose signal: Alice rewrites her own notice and, as the
 * board's founder (a moderator), pins Bob's; Bob, who may not touch Alice's
 * post, rewrites the text of his own. Once back, both see the merged board.
 * Bob's copy survives a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import {
  STATUS,
  card,
  cardTitles,
  closeDialog,
  createBoard,
  daysFromNow,
  editItem,
  fillItemForm,
  goHome,
  items,
  openDetail,
  openMenu,
  postItem,
  readInviteLink,
  resultCount,
  submitJoin,
  syncStatus,
  textOf,
  unexpectedErrors,
  waitForQrDrawn,
  until,
  waitForText,
  type ItemInput,
} from './support/flows.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

/** Sync across WebRTC, including reconnection through signaling after going offline. */
const SYNC_MS = 45_000

const BOARD = { name: 'Rainbow mutual aid', description: 'Our circle: help, news and safe places.', displayName: 'Alice' }

const NOTICE = { kind: 'notice', title: 'Welcome to the board', body: 'Introduce yourself at the next meeting. Be kind.' } as const
const EVENT = {
  kind: 'event',
  title: 'Potluck dinner',
  body: 'Bring a dish if you can; nobody is turned away.',
  start: daysFromNow(3, 18),
  end: daysFromNow(3, 21),
  place: 'Community centre, 2nd floor',
} as const
const MEETING = {
  kind: 'meeting',
  title: 'Support circle',
  body: 'Newcomers welcome, phones off during the circle.',
  start: daysFromNow(5, 19),
  end: daysFromNow(5, 21),
  place: 'The blue door on Cedar Street',
  access: 'Ask for Sami, code word: sunflower',
} as const
const AID = {
  kind: 'aid',
  title: 'Need a room for two weeks',
  body: 'Lost my flat after coming out to my landlord. Can pay a little.',
  aidType: 'Request',
  category: 'Housing',
} as const
const RESOURCE = {
  kind: 'resource',
  name: 'Dr. Layla Haddad',
  body: 'Friendly family doctor, no questions asked, also a good plumber referral.',
  contact: '+1 555 0100, Mon–Fri 9–17',
  notes: 'Say Hearth sent you.',
} as const
/** Alice's notice after she renamed and rewrote it, offline. */
const MERGED_NOTICE = { title: 'Welcome, everyone — read me first', body: 'Meetings moved to Thursdays. Bring a friend you trust.' }
const BOBS_NOTICE = { kind: 'notice', title: 'Rides to the clinic', body: 'I can drive two people on Saturday morning.' } as const
/** What Bob's notice says after he rewrote it offline (while Alice pinned it). */
const BOBS_NEW_BODY = 'Now Saturday and Sunday mornings, two seats each time.'
const ALL: ItemInput[] = [NOTICE, EVENT, MEETING, AID, RESOURCE]

let app: App
let alice: Peer
let bob: Peer
let invite: string

beforeAll(async () => {
  app = await startApp()
  ;[alice, bob] = await Promise.all([
    launchPeer('alice', { viewport: { width: 360, height: 740 } }),
    launchPeer('bob', { viewport: { width: 1280, height: 900 } }),
  ])
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/**
 * Accessibility findings of every screen in the story. They are collected and
 * asserted in their own test at the end, so that one violation does not stop
 * the sync story from being checked (and reported) too.
 */
const axeFindings: string[] = []
async function checkAxe(page: Peer['page'], context: string): Promise<void> {
  await expectNoAxeViolations(page, context).catch((err: Error) => axeFindings.push(err.message))
}

/** What the page would show for an event's time, in English (the app formats with Intl like this). */
function formatRange(page: Peer['page'], start: number, end: number): Promise<string> {
  return page.evaluate(
    ([s, e]) => new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).formatRange(s!, e!),
    [start, end],
  )
}

/**
 * Checks what each of the five posts shows: the compact card in the feed
 * (never the meeting's code word), then its detail view with everything,
 * the code word only on request.
 */
async function expectAllFiveCards(peer: Peer, notice_: { title: string; body: string } = { title: NOTICE.title, body: NOTICE.body }): Promise<void> {
  const page = peer.page
  const notice = await textOf(card(page, notice_.title))
  expect(notice).toContain('Notice')
  expect(notice).toContain(notice_.body)
  expect(notice).toContain('Posted by Alice')

  const when = (await formatRange(page, EVENT.start, EVENT.end)).replace(/\s+/g, ' ')
  const event = await textOf(card(page, EVENT.title))
  expect(event).toContain('Event')
  expect(event).toContain(when)
  expect(event).toContain(EVENT.place)
  let view = await openDetail(page, EVENT.title)
  const eventDetail = await textOf(view)
  expect(eventDetail).toContain(`When: ${when}`)
  expect(eventDetail).toContain(`Where: ${EVENT.place}`)
  expect(eventDetail).toContain(EVENT.body)
  await view.getByRole('button', { name: 'Add to calendar' }).waitFor()
  await closeDialog(view)

  const meetingWhen = (await formatRange(page, MEETING.start, MEETING.end)).replace(/\s+/g, ' ')
  const meeting = await textOf(card(page, MEETING.title))
  expect(meeting).toContain('Safe meeting')
  expect(meeting).toContain(meetingWhen)
  expect(meeting).toContain(MEETING.place)
  expect(meeting).toContain('Code word hidden: open the post to see it')
  // The code word is never in the feed.
  expect(meeting).not.toContain('sunflower')
  // Safe-meeting details expire by default when the meeting ends: a countdown.
  expect(meeting).toMatch(/disappears in \d+ days/)
  view = await openDetail(page, MEETING.title)
  expect(await textOf(view)).toContain(`Where: ${MEETING.place}`)
  expect(await textOf(view)).toContain('How to get in: hidden')
  expect(await textOf(view)).not.toContain('sunflower')
  await view.getByRole('button', { name: 'Show code word' }).click()
  expect(await textOf(view)).toContain(`How to get in: ${MEETING.access}`)
  expect(await textOf(view)).toContain(MEETING.body)
  await closeDialog(view)

  const aid = await textOf(card(page, AID.title))
  expect(aid).toContain('Mutual aid')
  expect(aid).toContain('Request · Housing')
  expect(aid).toContain('Open')
  expect(aid).toContain(AID.body)

  const resource = await textOf(card(page, RESOURCE.name))
  expect(resource).toContain('Resource')
  expect(resource).toContain(RESOURCE.body)
  expect(resource).toContain(RESOURCE.contact)
  view = await openDetail(page, RESOURCE.name)
  expect(await textOf(view)).toContain(`Contact: ${RESOURCE.contact}`)
  expect(await textOf(view)).toContain(RESOURCE.notes)
  await closeDialog(view)
}

describe('a board shared between two devices', () => {
  it('Alice creates a board on her phone and posts one item of each kind', async () => {
    const page = alice.page
    await page.goto(app.url)
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    await checkAxe(page, 'home (empty)')

    await page.getByRole('button', { name: 'Create a board' }).click()
    await page.getByRole('heading', { level: 1, name: 'Create a board' }).waitFor()
    await checkAxe(page, 'create-board form')
    await page.getByRole('button', { name: 'Cancel' }).click()

    await createBoard(page, BOARD)
    await waitForText(syncStatus(page), STATUS.alone)
    await checkAxe(page, 'empty board')

    for (const input of ALL) {
      await page.getByRole('button', { name: 'Post', exact: true }).click()
      const chooser = page.getByRole('dialog', { name: 'What would you like to post?' })
      await chooser.waitFor()
      if (input === NOTICE) await checkAxe(page, 'kind chooser dialog')
      await chooser.getByRole('button', { name: { notice: /^Notice/, event: /^Event/, meeting: /^Safe meeting/, aid: /^Mutual aid/, resource: /^Resource/ }[input.kind] }).click()
      const form = page.getByRole('dialog', { name: /^New / })
      await form.locator('form').waitFor()
      await fillItemForm(form, input)
      await checkAxe(page, `${input.kind} form dialog`)
      await form.getByRole('button', { name: 'Post', exact: true }).click()
      await form.waitFor({ state: 'detached' })
      await card(page, input.kind === 'resource' ? input.name : input.title).waitFor()
    }

    await waitForText(resultCount(page), '5 items')
    expect(await items(page).count()).toBe(5)
    await expectAllFiveCards(alice)
    await checkAxe(page, 'board with five items')
    await screenshot(page, 'board-alice-phone')

    await (await openMenu(page)).getByRole('button', { name: 'Invite' }).click()
    const dialog = page.getByRole('dialog', { name: `Invite to ${BOARD.name}` })
    await dialog.waitFor()
    // First what the invitation is for; nothing is created until Alice says so.
    await checkAxe(page, 'invite form')
    await dialog.getByRole('button', { name: 'Create the invite' }).click()
    await dialog.getByTestId('invite-qr').waitFor()
    expect(await waitForQrDrawn(page)).toBeGreaterThan(1000)
    expect(await textOf(dialog.getByTestId('invite-explain'))).toMatch(/lets 1 device ask to join\. It holds no key to the board/)
    // Nobody ticked "Let me approve": it says that no one will be asked.
    expect(await textOf(dialog.getByTestId('invite-explain'))).toContain('A member’s device that is online lets them in as soon as they ask.')
    await checkAxe(page, 'invite dialog')
    invite = await dialog.getByLabel('Invite link').inputValue()
    expect(invite.startsWith(`${app.url}#/join/`)).toBe(true)
    // "Copy link" copies the link (the page's clipboard stands in for the phone's)...
    await page.evaluate(() => {
      const page = globalThis as unknown as { copiedText?: string }
      navigator.clipboard.writeText = (text: string) => ((page.copiedText = text), Promise.resolve())
    })
    await dialog.getByRole('button', { name: 'Copy link' }).click()
    await dialog.getByRole('button', { name: 'Copied' }).waitFor()
    expect(await page.evaluate(() => (globalThis as unknown as { copiedText?: string }).copiedText)).toBe(invite)
    // ...and where the browser refuses, says so and selects the link for Alice to copy herself.
    await page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'))
    })
    await dialog.getByRole('button', { name: 'Copied' }).click()
    await dialog.getByText('This browser did not let Hearth copy. The text is selected: copy it yourself.').waitFor()
    expect(await page.evaluate(() => [document.activeElement?.id, window.getSelection()?.toString() || (document.activeElement as HTMLInputElement).value.slice((document.activeElement as HTMLInputElement).selectionStart ?? 0, (document.activeElement as HTMLInputElement).selectionEnd ?? 0)])).toEqual(['invite-link', invite])
    await dialog.getByRole('button', { name: 'Copy link' }).waitFor()
    await checkAxe(page, 'invite dialog, copy refused')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    // Each invitation is its own: a second one is another link.
    expect(await readInviteLink(page)).not.toBe(invite)
  })

  it('Bob opens the link on his laptop, joins, and sees the whole board', async () => {
    const page = bob.page
    await page.goto(invite)
    await page.getByRole('heading', { level: 1, name: 'Join a board' }).waitFor()
    // The secret is taken out of the address bar (and history) at once...
    await until(() => !page.url().includes('/join/'), 'the invite payload to leave the address bar', 5000)
    expect(page.url()).toBe(`${app.url}#/join`)
    // ...but the form still holds it.
    expect(await page.getByLabel('Invite link').inputValue()).toBe(invite.slice(invite.indexOf('#')))
    await checkAxe(page, 'join page')

    await submitJoin(page, 'Bob')
    await page.getByRole('heading', { level: 1, name: BOARD.name }).waitFor({ timeout: SYNC_MS })
    await waitForText(resultCount(page), '5 items', SYNC_MS)
    await waitForText(syncStatus(page), STATUS.synced1, SYNC_MS)
    await waitForText(syncStatus(alice.page), STATUS.synced1, SYNC_MS)
    await expectAllFiveCards(bob)
    // Bob’s crypto worker started (entries of 16 KiB and more are checked and decrypted there), and it was not given up on.
    expect(page.workers().filter((w) => w.url().includes('entry-crypto.worker'))).toHaveLength(1)
    // The title never names the board: browsers write titles to history and session files on disk.
    expect(await page.title()).toBe('Hearth')
    await checkAxe(page, 'board on desktop')
    await screenshot(page, 'board-bob-desktop')
  })

  it('authors are verified: Bob sees Alice as founder with her fingerprint, and that she let him in', async () => {
    const page = bob.page
    await page.getByRole('button', { name: /^2 members/ }).click()
    const dialog = page.getByRole('dialog', { name: 'Members and diagnostics' })
    const members = dialog.getByTestId('members')
    const row = (name: string) => members.getByTestId('member').filter({ has: page.locator('strong', { hasText: new RegExp(`^${name}$`) }) })
    const aliceRow = await textOf(row('Alice'))
    const bobRow = await textOf(row('Bob'))
    expect(aliceRow).toContain('founder')
    expect(bobRow).toContain('this device')
    // "Let in by" is the admitting device's signed entry, not Bob's own claim.
    expect(bobRow).toContain('let in by Alice')
    // A full 64-bit fingerprint per device, to compare in person.
    const aliceFingerprint = await textOf(row('Alice').getByTestId('fingerprint'))
    expect(aliceFingerprint).toMatch(/^[0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}$/)
    expect(await textOf(row('Bob').getByTestId('fingerprint'))).not.toBe(aliceFingerprint)
    await dialog.getByTestId('diagnostics-clean').waitFor()
    await checkAxe(page, 'members and diagnostics')
    await closeDialog(dialog)
    // The post names its author from the roster, with the same whole fingerprint (in its detail view).
    const view = await openDetail(page, NOTICE.title)
    expect(await textOf(view)).toContain(`Posted by Alice`)
    expect(await textOf(view)).toContain(aliceFingerprint)
    await closeDialog(view)
  })

  it('search narrows the list and the Events filter shows only the event', async () => {
    const page = alice.page
    const search = page.getByRole('searchbox', { name: 'Search this board' })
    await search.fill('plumber')
    await waitForText(resultCount(page), '1 item')
    expect(await cardTitles(page)).toEqual([RESOURCE.name])
    // Every word must match, in any field (here: the meeting's place and access).
    await search.fill('cedar sunflower')
    await waitForText(resultCount(page), '1 item')
    expect(await cardTitles(page)).toEqual([MEETING.title])
    await search.fill('nothing-like-this')
    await waitForText(resultCount(page), '0 items')
    await page.getByText('Nothing matches. Try another search or filter.').waitFor()
    await search.fill('')
    await waitForText(resultCount(page), '5 items')

    const kinds = page.getByRole('navigation', { name: 'What to show' })
    const events = kinds.getByRole('button', { name: /^Events/ })
    await events.click()
    expect(await events.getAttribute('aria-pressed')).toBe('true')
    expect(await kinds.getByRole('button', { name: /^All/ }).getAttribute('aria-pressed')).toBe('false')
    await waitForText(resultCount(page), '1 item')
    expect(await cardTitles(page)).toEqual([EVENT.title])

    await kinds.getByRole('button', { name: /^Mutual aid/ }).click()
    await waitForText(resultCount(page), '1 item')
    expect(await cardTitles(page)).toEqual([AID.title])

    await kinds.getByRole('button', { name: /^All/ }).click()
    await waitForText(resultCount(page), '5 items')
    expect(await items(page).count()).toBe(5)
  })

  // Before authority, Bob rewrote the text of Alice's notice while she renamed
  // it. Only a post's owner may edit it now, so the two offline writers of one
  // notice are its owner and a moderator: Bob edits his own notice's text
  // while Alice, the founder, pins it (a field only moderators set).
  it("offline, Bob rewrites his notice while Alice pins it and rewrites hers; both changes merge when they come back", async () => {
    await postItem(bob.page, BOBS_NOTICE)
    await card(alice.page, BOBS_NOTICE.title).waitFor({ timeout: SYNC_MS })
    await Promise.all([alice.setOffline(true), bob.setOffline(true)])
    await waitForText(syncStatus(alice.page), STATUS.offline, 15_000)
    await waitForText(syncStatus(bob.page), STATUS.offline, 15_000)

    const { title: newTitle, body: newBody } = MERGED_NOTICE
    await editItem(alice.page, NOTICE.title, { Title: newTitle, Text: newBody })
    await waitForText(card(alice.page, newTitle), newBody)
    let view = await openDetail(alice.page, BOBS_NOTICE.title)
    // The founder moderates: she may pin or remove Bob's post, never edit it.
    expect(await view.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0)
    await view.getByRole('button', { name: 'Pin', exact: true }).click()
    await view.getByRole('button', { name: 'Unpin', exact: true }).waitFor()
    await closeDialog(view)
    await card(alice.page, BOBS_NOTICE.title).getByText('Pinned').waitFor()

    // Bob is offered nothing that changes Alice's notice.
    view = await openDetail(bob.page, NOTICE.title)
    for (const action of ['Edit', 'Pin', 'Delete']) expect(await view.getByRole('button', { name: action, exact: true }).count(), action).toBe(0)
    await closeDialog(view)
    await editItem(bob.page, BOBS_NOTICE.title, { Text: BOBS_NEW_BODY })
    await waitForText(card(bob.page, BOBS_NOTICE.title), BOBS_NEW_BODY)
    // Still offline: nothing crossed.
    expect(await card(alice.page, BOBS_NOTICE.title).filter({ hasText: BOBS_NEW_BODY }).count()).toBe(0)
    expect(await card(bob.page, newTitle).count()).toBe(0)
    expect(await card(bob.page, BOBS_NOTICE.title).getByText('Pinned').count()).toBe(0)

    await Promise.all([alice.setOffline(false), bob.setOffline(false)])
    for (const peer of [alice, bob]) {
      await waitForText(card(peer.page, newTitle), newBody, SYNC_MS)
      await waitForText(card(peer.page, BOBS_NOTICE.title), BOBS_NEW_BODY, SYNC_MS)
      await card(peer.page, BOBS_NOTICE.title).getByText('Pinned').waitFor({ timeout: SYNC_MS })
      await waitForText(resultCount(peer.page), '6 items', SYNC_MS)
      expect(await card(peer.page, NOTICE.title).count()).toBe(0)
      await waitForText(syncStatus(peer.page), STATUS.synced1, SYNC_MS)
    }
    const merged = await textOf(card(bob.page, newTitle))
    expect(merged).toContain(newBody)
    expect(merged).not.toContain(NOTICE.body)
    view = await openDetail(bob.page, BOBS_NOTICE.title)
    expect(await textOf(view)).toContain('Pinned')
    expect(await textOf(view)).toContain(BOBS_NEW_BODY)
    expect(await textOf(view)).toContain('edited')
    await closeDialog(view)
    view = await openDetail(alice.page, newTitle)
    expect(await textOf(view)).toContain('edited')
    await closeDialog(view)
  })

  it("Bob's copy survives closing and reopening the app, then catches up with Alice", async () => {
    const page = await bob.reopen()
    await page.getByRole('heading', { level: 1, name: BOARD.name }).waitFor()
    // From IndexedDB alone: Alice's five items with her edit, and his own notice with his edit and her pin.
    await waitForText(resultCount(page), '6 items', 10_000)
    await waitForText(card(page, BOBS_NOTICE.title), BOBS_NEW_BODY, 10_000)
    await card(page, BOBS_NOTICE.title).getByText('Pinned').waitFor({ timeout: 10_000 })
    await items(page).filter({ hasText: MERGED_NOTICE.body }).waitFor({ timeout: 10_000 })
    // Connected again (a fresh connection), both hold the merged board.
    for (const peer of [bob, alice]) {
      await waitForText(syncStatus(peer.page), STATUS.synced1, SYNC_MS)
      await waitForText(card(peer.page, MERGED_NOTICE.title), MERGED_NOTICE.body, SYNC_MS)
      await card(peer.page, BOBS_NOTICE.title).waitFor({ timeout: SYNC_MS })
      await expectAllFiveCards(peer, MERGED_NOTICE)
    }
  })

  it('a truncated invite is refused with a clear message and adds no board', async () => {
    const page = bob.page
    await page.goto(app.url)
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    const boardLinks = page.getByRole('list', { name: 'Your boards' }).getByRole('link')
    await until(async () => (await boardLinks.count()) === 1, 'one board in the list', 5000)
    await page.getByRole('button', { name: 'Join a board' }).click()
    await page.getByRole('heading', { level: 1, name: 'Join a board' }).waitFor()
    await page.getByLabel('Invite link').fill(invite.slice(0, -12))
    await submitJoin(page, 'Bob')
    const alert = page.getByRole('alert')
    await waitForText(alert, 'This invite is incomplete: part of the link is missing. Copy the whole link again.', 5000)
    await checkAxe(page, 'join page with an error')
    expect(page.url()).toBe(`${app.url}#/join`)
    await page.getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    expect(await boardLinks.count()).toBe(1)
    expect(await textOf(boardLinks.first())).toContain(BOARD.name)
    await checkAxe(page, 'home with one board')
    await boardLinks.first().click()
    await page.getByRole('heading', { level: 1, name: BOARD.name }).waitFor()
    await waitForText(syncStatus(page), STATUS.synced1, SYNC_MS)
  })

  it("a post Alice deletes disappears from Bob's board", async () => {
    await card(bob.page, RESOURCE.name).waitFor()
    const view = await openDetail(alice.page, RESOURCE.name)
    await view.getByRole('button', { name: 'Delete' }).click()
    const confirm = alice.page.getByRole('dialog', { name: 'Delete this post?' })
    await confirm.waitFor()
    expect(await textOf(confirm)).toContain(`“${RESOURCE.name}” will be deleted from every member’s device.`)
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click()
    await confirm.waitFor({ state: 'detached' })
    await view.waitFor({ state: 'detached' })
    await card(alice.page, RESOURCE.name).waitFor({ state: 'detached' })
    await card(bob.page, RESOURCE.name).waitFor({ state: 'detached', timeout: SYNC_MS })
    await waitForText(resultCount(bob.page), '5 items')
    await waitForText(resultCount(alice.page), '5 items')
  })

  it('Bob comes back to the board: what Alice posted meanwhile is marked new, and only that', async () => {
    await goHome(bob.page)
    const SOUP = { kind: 'notice', title: 'Soup kitchen needs hands', body: 'Saturday from 10, any amount of time helps.' } as const
    await postItem(alice.page, SOUP)
    // Her own post is never new to her.
    expect(await card(alice.page, SOUP.title).getByTestId('new-marker').count()).toBe(0)

    const page = bob.page
    await page.getByRole('link', { name: new RegExp(BOARD.name) }).click()
    await card(page, SOUP.title).waitFor({ timeout: SYNC_MS })
    await waitForText(page.getByTestId('new-posts'), '1 new post since your last visit')
    await card(page, SOUP.title).getByTestId('new-marker').waitFor()
    expect(await textOf(card(page, SOUP.title))).toContain('New')
    expect(await page.getByTestId('new-marker').count()).toBe(1)
    await checkAxe(page, 'board with a new post')
    await page.getByRole('button', { name: 'Mark as read' }).click()
    await page.getByTestId('new-posts').waitFor({ state: 'detached' })
    expect(await page.getByTestId('new-marker').count()).toBe(0)
    // "Last seen" lives in the encrypted keyring, never in plain storage.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))
    expect(stored).not.toMatch(/seen/i)
  })

  it('axe finds no accessibility violations on any screen of the story', () => {
    expect(axeFindings.join('\n\n')).toBe('')
  })

  it('neither device logged an unexpected error', () => {
    expect(unexpectedErrors(alice.errors)).toEqual([])
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })
})
