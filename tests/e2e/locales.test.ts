/**
 * The seven languages after English and Arabic, on a 360 × 740 phone. Noor
 * has a board full of posts; she hands her phone round the circle, and each
 * person switches Hearth to their language from the header: Persian (right
 * to left, Persian digits, the Solar Hijri calendar), Turkish, Russian,
 * French, Spanish, Portuguese and Indonesian. The screens with the longest
 * texts go through axe-core (with WCAG 2.2 target size), the layout check
 * (nothing wider than the screen, no text spilling out of or cut off by its
 * box), the 48 px check, and a check that no English message is left on
 * screen. Screenshots land in test-results/screens/locale-*.png for a
 * person to look at. A second, new phone shows the first-run question in
 * each language. Light only: screens.test.ts covers dark in English and
 * Arabic, and colours do not change with the language.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { en } from '../../src/i18n/en.ts'
import { es } from '../../src/i18n/es.ts'
import { fa } from '../../src/i18n/fa.ts'
import { fr } from '../../src/i18n/fr.ts'
import { id } from '../../src/i18n/id.ts'
import type { Messages } from '../../src/i18n/messages.ts'
import { pt } from '../../src/i18n/pt.ts'
import { ru } from '../../src/i18n/ru.ts'
import { tr } from '../../src/i18n/tr.ts'
import { AXE_TAGS_22, expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { createBoard, daysFromNow, localInput, openSettings, postItem, readInviteLink } from './support/flows.ts'
import { layoutProblems, smallTargets } from './support/layout.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

const PASSPHRASE = 'lanterns over the quiet harbour'
const MEETING = 'Support circle at the blue door'
const CATALOGS = { fa, tr, ru, fr, es, pt, id } as const
type NewLocale = keyof typeof CATALOGS

let app: App
let noor: Peer
let boardUrl = ''
const findings: string[] = []
let shots = 0

beforeAll(async () => {
  app = await startApp()
  noor = await launchPeer('noor-locales', { viewport: { width: 360, height: 740 } })
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/** Closes every open dialog through its own ✕ (Escape three times would be the panic shortcut). */
async function closeDialogs(page: Page): Promise<void> {
  for (let open = await page.locator('dialog[open]').count(); open > 0; open = await page.locator('dialog[open]').count()) {
    const top = page.locator('dialog[open]').last()
    const close = (await top.getAttribute('class'))?.includes('menu') ? top.locator('.menu-head button') : top.locator(':scope > .dialog-head .close')
    await close.click()
    await page.waitForFunction((n) => document.querySelectorAll('dialog[open]').length < n, open)
  }
}

async function onBoard(page: Page): Promise<void> {
  await closeDialogs(page)
  if (page.url() !== boardUrl) await page.goto(boardUrl)
  await page.locator('article.card').first().waitFor()
}

/**
 * English messages (without parameters, long enough to be unmistakable)
 * that are on screen although the language has its own words for them: a
 * component that bypasses the catalog, or a message that fell back to English.
 */
async function englishLeft(page: Page, catalog: Messages): Promise<string[]> {
  const english = Object.entries(en)
    .filter(([key, text]) => typeof text === 'string' && !text.includes('{') && text.length >= 12 && catalog[key as keyof Messages] !== text)
    .map(([, text]) => text as string)
  return page.evaluate((candidates) => {
    const shown = document.body.innerText
    return candidates.filter((text) => shown.includes(text))
  }, english)
}

