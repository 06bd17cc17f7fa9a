/**
 * Dariush's phone speaks Russian. On his first visit Hearth fetches Russian
 * and no other language (each language but English is a chunk of its own:
 * nine in the first script cost a slow link about a second). Then he hands
 * the phone to Shirin, who picks Persian while the link is failing: the
 * screen stays in Russian and says, in Russian, that the language could not
 * be loaded; nothing is half switched. Once the link is back, Persian loads.
 * Service workers are blocked, so every chunk comes from the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fa } from '../../src/i18n/fa.ts'
import { ru } from '../../src/i18n/ru.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { unexpectedErrors } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'

const LANGUAGE_CHUNK = /\/assets\/(ar|es|fa|fr|id|pt|ru|tr)-[\w-]+\.js$/
/** Persian's chunk, under any query (a try after a failure fetches it under one of its own: src/chunks/retriable.ts). */
const PERSIAN_CHUNK = /\/assets\/fa-[\w-]+\.js(\?.*)?$/

let app: App
let dariush: Peer

beforeAll(async () => {
  app = await startApp()
  dariush = await launchPeer('dariush-languages', { locale: 'ru-RU', viewport: { width: 360, height: 740 }, offlineCapable: false })
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

describe('each language is fetched when chosen', () => {
  it('fetches only the phone’s language on a first visit, and keeps it when another cannot be fetched', async () => {
    const page = dariush.page
    const fetched: string[] = []
    page.on('request', (request) => {
      const name = LANGUAGE_CHUNK.exec(new URL(request.url()).pathname)?.[1]
      if (name) fetched.push(name)
    })

    await page.goto(app.url)
    await page.getByRole('heading', { level: 1, name: ru['boards.title'] }).waitFor({ timeout: 30_000 })
    expect(fetched).toEqual(['ru'])
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ru')

    // The link fails just as Persian is asked for.
    await page.route(PERSIAN_CHUNK, (route) => route.abort('internetdisconnected'))
    const language = page.locator('header label.lang select')
    await language.selectOption('fa')
    const alert = page.getByRole('alert').filter({ hasText: ru['settings.languageUnavailable'] })
    await alert.waitFor({ timeout: 15_000 })
    expect(await language.inputValue()).toBe('ru')
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['ru', 'ltr'])
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(ru['boards.title'])

    // The link is back: the same choice loads Persian, right to left, and the message goes.
    await page.unroute(PERSIAN_CHUNK)
    await language.selectOption('fa')
    await page.getByRole('heading', { level: 1, name: fa['boards.title'] }).waitFor({ timeout: 15_000 })
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual(['fa', 'rtl'])
    expect(await page.getByRole('alert').filter({ hasText: ru['settings.languageUnavailable'] }).count()).toBe(0)
    expect(await page.getByRole('alert').filter({ hasText: fa['settings.languageUnavailable'] }).count()).toBe(0)
    expect(fetched.filter((l) => l !== 'fa')).toEqual(['ru'])

    // The failed fetch is the browser's own console line, and nothing else went wrong.
    expect(unexpectedErrors(dariush.errors, [/ERR_INTERNET_DISCONNECTED|Failed to load resource/])).toEqual([])
  })
})
