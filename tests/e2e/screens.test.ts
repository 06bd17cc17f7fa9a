/**
 * Every screen of Hearth on a 360 × 740 phone, in English and Arabic, light
 * and dark: each goes through axe-core (WCAG 2.1 A/AA, best practices and
 * WCAG 2.2 AA, whose target-size rule must apply), a layout check (nothing
 * wider than the screen, no text spilling out of or cut off by its box), and
 * a 48 px check on every control; and each is photographed into a temporary
 * folder for a person to look at (printed at the end; not kept in the repo).
 *
 * Screens are reached through the app's own controls (CSS classes and URLs,
 * so that the same steps work in both languages), with one board holding a
 * post of every kind, in English and Arabic, with long words and links.
 * A second profile, Sami's, shows what a newcomer sees while waiting to be
 * let in and what a removed member sees; Noor's Members screens show Sami as
 * a member, as a request to approve, and the history.
 */
import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AXE_TAGS_22, expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { createBoard, daysFromNow, openSettings, postItem, historySettled, readInviteLink, submitJoin } from './support/flows.ts'
import { focusObscured, layoutProblems, smallTargets } from './support/layout.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

const DIR = join(tmpdir(), `hearth-screens-${process.pid}`)
const PASSPHRASE = 'lanterns over the quiet harbour'
const MEETING = 'Support circle at the blue door'

let app: App
let noor: Peer
let sami: Peer
let boardUrl = ''
/** Noor's board where Sami's request waits for her approval. */
let askingUrl = ''
/** Sami's view of that board (waiting) and of a board Noor removed Sami from. */
let samiWaitingUrl = ''
let samiRemovedUrl = ''
const findings: string[] = []
const shots: string[] = []