/** The screens with the longest texts, each reached through the app's own controls (CSS classes and URLs, the same in every language). */
const SCREENS: [string, (page: Page, locale: NewLocale) => Promise<void>][] = [
  ['boards', async (page) => {
    await closeDialogs(page)
    await page.goto(`${app.url}#/`)
    await page.locator('.board-link').first().waitFor()
  }],
  ['settings', async (page) => {
    await page.goto(`${app.url}#/settings`)
    await page.locator('#set-lang').waitFor()
  }],
  ['board', async (page) => {
    await onBoard(page)
  }],
  ['kind-chooser', async (page) => {
    await page.locator('.fab').click()
    await page.locator('.kind-choices').waitFor()
  }],
  ['event-form-errors', async (page, locale) => {
    await page.locator('.kind-choices button').nth(1).click()
    const form = page.locator('dialog[open] form')
    // A start time, so the field writes the moment out under it in the person's own calendar.
    const start = daysFromNow(3, 18)
    await form.locator('input[type=datetime-local]').first().fill(localInput(start))
    await form.locator('button[type=submit]').click()
    await page.locator('dialog[open] .field-error').first().waitFor()
    const preview = await form.locator('.date-preview').first().innerText()
    expect(preview, `${locale}: the chosen moment in words`).toBe(await page.evaluate(([l, ms]) => new Intl.DateTimeFormat(l as string, { dateStyle: 'full', timeStyle: 'short' }).format(ms as number), [locale, start]))
    // The field itself keeps its ISO value whatever the language.
    expect(await form.locator('input[type=datetime-local]').first().inputValue()).toBe(localInput(start))
  }],
  ['meeting-detail', async (page) => {
    await onBoard(page)
    await page.locator('.card-open', { hasText: MEETING }).click()
    await page.locator('.code-word button').click()
    await page.getByTestId('access').waitFor()
  }],
  ['invite-form', async (page) => {
    await onBoard(page)
    await page.locator('.app-bar .menu-button').click()
    await page.locator('.menu-items button').nth(0).click()
    await page.locator('#invite-uses').waitFor()
  }],
  ['invite-created', async (page) => {
    await page.locator('dialog[open] form button[type=submit]').click()
    await page.waitForFunction(() => (document.querySelector('canvas.qr') as HTMLCanvasElement | null)?.width === 280)
  }],
  ['members', async (page) => {
    await onBoard(page)
    await page.locator('.members-button').click()
    await page.locator('[data-testid=members] li').first().waitFor()
  }],
  ['board-settings-relay', async (page) => {
    await onBoard(page)
    await page.locator('.app-bar .menu-button').click()
    await page.locator('.menu-items button').nth(2).click()
    // A relay link made, so its explanation, command, warning and QR code are all on screen.
    await page.locator('[data-testid=add-relay] button').first().click()
    await page.waitForFunction(() => (document.querySelector('[data-testid=relay-qr]') as HTMLCanvasElement | null)?.width === 280)
    // The dialog scrolls on its own: bring the relay part into the screenshot (the checks read the whole dialog either way).
    await page.locator('[data-testid=add-relay]').evaluate((el) => el.scrollIntoView({ block: 'start' }))
  }],
  ['lock-screen', async (page) => {
    await onBoard(page)
    await page.locator('.bar-lock').click()
    await page.locator('#lock-pass').waitFor()
  }],
]

async function check(page: Page, locale: NewLocale, name: string): Promise<void> {
  // Let fonts, the QR code and transitions settle.
  await page.waitForTimeout(150)
  await screenshot(page, `locale-${locale}-${name}`)
  shots++
  const where = `${locale} ${name}`
  await expectNoAxeViolations(page, where, AXE_TAGS_22, ['target-size']).catch((err: Error) => findings.push(err.message))
  for (const problem of await layoutProblems(page)) findings.push(`${where}: ${problem}`)
  for (const small of await smallTargets(page)) findings.push(`${where}: target under 48 px: ${small}`)
  for (const text of await englishLeft(page, CATALOGS[locale])) findings.push(`${where}: English left on screen: "${text}"`)
}

