/**
 * How fast a small post reaches another member: Alice (phone) and Bob
 * (laptop) are connected; Alice posts 15 notices one by one and each is timed
 * from appearing on Alice's screen to appearing on Bob's. Both browsers run
 * on this machine, so their clocks agree. Only arrival is asserted; the
 * figures are printed as `[measure]` lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { STATUS, createBoard, fillItemForm, readInviteLink, resultCount, submitJoin, syncStatus, unexpectedErrors, until, waitForText } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'

const WRITES = 15

let app: App
let alice: Peer
let bob: Peer

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
 * Records, in the page, when each card title first appears in the DOM
 * (`Date.now()` in a MutationObserver, i.e. before the next paint).
 */
async function watchTitles(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __seen: Record<string, number> }
    w.__seen = {}
    const scan = () => {
      const now = Date.now()
      for (const h of document.querySelectorAll('article[data-testid=item] h3')) {
        const title = h.textContent ?? ''
        if (!(title in w.__seen)) w.__seen[title] = now
      }
    }
    scan()
    new MutationObserver(scan).observe(document.body, { childList: true, subtree: true, characterData: true })
  })
}

const seen = (page: Page): Promise<Record<string, number>> =>
  page.evaluate(() => (globalThis as unknown as { __seen: Record<string, number> }).__seen)

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

describe('small writes between two connected members', () => {
  it(`${WRITES} notices from Alice all reach Bob; latency is printed`, async () => {
    await alice.page.goto(app.url)
    await createBoard(alice.page, { name: 'Quick news', displayName: 'Alice' })
    const invite = await readInviteLink(alice.page)
    await bob.page.goto(invite)
    await submitJoin(bob.page, 'Bob')
    await bob.page.getByRole('heading', { level: 1, name: 'Quick news' }).waitFor({ timeout: 30_000 })
    await waitForText(syncStatus(bob.page), STATUS.synced1, 30_000)
    await waitForText(syncStatus(alice.page), STATUS.synced1, 30_000)
    await Promise.all([watchTitles(alice.page), watchTitles(bob.page)])

    const titles = Array.from({ length: WRITES }, (_, i) => `Quick note ${i + 1}`)
    for (const title of titles) {
      const page = alice.page
      await page.getByRole('button', { name: 'Post', exact: true }).click()
      await page.getByRole('dialog').getByRole('button', { name: /^Notice/ }).click()
      const form = page.getByRole('dialog')
      await fillItemForm(form, { kind: 'notice', title, body: `Short update: ${title.toLowerCase()}.` })
      await form.getByRole('button', { name: 'Post', exact: true }).click()
      await form.waitFor({ state: 'detached' })
      // One write at a time: wait for it on Bob before the next.
      await until(async () => title in (await seen(bob.page)), `"${title}" on Bob`, 30_000, 20)
    }

    const [onAlice, onBob] = await Promise.all([seen(alice.page), seen(bob.page)])
    const latencies = titles.map((t) => {
      expect(onAlice[t], `"${t}" on Alice`).toBeTypeOf('number')
      expect(onBob[t], `"${t}" on Bob`).toBeTypeOf('number')
      return onBob[t]! - onAlice[t]!
    })
    const sorted = [...latencies].sort((a, b) => a - b)
    console.log(`[measure] write latency median ${percentile(sorted, 50)} ms p95 ${percentile(sorted, 95)} ms (n=${WRITES}, all: ${latencies.join(' ')})`)

    await waitForText(resultCount(bob.page), `${WRITES} items`)
    await waitForText(resultCount(alice.page), `${WRITES} items`)
    expect(unexpectedErrors(alice.errors)).toEqual([])
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })
})
