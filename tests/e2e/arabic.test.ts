/**
 * Noor reads Arabic on a small phone. She switches the app to Arabic from the
 * header, the whole page turns right-to-left, the choice is remembered, and a
 * board full of Arabic posts fits a 360 px screen and stays accessible.
 * Screenshots land in test-results/screens/ar-*.png for a human to look at.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { card, closeDialog, daysFromNow, localInput, openDetail, openMenu, resultCount, syncStatus, textOf, unexpectedErrors, waitForQrDrawn, waitForText } from './support/flows.ts'
import { screenshot } from './support/screens.ts'
import { startApp, type App } from './support/server.ts'

// Arabic strings, as in src/i18n/ar.ts.
const AR = {
  boards: 'لوحاتك',
  create: 'إنشاء لوحة',
  join: 'الانضمام إلى لوحة',
  language: 'اللغة',
  boardName: 'اسم اللوحة',
  description: 'الوصف (اختياري)',
  displayName: 'اسمك في هذه اللوحة',
  createSubmit: 'أنشئ اللوحة',
  post: 'انشر',
  chooseKind: 'ماذا تريد أن تنشر؟',
  title: 'العنوان',
  text: 'النص',
  details: 'التفاصيل',
  start: 'يبدأ',
  endOptional: 'ينتهي (اختياري)',
  place: 'المكان',
  name: 'الاسم',
  whatItIs: 'ما هو',
  contact: 'طريقة التواصل',
  invite: 'دعوة',
  createInvite: 'إنشاء الدعوة',
  inviteLink: 'رابط الدعوة',
  searching: 'جارٍ البحث عن أعضاء آخرين…',
  alone: 'لا أعضاء آخرين بعد',
  search: 'ابحث في هذه اللوحة',
  kindNav: 'ما يُعرض',
  menu: 'القائمة',
  wipe: 'امحُ الآن…',
  scan: 'مسح ضوئي لرمز QR',
} as const

const BOARD = 'شبكة الدعم المتبادل'
const NOTICE = {
  title: 'أهلًا بكم في لوحتنا',
  body: 'نلتقي كل خميس في المكان المعتاد. عرّفوا بأنفسكم في اللقاء القادم، وكونوا لطفاء مع القادمين الجدد. لا تشاركوا صور اللقاءات خارج المجموعة.',
}
const EVENT = { title: 'عشاء جماعي', body: 'أحضروا طبقًا إن استطعتم، ولا يُرد أحد.', place: 'المركز المجتمعي، الطابق الثاني', start: daysFromNow(4, 18), end: daysFromNow(4, 21) }
const AID = { title: 'أحتاج غرفة لمدة أسبوعين', body: 'فقدت سكني بعد أن عرف المالك. أستطيع دفع مبلغ صغير.' }
/** A phone number in Arabic text: it must read in its own (left-to-right) order. */
const PHONE = { name: 'خط المساعدة', contact: '+44 20 7946 0000 ext 12' }
const RESOURCE = {
  name: 'د. ليلى حداد',
  body: 'طبيبة عائلة متفهمة، بلا أسئلة.',
  // A long unbroken string, as people paste them: it must wrap, not widen the page.
  contact: 'https://clinic.example.org/appointments/book-a-confidential-visit-with-dr-layla-haddad?ref=hearth-board',
}

let app: App
let noor: Peer

beforeAll(async () => {
  app = await startApp()
  noor = await launchPeer('noor', { viewport: { width: 360, height: 740 } })
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

async function htmlLangDir(page: Page): Promise<{ lang: string; dir: string }> {
  return page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }))
}

/**
 * Horizontal overflow: the page's scroll width, and every element that sticks
 * out of the viewport (except inside a container that scrolls or clips
 * sideways on purpose, like the row of kind filters).
 */