beforeAll(async () => {
  await mkdir(DIR, { recursive: true })
  app = await startApp()
  ;[noor, sami] = await Promise.all([
    launchPeer('noor-screens', { viewport: { width: 360, height: 740 } }),
    launchPeer('sami-screens', { viewport: { width: 360, height: 740 } }),
  ])
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/** Closes every open dialog through its own close control (Escape three times would be the panic shortcut). */
async function closeDialogs(page: Page): Promise<void> {
  for (let open = await page.locator('dialog[open]').count(); open > 0; open = await page.locator('dialog[open]').count()) {
    const top = page.locator('dialog[open]').last()
    const kind = await top.getAttribute('class')
    // The menu's ✕, the wipe question's Cancel (its first button), or a dialog's ✕.
    const close = kind?.includes('menu') ? top.locator('.menu-head button') : kind?.includes('wipe-dialog') ? top.locator('.actions button').first() : top.locator(':scope > .dialog-head .close')
    await close.click()
    await page.waitForFunction((n) => document.querySelectorAll('dialog[open]').length < n, open)
  }
  await historySettled(page)
}

async function onBoard(page: Page): Promise<void> {
  await closeDialogs(page)
  if (page.url() !== boardUrl) await page.goto(boardUrl)
  await page
    .locator('article.card')
    .first()
    .waitFor()
    .catch(async (e: Error) => {
      // Seen twice in CI (Arabic, dark, back from another board): the Back
      // that took a closed dialog's history guard off undid the navigation
      // to this board (since repaired in dialog-history.ts, and closeDialogs
      // waits for it). Say what the page showed.
      const seen = await page.evaluate(() => ({
        route: location.hash.split('/').slice(0, 2).join('/'),
        cards: document.querySelectorAll('article.card').length,
        dialogs: document.querySelectorAll('dialog[open]').length,
        text: document.body.innerText.replace(/\s+/g, ' ').slice(0, 500),
      }))
      const shot = await screenshot(page, 'screens-no-board')
      throw new Error(`${e.message}\nThe page showed (${shot}): ${JSON.stringify(seen)}`)
    })
}

async function openMembersOf(page: Page, url: string): Promise<void> {
  await closeDialogs(page)
  if (page.url() !== url) await page.goto(url)
  await page.locator('.members-button').click()
  await page.locator('[data-testid=members] li').first().waitFor()
}

/** Each screen: how to get there from anywhere. Sami's screens are marked; the rest are Noor's. */
const SCREENS: [string, (page: Page) => Promise<void>, 'sami'?][] = [
  ['home', async (page) => {
    await closeDialogs(page)
    await page.goto(`${app.url}#/`)
    await page.locator('.board-link').first().waitFor()
  }],
  ['new-board-errors', async (page) => {
    await page.goto(`${app.url}#/new`)
    await page.locator('form button[type=submit]').click()
    await page.locator('.field-error').first().waitFor()
  }],
  ['join-error', async (page) => {
    await page.goto(`${app.url}#/join`)
    await page.locator('#join-link').fill('see you on friday')
    await page.locator('#join-you').fill('Noor')
    await page.locator('form button[type=submit]').click()
    await page.locator('#join-link-err').waitFor()
  }],
  ['settings', async (page) => {
    await page.goto(`${app.url}#/settings`)
    await page.locator('#set-lang').waitFor()
  }],
  ['board', async (page) => {
    await onBoard(page)
  }],
  ['kind-chooser', async (page) => {
    await onBoard(page)
    await page.locator('.fab').click()
    await page.locator('.kind-choices').waitFor()
  }],
  ['event-form-errors', async (page) => {
    await page.locator('.kind-choices button').nth(1).click()
    await page.locator('dialog[open] form button[type=submit]').click()
    await page.locator('dialog[open] .field-error').first().waitFor()
  }],
  ['meeting-detail', async (page) => {
    await onBoard(page)
    await page.locator('.card-open', { hasText: MEETING }).click()
    await page.locator('.code-word button').click()
    await page.getByTestId('access').waitFor()
  }],
  ['delete-question', async (page) => {
    await page.locator('.detail-actions .danger').click()
    await page.locator('dialog[open]').nth(1).waitFor()
  }],
  ['menu', async (page) => {
    await onBoard(page)
    await page.locator('.app-bar .menu-button').click()
    await page.locator('dialog.menu').waitFor()
  }],
  ['wipe-question', async (page) => {
    await page.locator('dialog.menu button.wipe').click()
    await page.locator('.wipe-dialog').waitFor()
  }],
  ['invite-form', async (page) => {
    await onBoard(page)
    await page.locator('.app-bar .menu-button').click()
    await page.locator('.menu-items button').nth(0).click()
    await page.locator('#invite-uses').waitFor()
  }],
  ['invite', async (page) => {
    await page.locator('dialog[open] form button[type=submit]').click()
    await page.waitForFunction(() => (document.querySelector('canvas.qr') as HTMLCanvasElement | null)?.width === 280)
  }],
  ['members', async (page) => {
    await openMembersOf(page, boardUrl)
    await page.locator('[data-testid=member] .danger').first().waitFor()
    await page.locator('[data-testid=history] li').first().waitFor()
  }],
  ['remove-question', async (page) => {
    await page.locator('[data-testid=member] .danger').first().click()
    await page.locator('[role=alertdialog]').waitFor()
  }],
  ['founder-question', async (page) => {
    await page.locator('[data-testid=member] [data-testid=make-founder]').first().click()
    await page.locator('[role=alertdialog] .primary').waitFor()
  }],
  ['members-request', async (page) => {
    await openMembersOf(page, askingUrl)
    await page.locator('[data-testid=request]').waitFor()
    await page.locator('[data-testid=invite]').first().waitFor()
  }],
  ['waiting', async (page) => {
    await page.goto(samiWaitingUrl)
    await page.getByTestId('waiting').waitFor()
  }, 'sami'],
  ['removed', async (page) => {
    await page.goto(samiRemovedUrl)
    await page.getByTestId('removed').waitFor()
  }, 'sami'],
  ['board-settings', async (page) => {
    await onBoard(page)
    await page.locator('.app-bar .menu-button').click()
    await page.locator('.menu-items button').nth(2).click()
    await page.locator('#bs-name').waitFor()
  }],
  ['lock-screen', async (page) => {
    await onBoard(page)
    await page.locator('.bar-lock').click()
    await page.locator('#lock-pass').waitFor()
  }],
]

/** Checks the screen on show, photographs it, and records what is wrong (all screens are checked before the test fails). */
async function check(page: Page, name: string): Promise<void> {
  // Let fonts, the QR code and transitions settle.
  await page.waitForTimeout(150)
  const path = join(DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  shots.push(path)
  await expectNoAxeViolations(page, name, AXE_TAGS_22, ['target-size']).catch((err: Error) => findings.push(err.message))
  for (const problem of await layoutProblems(page)) findings.push(`${name}: ${problem}`)
  for (const small of await smallTargets(page)) findings.push(`${name}: target under 48 px: ${small}`)
  // Last: it moves the focus, and scrolls.
  for (const covered of await focusObscured(page)) findings.push(`${name}: focus obscured: ${covered}`)
}

async function setLanguage(page: Page, locale: 'en' | 'ar'): Promise<void> {
  await closeDialogs(page)
  await page.goto(`${app.url}#/`)
  await page.locator('.app-bar .lang select').selectOption(locale)
  await page.waitForFunction((l) => document.documentElement.lang === l, locale)
}

describe('every screen at 360 × 740', () => {
  it('Noor has a board with a post of every kind, in two languages', async () => {
    const page = noor.page
    await page.goto(app.url)
    await createBoard(page, { name: 'Rainbow mutual aid network', description: 'Help, news and safe places for our circle.', displayName: 'Noor' })
    boardUrl = page.url()
    await postItem(page, { kind: 'notice', title: 'Welcome to the board', body: 'Introduce yourself at the next meeting. Be kind to newcomers.', tags: 'welcome, rules, newcomers' })
    await postItem(page, { kind: 'notice', title: 'أهلًا بكم في لوحتنا', body: 'نلتقي كل خميس في المكان المعتاد. عرّفوا بأنفسكم في اللقاء القادم.' })
    await postItem(page, { kind: 'event', title: 'Potluck dinner', start: daysFromNow(3, 18), end: daysFromNow(3, 21), place: 'Community centre, 2nd floor', body: 'Bring a dish if you can.' })
    await postItem(page, { kind: 'meeting', title: MEETING, start: daysFromNow(5, 19), end: daysFromNow(5, 21), place: 'Cedar Street 12', access: 'Ask for Sami, code word: sunflower' })
    await postItem(page, { kind: 'aid', title: 'Need a room for two weeks', aidType: 'Request', category: 'Housing', body: 'Lost my flat after coming out to my landlord.' })
    await postItem(page, {
      kind: 'resource',
      name: 'Dr. Layla Haddad',
      contact: 'https://clinic.example.org/appointments/book-a-confidential-visit-with-dr-layla-haddad?ref=hearth',
      body: 'Friendly family doctor, no questions asked.',
    })
    // The first post starts high on the screen.
    await page.evaluate(() => scrollTo(0, 0))
    const top = await page.locator('article.card').first().evaluate((el) => el.getBoundingClientRect().top)
    console.log(`[measure] first post starts ${Math.round(top)} px down a 740 px screen (was 595 px)`)
    expect(top).toBeLessThan(300)
    await openSettings(page)
    await page.getByLabel('New passphrase').fill(PASSPHRASE)
    await page.getByLabel('Type the passphrase again').fill(PASSPHRASE)
    await page.getByRole('button', { name: 'Set passphrase' }).click()
    await page.getByRole('status').filter({ hasText: 'Passphrase saved.' }).waitFor()
  })

  it('Sami is a member of Noor’s board, waits for her approval on a second, and was removed from a third', async () => {
    const page = noor.page
    await noor.page.goto(boardUrl)
    // Noor's board with every kind of post: Sami is let in at once.
    await sami.page.goto(await readInviteLink(page))
    await submitJoin(sami.page, 'Sami')
    await sami.page.locator('article.card').first().waitFor({ timeout: 45_000 })

    // A board whose invitation asks Noor first: Sami waits.
    await page.goto(`${app.url}#/`)
    await createBoard(page, { name: 'Legal aid rota', displayName: 'Noor' })
    askingUrl = page.url()
    await sami.page.goto(await readInviteLink(page, { ask: true }))
    await submitJoin(sami.page, 'Sami')
    await sami.page.getByTestId('waiting').waitFor()
    samiWaitingUrl = sami.page.url()
    await openMembersOf(page, askingUrl)
    await page.locator('[data-testid=request]').waitFor({ timeout: 45_000 })
    await closeDialogs(page)

    // A board Noor removes Sami from.
    await page.goto(`${app.url}#/`)
    await createBoard(page, { name: 'Old garden group', displayName: 'Noor' })
    const removedFrom = page.url()
    await sami.page.goto(await readInviteLink(page))
    await submitJoin(sami.page, 'Sami')
    await sami.page.locator('.members-button').waitFor({ timeout: 45_000 })
    samiRemovedUrl = sami.page.url()
    await openMembersOf(page, removedFrom)
    await page.locator('[data-testid=member] .danger').first().click()
    await page.locator('[role=alertdialog] .danger').click()
    await sami.page.getByTestId('removed').waitFor({ timeout: 45_000 })
    await closeDialogs(page)
  })

  for (const locale of ['en', 'ar'] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${locale}, ${scheme}: axe (with WCAG 2.2 target size), no overflow or clipping, 48 px targets`, async () => {
        for (const peer of [noor, sami]) {
          await peer.page.emulateMedia({ colorScheme: scheme })
          await setLanguage(peer.page, locale)
        }
        for (const [name, reach, who] of SCREENS) {
          const page = who === 'sami' ? sami.page : noor.page
          await reach(page)
          await check(page, `${locale}-${scheme}-${name}`)
          if (name === 'lock-screen') {
            await page.locator('#lock-pass').fill(PASSPHRASE)
            await page.locator('.lock-screen form button[type=submit]').click()
            await page.locator('.board-link').first().waitFor()
          }
        }
      })
    }
  }

  it('found nothing wrong on any screen', () => {
    console.log(`[screens] ${shots.length} screenshots in ${DIR}`)
    expect(findings.join('\n')).toBe('')
  })
})