describe('seven more languages at 360 × 740', () => {
  it('Noor has a board with a post of every kind, an open invitation and a passphrase', async () => {
    const page = noor.page
    await page.goto(app.url)
    await createBoard(page, { name: 'Rainbow mutual aid network', description: 'Help, news and safe places for our circle.', displayName: 'Noor' })
    boardUrl = page.url()
    await postItem(page, { kind: 'notice', title: 'Welcome to the board', body: 'Introduce yourself at the next meeting. Be kind to newcomers.', tags: 'welcome, rules, newcomers' })
    await postItem(page, { kind: 'notice', title: 'Добро пожаловать на нашу доску', body: 'Встречаемся каждый четверг в обычном месте. Представьтесь на следующей встрече.' })
    await postItem(page, { kind: 'notice', title: 'به تابلوی ما خوش آمدید', body: 'هر پنجشنبه در جای همیشگی همدیگر را می‌بینیم.' })
    await postItem(page, { kind: 'event', title: 'Potluck dinner', start: daysFromNow(3, 18), end: daysFromNow(3, 21), place: 'Community centre, 2nd floor', body: 'Bring a dish if you can.' })
    await postItem(page, { kind: 'meeting', title: MEETING, start: daysFromNow(5, 19), end: daysFromNow(5, 21), place: 'Cedar Street 12', access: 'Ask for Sami, code word: sunflower' })
    await postItem(page, { kind: 'aid', title: 'Need a room for two weeks', aidType: 'Request', category: 'Housing', body: 'Lost my flat after coming out to my landlord.' })
    await postItem(page, {
      kind: 'resource',
      name: 'Dr. Layla Haddad',
      contact: 'https://clinic.example.org/appointments/book-a-confidential-visit-with-dr-layla-haddad?ref=hearth',
      body: 'Friendly family doctor, no questions asked.',
    })
    // An open invitation, so the members view lists one with its expiry date.
    await readInviteLink(page, { uses: 5, ask: true })
    await openSettings(page)
    await page.getByLabel('New passphrase').fill(PASSPHRASE)
    await page.getByLabel('Type the passphrase again').fill(PASSPHRASE)
    await page.getByRole('button', { name: 'Set passphrase' }).click()
    await page.getByRole('status').filter({ hasText: 'Passphrase saved.' }).waitFor()
  })

  for (const locale of Object.keys(CATALOGS) as NewLocale[]) {
    it(`${locale}: chosen from the header; axe, no overflow or clipping, 48 px targets, no English left`, async () => {
      const page = noor.page
      await closeDialogs(page)
      await page.goto(`${app.url}#/`)
      await page.locator('.app-bar .lang select').selectOption(locale)
      // The whole page takes the language and its direction.
      await page.waitForFunction((l) => document.documentElement.lang === l, locale)
      expect(await page.evaluate(() => document.documentElement.dir)).toBe(locale === 'fa' ? 'rtl' : 'ltr')
      expect(await page.locator('h1').first().innerText()).toBe(CATALOGS[locale]['boards.title'])
      for (const [name, reach] of SCREENS) {
        await reach(page, locale)
        await check(page, locale, name)
        if (name === 'lock-screen') {
          await page.locator('#lock-pass').fill(PASSPHRASE)
          await page.locator('.lock-screen form button[type=submit]').click()
          await page.locator('.board-link').first().waitFor()
        }
      }
    })
  }

  it('Bahar, on a new phone, meets the first-run question in each language', async () => {
    // A device that keeps nothing yet asks for a passphrase on the board list: the longest text a newcomer reads first.
    const bahar = await launchPeer('bahar-locales', { viewport: { width: 360, height: 740 } })
    const page = bahar.page
    await page.goto(app.url)
    for (const locale of Object.keys(CATALOGS) as NewLocale[]) {
      await page.locator('.app-bar .lang select').selectOption(locale)
      await page.waitForFunction((l) => document.documentElement.lang === l, locale)
      expect(await page.locator('#first-run-title').innerText()).toBe(CATALOGS[locale]['firstRun.title'])
      await check(page, locale, 'first-run')
    }
  })

  it('keeps the choice across a restart, and found nothing wrong on any screen', async () => {
    // The last language chosen (Indonesian) is remembered, before the passphrase is even asked.
    const page = await noor.reopen()
    await page.locator('#lock-pass').waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('id')
    console.log(`[locales] ${shots} screenshots in test-results/screens/locale-*.png`)
    expect(findings.join('\n')).toBe('')
  })
})