async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; wide: string[] }> {
  return page.evaluate(() => {
    const wide: string[] = []
    const clipped = (el: Element): boolean => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true
      }
      return false
    }
    for (const el of document.querySelectorAll('body *')) {
      if (clipped(el)) continue
      const r = el.getBoundingClientRect()
      if (r.width > 0 && (r.left < -1 || r.right > innerWidth + 1)) {
        const id = el.id ? `#${el.id}` : ''
        const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''
        wide.push(`${el.tagName.toLowerCase()}${id}${cls} [${Math.round(r.left)}, ${Math.round(r.right)}]`)
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, wide: wide.slice(0, 10) }
  })
}

async function expectNoOverflow(page: Page, where: string): Promise<void> {
  const o = await overflow(page)
  // Soft: every screen of the story is checked (and photographed) even if one overflows.
  expect.soft(o.scrollWidth, `${where}: page wider than the screen; widest: ${o.wide.join(', ')}`).toBeLessThanOrEqual(o.innerWidth)
  expect.soft(o.wide, `${where}: elements outside the screen`).toEqual([])
}

async function postArabic(page: Page, kind: RegExp, fill: (dialog: ReturnType<Page['getByRole']>) => Promise<void>, title: string): Promise<void> {
  await page.getByRole('button', { name: AR.post, exact: true }).click()
  await page.getByRole('dialog', { name: AR.chooseKind }).getByRole('button', { name: kind }).click()
  const dialog = page.getByRole('dialog')
  await dialog.locator('form').waitFor()
  await fill(dialog)
  await dialog.getByRole('button', { name: AR.post, exact: true }).click()
  await dialog.waitFor({ state: 'detached' })
  await card(page, title).waitFor()
}

