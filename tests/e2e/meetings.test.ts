/**
 * Amal posts a safe meeting for tonight. In the feed its code word is hidden
 * and its expiry is a countdown; the detail view shows the exact time and
 * the code word on request. When the meeting expires (the page's clock is
 * moved forward), a small trace stays where its card was, saying that it
 * expired and its details were deleted — and nothing of it is left on the
 * page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { card, closeDialog, createBoard, items, openDetail, postItem, textOf, unexpectedErrors } from './support/flows.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

const CODE_WORD = 'tulip-7731-amber'
const MEETING_TITLE = 'Circle at the blue door'

let app: App
let amal: Peer

beforeAll(async () => {
  app = await startApp()
  amal = await launchPeer('amal-meeting', { viewport: { width: 360, height: 740 } })
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

describe('a safe meeting on the board', () => {
  it('hides its code word in the feed, counts down to its expiry, and leaves a trace when it expires', async () => {
    const page = amal.page
    await page.clock.install()
    await page.goto(app.url)
    await createBoard(page, { name: 'Tuesday circle', displayName: 'Amal' })
    await postItem(page, { kind: 'notice', title: 'Bring snacks', body: 'Anything without nuts.' })

    // From the next full minute, for an hour: it ends (and expires) in 61–62 minutes.
    const now = await page.evaluate(() => Date.now())
    const start = Math.ceil(now / 60_000) * 60_000 + 60_000
    const end = start + 60 * 60_000
    await postItem(page, { kind: 'meeting', title: MEETING_TITLE, start, end, place: 'Cedar Street', access: CODE_WORD })

    const feed = await textOf(card(page, MEETING_TITLE))
    expect(feed).not.toContain(CODE_WORD)
    expect(feed).toContain('Code word hidden: open the post to see it')
    expect(feed).toContain('disappears in 1 hour')

    const view = await openDetail(page, MEETING_TITLE)
    const exact = await page.evaluate((ms) => new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short' }).format(ms), end)
    expect(await textOf(view.getByTestId('expiry'))).toBe(`Disappears in 1 hour (${exact})`)
    expect(await textOf(view)).not.toContain(CODE_WORD)
    await view.getByRole('button', { name: 'Show code word' }).click()
    expect(await textOf(view.getByTestId('access'))).toBe(CODE_WORD)
    await expectNoAxeViolations(page, 'a safe meeting with its code word shown')
    await closeDialog(view)
    // Hidden again once the detail view is closed.
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(CODE_WORD)

    await page.clock.fastForward('01:05:00')
    await card(page, MEETING_TITLE).waitFor({ state: 'detached' })
    const trace = page.getByTestId('expired-meeting')
    await trace.waitFor()
    expect(await textOf(trace)).toBe('A safe meeting expired and its details were deleted.')
    // In the meeting's place: before the older notice, as its card was.
    expect(await page.locator('ol.items > li').first().getAttribute('data-testid')).toBe('expired-meeting')
    expect(await items(page).count()).toBe(1)
    const html = await page.content()
    for (const gone of [MEETING_TITLE, 'Cedar Street', CODE_WORD]) expect(html).not.toContain(gone)
    await screenshot(page, 'meeting-expired-trace')
    await expectNoAxeViolations(page, 'a board with an expired meeting')

    // The trace follows the kind filter: it stays among safe meetings, and goes away for notices.
    await page.getByRole('navigation', { name: 'What to show' }).getByRole('button', { name: /^Notices/ }).click()
    await card(page, 'Bring snacks').waitFor()
    expect(await trace.count()).toBe(0)
    await page.getByRole('navigation', { name: 'What to show' }).getByRole('button', { name: /^All/ }).click()
    await trace.waitFor()
    // Fake time jumps an hour at once: the signaling socket's heartbeat sees a dead connection.
    expect(unexpectedErrors(amal.errors, [/WebSocket is already in CLOSING or CLOSED state/])).toEqual([])
  })
})
