/**
 * What people do in Hearth, written once for the e2e stories: create a board,
 * post an item of each kind, read an invite, join, and wait for what a person
 * would see. Every locator goes through accessible names (the English strings
 * of src/i18n/en.ts) unless a helper says otherwise.
 */
import type { Locator, Page } from 'playwright-core'

/** Polls `check` until it returns a truthy value; the error names `what` and the last value seen. */
export async function until<T>(check: () => Promise<T> | T, what: string, timeoutMs = 30_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      last = await check()
      if (last) return last as NonNullable<T>
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** Waits until the element's visible text (whitespace collapsed, without the invisible bidi isolates U+2066–U+2069) matches; returns it. */
export async function waitForText(locator: Locator, expected: string | RegExp, timeoutMs = 30_000): Promise<string> {
  let seen = ''
  await until(
    async () => {
      seen = ((await locator.first().textContent({ timeout: 1000 })) ?? '').replace(/[\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim()
      return typeof expected === 'string' ? seen.includes(expected) : expected.test(seen)
    },
    `text ${String(expected)} in ${String(locator)} (saw "${seen}")`,
    timeoutMs,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last text: "${seen}"`)
  })
  return seen
}

export const syncStatus = (page: Page): Locator => page.getByTestId('sync-status')
export const resultCount = (page: Page): Locator => page.getByTestId('result-count')
export const items = (page: Page): Locator => page.locator('article[data-testid=item]')

/** The card whose h3 is exactly `title`. */
export function card(page: Page, title: string): Locator {
  return items(page).filter({ has: page.getByRole('heading', { level: 3, name: title, exact: true }) })
}

/** The visible titles of the cards, in order. */
export function cardTitles(page: Page): Promise<string[]> {
  return items(page).locator('h3').allTextContents()
}

/** Collapsed visible text of a locator (without the invisible bidi isolates U+2066–U+2069). */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/[\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim()
}

/** The open detail view of one post (a dialog named by the post's title). */
export function detail(page: Page, title: string): Locator {
  return page.getByRole('dialog', { name: title, exact: true })
}

/** Taps the card titled `title` and waits for its detail view. */
export async function openDetail(page: Page, title: string): Promise<Locator> {
  await card(page, title).getByRole('button', { name: title, exact: true }).click()
  const view = detail(page, title)
  await view.getByTestId('item-detail').waitFor()
  return view
}

/** Closes the topmost dialog with its ✕ (named `close` in the app's language) and waits until it is gone. */
export async function closeDialog(dialog: Locator, close = 'Close'): Promise<void> {
  await dialog.getByRole('button', { name: close, exact: true }).first().click()
  await dialog.waitFor({ state: 'detached' })
  await historySettled(dialog.page())
}

/**
 * Waits, once the last dialog is closed, for the app to take its history
 * guard back off (src/ui/common/dialog-history.ts), a few milliseconds. A
 * navigation within them is undone by the guard's Back and then made again
 * (tested on its own in forms.test.ts); other tests wait, so that what they
 * see does not pass through that repair.
 */
export async function historySettled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('dialog[open]') !== null || (history.state as Record<string, unknown> | null)?.hearthDialog !== true)
}

/** Opens the ⋮ menu of the app bar (or of `within`, a dialog) and returns it; `name` is the menu's name in the app's language. */
export async function openMenu(page: Page, within?: Locator, name = 'Menu'): Promise<Locator> {
  await (within ?? page.getByRole('banner')).getByRole('button', { name, exact: true }).click()
  const menu = page.getByRole('dialog', { name, exact: true })
  await menu.waitFor()
  return menu
}

/** Back to the list of boards: the board's ← (All boards) or the Hearth logo, whichever the app bar shows. */
export async function goHome(page: Page): Promise<void> {
  const back = page.getByRole('banner').getByRole('button', { name: 'All boards' })
  if (await back.count()) await back.click()
  else await page.getByRole('link', { name: 'Hearth' }).click()
  await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
}

/** ⋮ → Settings; waits for the settings page. */
export async function openSettings(page: Page, names = { menu: 'Menu', settings: 'Settings' }): Promise<void> {
  await (await openMenu(page, undefined, names.menu)).getByRole('button', { name: names.settings, exact: true }).click()
  await page.getByRole('heading', { level: 1, name: names.settings }).waitFor()
}

export const STATUS = {
  searching: 'Looking for other members…',
  /** A founder alone on her new board: nobody to look for yet. */
  alone: 'No other member yet',
  synced1: 'Up to date with 1 member device',
  offline: 'Offline — changes are saved on this device',
} as const

/** From the home screen: "Create a board", fill the form, land on the board. */
export async function createBoard(page: Page, board: { name: string; description?: string; displayName: string }): Promise<void> {
  await page.getByRole('button', { name: 'Create a board' }).click()
  await page.getByLabel('Board name').fill(board.name)
  if (board.description) await page.getByLabel('Description (optional)').fill(board.description)
  await page.getByLabel('Your name on this board').fill(board.displayName)
  await page.getByRole('button', { name: 'Create board' }).click()
  await page.getByRole('heading', { level: 1, name: board.name }).waitFor()
}

/** A local date-time as a datetime-local input wants it: YYYY-MM-DDTHH:mm. */
export function localInput(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

/** `days` from now at `hour`:00 local time. */
export function daysFromNow(days: number, hour: number): number {
  const d = new Date()
  d.setDate(d.getDate() + days)
  d.setHours(hour, 0, 0, 0)
  return d.getTime()
}

export type NoticeInput = { kind: 'notice'; title: string; body?: string; tags?: string; pinned?: boolean }
export type EventInput = { kind: 'event'; title: string; body?: string; start: number; end?: number; place?: string }
export type MeetingInput = { kind: 'meeting'; title: string; body?: string; start: number; end: number; place?: string; access?: string }
export type AidInput = { kind: 'aid'; title: string; body?: string; aidType: 'Offer' | 'Request'; category: string; status?: string }
export type ResourceInput = { kind: 'resource'; name: string; body?: string; contact: string; notes?: string }
export type ItemInput = NoticeInput | EventInput | MeetingInput | AidInput | ResourceInput

const KIND_BUTTON: Record<ItemInput['kind'], RegExp> = {
  notice: /^Notice/,
  event: /^Event/,
  meeting: /^Safe meeting/,
  aid: /^Mutual aid/,
  resource: /^Resource/,
}

/** "Post" → choose the kind → fill the form in the dialog → "Post"; waits until the card is on the board. */
export async function postItem(page: Page, input: ItemInput): Promise<void> {
  await page.getByRole('button', { name: 'Post', exact: true }).click()
  await page.getByRole('dialog', { name: 'What would you like to post?' }).getByRole('button', { name: KIND_BUTTON[input.kind] }).click()
  const form = page.getByRole('dialog', { name: /^New / })
  await form.locator('form').waitFor()
  await fillItemForm(form, input)
  await form.getByRole('button', { name: 'Post', exact: true }).click()
  await form.waitFor({ state: 'detached' })
  await card(page, input.kind === 'resource' ? input.name : input.title).waitFor()
}

/** Fills the item form inside `form` (the dialog). */
export async function fillItemForm(form: Locator, input: ItemInput): Promise<void> {
  switch (input.kind) {
    case 'notice':
      await form.getByLabel('Title').fill(input.title)
      if (input.body !== undefined) await form.getByLabel('Text').fill(input.body)
      if (input.tags) await form.getByLabel('Tags').fill(input.tags)
      if (input.pinned) await form.getByLabel('Pin to the top of the board').check()
      break
    case 'event':
      await form.getByLabel('Title').fill(input.title)
      await form.getByLabel('Starts').fill(localInput(input.start))
      if (input.end !== undefined) await form.getByLabel('Ends (optional)').fill(localInput(input.end))
      if (input.place) await form.getByLabel('Place').fill(input.place)
      if (input.body !== undefined) await form.getByLabel('Details').fill(input.body)
      break
    case 'meeting':
      await form.getByLabel('Title').fill(input.title)
      await form.getByLabel('Starts').fill(localInput(input.start))
      await form.getByLabel('Ends', { exact: true }).fill(localInput(input.end))
      if (input.place) await form.getByLabel('Place').fill(input.place)
      if (input.access) await form.getByLabel('How to get in (code word, door code, who to ask for)').fill(input.access)
      if (input.body !== undefined) await form.getByLabel('Text').fill(input.body)
      break
    case 'aid':
      await form.getByLabel('Title').fill(input.title)
      await form.getByRole('radio', { name: input.aidType }).check()
      await form.getByLabel('Category').selectOption({ label: input.category })
      if (input.status) await form.getByLabel('Status').selectOption({ label: input.status })
      if (input.body !== undefined) await form.getByLabel('Text').fill(input.body)
      break
    case 'resource':
      await form.getByLabel('Name').fill(input.name)
      if (input.body !== undefined) await form.getByLabel('What it is').fill(input.body)
      await form.getByLabel('How to reach it').fill(input.contact)
      if (input.notes) await form.getByLabel('Notes').fill(input.notes)
      break
  }
}

/**
 * ⋮ → "Invite", creates an invitation (by default for one new member, a
 * day), reads the link, closes the dialog.
 */
export async function readInviteLink(page: Page, opts: { uses?: number; device?: boolean; ask?: boolean; keepOpenMs?: number } = {}): Promise<string> {
  await (await openMenu(page)).getByRole('button', { name: 'Invite' }).click()
  const dialog = page.getByRole('dialog', { name: /^Invite to / })
  if (opts.device) await dialog.getByLabel('Another device of mine (phone, laptop)').check()
  if (opts.uses) await dialog.getByLabel('How many people may use it').selectOption(String(opts.uses))
  if (opts.ask) await dialog.getByLabel('Let me approve each person before they are let in').check()
  await dialog.getByRole('button', { name: 'Create the invite' }).click()
  const field = dialog.getByLabel('Invite link')
  await field.waitFor()
  const link = await field.inputValue()
  if (opts.keepOpenMs) await page.waitForTimeout(opts.keepOpenMs)
  await closeDialog(dialog)
  return link
}

/** The board's members button (beside its sync line) → the Members screen; returns the dialog. */
export async function openMembers(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: /^\d+ members?/ }).click()
  const dialog = page.getByRole('dialog', { name: 'Members and diagnostics' })
  await dialog.waitFor()
  return dialog
}

/** One member's entry on the Members screen, by their exact name. */
export function memberRow(members: Locator, name: string): Locator {
  return members.getByTestId('member').filter({ has: members.page().locator('strong', { hasText: new RegExp(`^${name}$`) }) })
}

/** What a newcomer sees until a member lets them in, and a removed member from then on (src/ui/board/Standing.svelte). */
export const STANDING = {
  waiting: 'Waiting for a member to let you in',
  removed: 'You are no longer a member of this board',
} as const

/** On the join page: fills the name and submits. The link must already be in the form. */
export async function submitJoin(page: Page, displayName: string): Promise<void> {
  await page.getByLabel('Your name on this board').fill(displayName)
  await page.getByRole('button', { name: 'Join board' }).click()
}

/** Opens the post titled `title`, edits fields through "Edit", saves, and closes the detail view. */
export async function editItem(page: Page, title: string, fields: Record<string, string>): Promise<void> {
  const view = await openDetail(page, title)
  await view.getByRole('button', { name: 'Edit', exact: true }).click()
  const form = page.getByRole('dialog', { name: /^Edit / })
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label, { exact: true }).fill(value)
  await form.getByRole('button', { name: 'Save', exact: true }).click()
  await form.waitFor({ state: 'detached' })
  await closeDialog(page.getByRole('dialog').filter({ has: page.getByTestId('item-detail') }))
}

/** Errors a peer logged that a test did not expect. Offline-time network failures are expected. */
export function unexpectedErrors(errors: readonly string[], allowed: RegExp[] = []): string[] {
  // ERR_INTERNET_DISCONNECTED is Chromium's emulated offline network itself: such a message can reach the test
  // after it has turned the network back on (console events arrive asynchronously), without the offline mark.
  return errors.filter((e) => !e.includes('(offline)') && !e.includes('net::ERR_INTERNET_DISCONNECTED') && !allowed.some((re) => re.test(e)))
}

/** Waits until the invite QR code canvas is drawn (280 px, with dark modules). Returns its dark-pixel count. */
export async function waitForQrDrawn(page: Page, timeoutMs = 10_000): Promise<number> {
  const handle = await page.waitForFunction(
    () => {
      const c = document.querySelector('canvas[data-testid=invite-qr]') as HTMLCanvasElement | null
      if (!c || c.width !== 280) return 0
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
      let dark = 0
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 128) dark++
      return dark
    },
    undefined,
    { timeout: timeoutMs, polling: 100 },
  )
  return (await handle.jsonValue()) as number
}

/**
 * Escape pressed `times` times, `apartMs` apart, as a person's keyboard would
 * time-stamp them. Through the DevTools protocol with explicit timestamps and
 * without waiting for each press to be handled: one press at a time (as
 * `keyboard.press` does), a busy page handles the first before the next is
 * even sent, and the presses of one quick gesture drift over a second apart.
 */
export async function escapes(page: Page, times: number, apartMs = 60): Promise<void> {
  const cdp = await page.context().newCDPSession(page)
  const start = Date.now() / 1000
  const key = { key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27, nativeVirtualKeyCode: 27 }
  const sent: Promise<unknown>[] = []
  for (let i = 0; i < times; i++) {
    const at = start + (i * apartMs) / 1000
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...key, timestamp: at }))
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key, timestamp: at + 0.02 }))
  }
  await Promise.all(sent)
  await cdp.detach()
}