describe('Hearth in Arabic', () => {
  it('switches to Arabic from the header, right to left, and remembers it', async () => {
    const page = noor.page
    await page.goto(app.url)
    await page.getByRole('heading', { level: 1, name: 'Your boards' }).waitFor()
    expect(await htmlLangDir(page)).toEqual({ lang: 'en', dir: 'ltr' })

    await page.getByRole('combobox', { name: 'Language' }).selectOption({ label: 'العربية' })
    await page.getByRole('heading', { level: 1, name: AR.boards }).waitFor()
    expect(await htmlLangDir(page)).toEqual({ lang: 'ar', dir: 'rtl' })
    await page.getByRole('button', { name: AR.create }).waitFor()
    await page.getByRole('button', { name: AR.join }).waitFor()
    expect(await page.getByRole('combobox', { name: AR.language }).inputValue()).toBe('ar')

    // The choice is written to the device file in the background; the select is busy until it is kept.
    await page.getByRole('combobox', { name: AR.language }).and(page.locator('[aria-busy="false"]')).waitFor()
    await page.reload()
    await page.getByRole('heading', { level: 1, name: AR.boards }).waitFor()
    expect(await htmlLangDir(page)).toEqual({ lang: 'ar', dir: 'rtl' })
    await expectNoOverflow(page, 'home in Arabic')
    await screenshot(page, 'ar-home')
    await expectNoAxeViolations(page, 'home in Arabic')
  })

  it('a board full of Arabic posts fits a 360 px phone', async () => {
    const page = noor.page
    await page.getByRole('button', { name: AR.create }).click()
    await page.getByLabel(AR.boardName).fill(BOARD)
    await page.getByLabel(AR.description).fill('لوحة خاصة لمجموعتنا: مساعدة، أخبار، وأماكن آمنة.')
    await page.getByLabel(AR.displayName).fill('نور')
    await expectNoOverflow(page, 'create form in Arabic')
    await page.getByRole('button', { name: AR.createSubmit }).click()
    await page.getByRole('heading', { level: 1, name: BOARD }).waitFor()
    await waitForText(syncStatus(page), AR.alone)

    await postArabic(page, /^إعلان/, async (d) => {
      await d.getByLabel(AR.title).fill(NOTICE.title)
      await d.getByLabel(AR.text).fill(NOTICE.body)
    }, NOTICE.title)
    await postArabic(page, /^فعالية/, async (d) => {
      await d.getByLabel(AR.title).fill(EVENT.title)
      await d.getByLabel(AR.start).fill(localInput(EVENT.start))
      await d.getByLabel(AR.endOptional).fill(localInput(EVENT.end))
      await d.getByLabel(AR.place).fill(EVENT.place)
      await d.getByLabel(AR.details).fill(EVENT.body)
      await screenshot(page, 'ar-form')
      await expectNoOverflow(page, 'event form in Arabic')
      await expectNoAxeViolations(page, 'event form dialog in Arabic')
    }, EVENT.title)
    await postArabic(page, /^مساعدة متبادلة/, async (d) => {
      await d.getByLabel(AR.title).fill(AID.title)
      await d.getByRole('radio', { name: 'طلب' }).check()
      await d.getByLabel('الفئة').selectOption({ label: 'السكن' })
      await d.getByLabel(AR.text).fill(AID.body)
    }, AID.title)
    await postArabic(page, /^مورد/, async (d) => {
      await d.getByLabel(AR.name).fill(RESOURCE.name)
      await d.getByLabel(AR.whatItIs).fill(RESOURCE.body)
      await d.getByLabel(AR.contact).fill(RESOURCE.contact)
    }, RESOURCE.name)

    await postArabic(page, /^مورد/, async (d) => {
      await d.getByLabel(AR.name).fill(PHONE.name)
      await d.getByLabel(AR.contact).fill(PHONE.contact)
    }, PHONE.name)

    // Arabic plural: 5 → "few" form, with the locale's digits.
    const five = await page.evaluate(() => new Intl.NumberFormat('ar').format(5))
    await waitForText(resultCount(page), `${five} عناصر`)
    expect(await textOf(card(page, EVENT.title))).toContain(EVENT.place)
    expect(await textOf(card(page, AID.title))).toContain('طلب · السكن')
    expect(await textOf(card(page, NOTICE.title))).toContain('نشره نور')
    const view = await openDetail(page, RESOURCE.name)
    expect(await textOf(view)).toContain(`التواصل: ${RESOURCE.contact}`)
    await expectNoOverflow(page, 'a resource in Arabic with a long link')
    await closeDialog(view, 'إغلاق')

    // "+44 20 7946 0000 ext 12" reads left to right inside the Arabic card: "+" first on the left, "12" last on the right.
    const order = await card(page, PHONE.name).evaluate((el, phone) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent!.indexOf(phone)
        if (at < 0) continue
        const range = document.createRange()
        const x = (i: number) => {
          range.setStart(node!, at + i)
          range.setEnd(node!, at + i + 1)
          return range.getBoundingClientRect().left
        }
        return { plus: x(0), four: x(1), ext: x(phone.indexOf('ext')), last: x(phone.length - 1) }
      }
      return null
    }, PHONE.contact)
    expect(order, 'the phone number is on the card').not.toBeNull()
    expect(order!.plus).toBeLessThan(order!.four)
    expect(order!.four).toBeLessThan(order!.ext)
    expect(order!.ext).toBeLessThan(order!.last)

    expect(await htmlLangDir(page)).toEqual({ lang: 'ar', dir: 'rtl' })
    await screenshot(page, 'ar-board')
    await expectNoOverflow(page, 'board in Arabic')

    await (await openMenu(page, undefined, AR.menu)).getByRole('button', { name: AR.invite }).click()
    const invite = page.getByRole('dialog', { name: `دعوة إلى ${BOARD}` })
    await invite.waitFor()
    // First who it is for, how many uses, when it stops; then the code.
    await screenshot(page, 'ar-invite-form')
    await expectNoOverflow(page, 'invite form in Arabic')
    await invite.getByRole('button', { name: AR.createInvite }).click()
    await invite.getByTestId('invite-qr').waitFor()
    expect(await waitForQrDrawn(page)).toBeGreaterThan(1000)
    expect(await invite.getByLabel(AR.inviteLink).inputValue()).toContain('#/join/')
    await screenshot(page, 'ar-invite')
    await expectNoOverflow(page, 'invite dialog in Arabic')
    await page.keyboard.press('Escape')
    await invite.waitFor({ state: 'detached' })
  })

  it('axe finds no violations on the Arabic board and its dialogs', async () => {
    let page = noor.page
    const findings: string[] = []
    const check = (context: string) => expectNoAxeViolations(page, context).catch((err: Error) => void findings.push(err.message))
    // Independent of where the previous test stopped. In two whole-suite runs
    // (CI and a clean clone) this reload never committed within 30 s, though
    // the page kept working; it never happened in 14 runs of this file alone,
    // and its cause is not known. What this test checks is the board on
    // screen: when the reload hangs, the state of the page is reported and
    // the browser is started again on the same profile, as a phone
    // relaunches an app.
    const committed = await page.reload({ waitUntil: 'commit', timeout: 15_000 }).then(
      () => true,
      () => false,
    )
    if (!committed) {
      const state = await Promise.race([
        page.evaluate(async () => {
          const r = await navigator.serviceWorker.getRegistration()
          return { readyState: document.readyState, url: location.pathname + location.hash.slice(0, 3), controller: navigator.serviceWorker.controller?.state ?? null, installing: r?.installing?.state ?? null, waiting: r?.waiting?.state ?? null, active: r?.active?.state ?? null }
        }),
        new Promise((resolve) => setTimeout(() => resolve('the page did not answer within 5 s'), 5_000)),
      ]).catch((err: Error) => err.message)
      console.log(`[measure] the reload did not commit within 15 s; the page: ${JSON.stringify(state)}; starting the browser again on the same profile`)
      page = await noor.reopen()
    }
    await page.getByRole('heading', { level: 1, name: BOARD }).waitFor()
    await card(page, NOTICE.title).waitFor() // the cards, not just the board's frame
    await check('board in Arabic')
    await page.getByRole('button', { name: AR.post, exact: true }).click()
    await page.getByRole('dialog', { name: AR.chooseKind }).getByRole('button', { name: /^لقاء آمن/ }).click()
    await page.getByRole('dialog').locator('form').waitFor()
    await check('safe-meeting form dialog in Arabic')
    await page.keyboard.press('Escape')
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    await (await openMenu(page, undefined, AR.menu)).getByRole('button', { name: AR.invite }).click()
    await page.getByRole('dialog').getByRole('button', { name: AR.createInvite }).waitFor()
    await check('invite form in Arabic')
    await page.getByRole('dialog').getByRole('button', { name: AR.createInvite }).click()
    await page.getByRole('dialog').getByTestId('invite-qr').waitFor()
    await waitForQrDrawn(page)
    await check('invite dialog in Arabic')
    await page.keyboard.press('Escape')
    expect(findings.join('\n\n')).toBe('')
    const loading = await page.evaluate(() =>
      document.readyState === 'complete'
        ? null
        : [...document.querySelectorAll<HTMLImageElement | HTMLLinkElement | HTMLScriptElement>('img, link, script')]
            .filter((el) => !(el instanceof HTMLImageElement) || !el.complete)
            .map((el) => `${el.tagName.toLowerCase()} ${el.getAttribute('src') ?? el.getAttribute('href') ?? ''}`),
    )
    if (loading) console.log(`[measure] the reload's load event had not fired when the checks ended; not yet complete: ${loading.join(', ')}`)
  })

  it('says «محو» for Wipe and «مسح ضوئي» for Scan, never one word for both', async () => {
    const page = noor.page
    const menu = await openMenu(page, undefined, AR.menu)
    const wipe = await textOf(menu.getByRole('button', { name: AR.wipe }))
    expect(wipe).toBe(AR.wipe)
    expect(wipe).not.toMatch(/مسح/)
    await closeDialog(menu, 'إغلاق')
    await page.getByRole('banner').getByRole('button', { name: 'كل اللوحات' }).click()
    await page.getByRole('button', { name: AR.join }).click()
    await page.getByRole('button', { name: AR.scan }).waitFor()
  })

  it('logged no unexpected errors', () => {
    expect(unexpectedErrors(noor.errors)).toEqual([])
  })
})
