/**
 * Forms on a 360 px phone. Alice posts in a hurry: she taps Post with
 * nothing filled in, pastes a letter far over the limit, closes the form by
 * mistake three ways, and expects to find her words again; Bob pastes the
 * wrong thing into Join. Everything checked is what they see or where the
 * keyboard focus goes.
 */
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { card, closeDialog, createBoard, daysFromNow, localInput, openMenu, postItem, readInviteLink, textOf, unexpectedErrors } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'

let app: App
let alice: Peer
let bob: Peer

beforeAll(async () => {
  app = await startApp()
  ;[alice, bob] = await Promise.all([
    launchPeer('alice-forms', { viewport: { width: 360, height: 740 } }),
    launchPeer('bob-forms', { viewport: { width: 360, height: 740 } }),
  ])
})

afterAll(async () => {
  await closeAllPeers()
  await app?.close()
})

/** What has the keyboard focus: its id, accessible name and whether it is on screen. */
const focus = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (!el || el === document.body) return { id: '', name: '(nothing)', onScreen: false }
    const r = el.getBoundingClientRect()
    const visibleText = (node: HTMLElement) => {
      const copy = node.cloneNode(true) as HTMLElement
      copy.querySelectorAll('[aria-hidden=true]').forEach((hidden) => hidden.remove())
      return copy.textContent
    }
    const name = (el.getAttribute('aria-label') ?? (el as HTMLInputElement).labels?.[0]?.textContent ?? visibleText(el) ?? '').replace(/\s+/g, ' ').trim()
    return { id: el.id, name, onScreen: r.top >= 0 && r.bottom <= innerHeight }
  })

/** The text of the elements that describe a field (its hint, counter and errors). */
const description = (field: Locator) =>
  field.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id) => document.getElementById(id)?.textContent?.trim() ?? '')
      .join(' | '),
  )

const borderColor = (field: Locator) => field.evaluate((el) => getComputedStyle(el).borderTopColor)

async function openNewForm(page: Page, kind: RegExp): Promise<Locator> {
  await page.getByRole('button', { name: 'Post', exact: true }).click()
  await page.getByRole('dialog', { name: 'What would you like to post?' }).getByRole('button', { name: kind }).click()
  const form = page.getByRole('dialog', { name: /^New / })
  await form.locator('form').waitFor()
  return form
}

describe('forms on a phone', () => {
  it('Post with nothing filled in moves the focus to the first invalid field, with its error beside it and a red border', async () => {
    const page = alice.page
    await page.goto(app.url)
    await createBoard(page, { name: 'Night shelter rota', displayName: 'Alice' })
    const form = await openNewForm(page, /^Event/)
    // Required fields are marked before anything goes wrong.
    const marked = await form.locator('.label-row').filter({ hasText: 'required' }).locator('label').allTextContents()
    expect(marked).toEqual(['Title', 'Starts'])
    const title = form.getByLabel('Title')
    const normal = await borderColor(title)

    await form.getByRole('button', { name: 'Post', exact: true }).click()
    await form.getByText('This is required.').first().waitFor()
    const focused = await focus(page)
    expect(focused.name).toBe('Title')
    expect(focused.onScreen).toBe(true)
    expect(await description(title)).toContain('This is required.')
    expect(await description(form.getByLabel('Starts'))).toContain('This is required.')
    const invalid = await borderColor(title)
    const danger = await page.evaluate(() => {
      const probe = document.createElement('i')
      probe.style.color = 'var(--danger)'
      document.body.append(probe)
      const color = getComputedStyle(probe).color
      probe.remove()
      return color
    })
    expect(invalid).not.toBe(normal)
    expect(invalid).toBe(danger)
    expect(await title.getAttribute('aria-invalid')).toBe('true')

    // Filling the title moves the focus to the next problem on the next try.
    await title.fill('Shelter open late')
    await form.getByRole('button', { name: 'Post', exact: true }).click()
    await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.type === 'datetime-local')
    expect((await focus(page)).name).toBe('Starts')
    await form.getByLabel('Starts').fill(localInput(daysFromNow(2, 20)))
    // The chosen moment, written out in the app's language: no day/month order to guess.
    const spelled = await page.evaluate((ms) => new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short' }).format(ms), daysFromNow(2, 20))
    expect(await description(form.getByLabel('Starts'))).toContain(spelled)
    await form.getByRole('button', { name: 'Post', exact: true }).click()
    await form.waitFor({ state: 'detached' })
    await card(page, 'Shelter open late').waitFor()
  })

  it('text over the limit is kept, counted before the limit and marked invalid, never cut', async () => {
    const page = alice.page
    const form = await openNewForm(page, /^Notice/)
    const title = form.getByLabel('Title')
    await title.fill('x'.repeat(150))
    expect(await form.locator('.counter').count()).toBe(0)
    await title.fill('x'.repeat(170))
    expect(await description(title)).toContain('170 / 200')
    expect(await title.getAttribute('aria-invalid')).toBe('false')
    await title.fill('x'.repeat(205))
    expect((await title.inputValue()).length).toBe(205)
    expect(await description(title)).toContain('205 / 200')
    expect(await description(title)).toContain('Too long by 5 characters: at most 200.')
    expect(await title.getAttribute('aria-invalid')).toBe('true')

    // A 200,000-character letter stays whole in the field.
    const body = form.getByLabel('Text')
    await body.fill('Dear friends, '.repeat(14_286).slice(0, 200_000))
    expect((await body.inputValue()).length).toBe(200_000)
    expect(await description(body)).toContain('Too long by 195,000 characters: at most 5,000.')
    await form.getByRole('button', { name: 'Post', exact: true }).click()
    await page.waitForTimeout(300)
    expect((await focus(page)).name).toBe('Title')
    expect(await form.isVisible()).toBe(true)
    await title.fill('Short title')
    await body.fill('Short text.')
    expect(await form.locator('.counter').count()).toBe(0)
    await form.getByRole('button', { name: 'Post', exact: true }).click()
    await form.waitFor({ state: 'detached' })
    await card(page, 'Short title').waitFor()
  })

  it('Escape, ✕ and the back gesture keep a half-written post, in memory only', async () => {
    const page = alice.page
    const words = { title: 'Keys are with Noor', body: 'Pick them up before 8 pm, ring twice.' }
    let form = await openNewForm(page, /^Notice/)
    await form.getByLabel('Title').fill(words.title)
    await form.getByLabel('Text').fill(words.body)

    const closers: [string, () => Promise<unknown>][] = [
      ['Escape', () => page.keyboard.press('Escape')],
      ['✕', () => form.getByRole('button', { name: 'Close' }).first().click()],
      ['the back gesture', () => page.goBack()],
    ]
    for (const [how, close] of closers) {
      await close()
      await form.waitFor({ state: 'detached' })
      // Still on the board, with a word that the draft is kept.
      await page.getByRole('heading', { level: 1, name: 'Night shelter rota' }).waitFor()
      await page.getByRole('status').filter({ hasText: 'Draft kept on this device' }).waitFor()
      // Three Escapes in a second would be the panic shortcut.
      await page.waitForTimeout(1100)
      await page.getByRole('button', { name: 'Post', exact: true }).click()
      const chooser = page.getByRole('dialog', { name: 'What would you like to post?' })
      expect(await textOf(chooser.getByRole('button', { name: /^Notice/ })), how).toContain('draft')
      await chooser.getByRole('button', { name: /^Notice/ }).click()
      form = page.getByRole('dialog', { name: /^New / })
      expect(await form.getByLabel('Title').inputValue(), `after ${how}`).toBe(words.title)
      expect(await form.getByLabel('Text').inputValue(), `after ${how}`).toBe(words.body)
      await form.getByText('Your unsent draft is back.').waitFor()
    }
    // Nothing of it reached the browser's storage (which lives on disk in plain text).
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))
    expect(stored).not.toContain('Keys are with Noor')
    expect(stored).not.toContain('ring twice')

    await form.getByRole('button', { name: 'Post', exact: true }).click()
    await form.waitFor({ state: 'detached' })
    await card(page, words.title).waitFor()
    // Posted: the draft is gone.
    form = await openNewForm(page, /^Notice/)
    expect(await form.getByLabel('Title').inputValue()).toBe('')
    await closeDialog(form)
  })

  it('the focus goes back to what opened a dialog when it closes', async () => {
    const page = alice.page
    await page.waitForTimeout(1100)
    await page.getByRole('button', { name: 'Post', exact: true }).click()
    await page.getByRole('dialog', { name: 'What would you like to post?' }).waitFor()
    await page.keyboard.press('Escape')
    await page.getByRole('dialog').waitFor({ state: 'detached' })
    expect((await focus(page)).name).toBe('Post')

    await page.getByRole('button', { name: 'Keys are with Noor', exact: true }).click()
    const view = page.getByRole('dialog', { name: 'Keys are with Noor' })
    expect((await focus(page)).name).toBe('Keys are with Noor') // the title, read first
    await closeDialog(view)
    expect((await focus(page)).name).toBe('Keys are with Noor')
    expect(await page.evaluate(() => document.activeElement?.closest('article') !== null)).toBe(true)

    await page.waitForTimeout(1100)
    const menu = await openMenu(page)
    expect((await focus(page)).name).toBe('Invite')
    await page.keyboard.press('Escape')
    await menu.waitFor({ state: 'detached' })
    expect((await focus(page)).name).toBe('Menu')
  })

  it('Join tells Bob what he pasted: not an invite, a damaged one, and the error sits under the invite field', async () => {
    const invite = await readInviteLink(alice.page)
    const page = bob.page
    await page.goto(app.url)
    await page.getByRole('button', { name: 'Join a board' }).click()
    const field = page.getByLabel('Invite link')
    await page.getByLabel('Your name on this board').fill('Bob')

    // The same link with a typo in the first character of its payload.
    const at = invite.indexOf('#/join/') + '#/join/'.length
    const typo = invite.slice(0, at) + (invite[at] === 'B' ? 'C' : 'B') + invite.slice(at + 1)
    const tries: [string, string][] = [
      ['see you at the shelter on friday', 'This is not a Hearth invite. Ask the member for their invite link or QR code.'],
      [typo, 'This invite is damaged: some characters changed. Ask for the link again.'],
    ]
    for (const [pasted, message] of tries) {
      await field.fill(pasted)
      await page.getByRole('button', { name: 'Join board' }).click()
      await page.getByRole('alert').filter({ hasText: message }).waitFor()
      expect(await textOf(page.getByRole('alert'))).not.toContain('newer version')
      expect(await description(field)).toBe(message)
      expect(await description(page.getByLabel('Your name on this board'))).not.toContain(message)
      expect((await focus(page)).name).toBe('Invite link')
      // The message is between the invite field and the name field.
      const order = await page.evaluate(() => {
        const all = [...document.querySelectorAll('#join-link, [role=alert], #join-you')].map((el) => (el.getAttribute('role') === 'alert' ? 'alert' : el.id))
        return all.join(' < ')
      })
      expect(order).toBe('join-link < alert < join-you')
    }

    // A good invite, but no name: the error is under the name.
    await field.fill(invite)
    await page.getByLabel('Your name on this board').fill('   ')
    await page.getByRole('button', { name: 'Join board' }).click()
    await page.getByRole('alert').filter({ hasText: 'This is required.' }).waitFor()
    expect(await description(page.getByLabel('Your name on this board'))).toContain('This is required.')
    expect((await focus(page)).name).toBe('Your name on this board')
    expect(await description(field)).toBe('')
  })

  it("a name holding U+202E cannot reverse the app's own words around it", async () => {
    const page = bob.page
    await page.getByLabel('Your name on this board').fill('Eve\u202E')
    await page.getByRole('button', { name: 'Join board' }).click()
    await page.getByRole('heading', { level: 1, name: 'Night shelter rota' }).waitFor({ timeout: 45_000 })
    await postItem(page, { kind: 'notice', title: 'Eve was here', body: 'Hello.' })
    // In "Posted by Eve‮ now", the letters of "now" stay in order, left to right.
    const positions = await card(page, 'Eve was here')
      .locator('.meta')
      .evaluate((el) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
        const range = document.createRange()
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = node.textContent!.indexOf('now')
          if (at < 0) continue
          return [0, 1, 2].map((i) => {
            range.setStart(node!, at + i)
            range.setEnd(node!, at + i + 1)
            return range.getBoundingClientRect().left
          })
        }
        return []
      })
    expect(positions).toHaveLength(3)
    expect(positions[0]!).toBeLessThan(positions[1]!)
    expect(positions[1]!).toBeLessThan(positions[2]!)
    expect(unexpectedErrors(alice.errors)).toEqual([])
    expect(unexpectedErrors(bob.errors)).toEqual([])
  })

  it('a board opened right after a dialog closes stays open: the Back that takes the dialog off history does not undo it', async () => {
    const page = alice.page
    await page.goto(`${app.url}#/`)
    await createBoard(page, { name: 'Pantry shifts', displayName: 'Alice' })
    const pantry = page.url()
    await page.goto(`${app.url}#/`)
    await page.getByRole('link', { name: /Night shelter rota/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Night shelter rota' }).waitFor()
    const shelter = page.url()
    /**
     * The next time the app calls history.back() (to take a closed dialog's
     * guard off), Pantry shifts is opened at once after it, before the Back
     * lands: from the board list, or by its address. A person is rarely that
     * quick, but the window is real and a slow phone widens it.
     */
    const openPantryRightAfterTheBack = (how: 'list' | 'address') =>
      page.evaluate(
        ({ how, pantry }) => {
          const back = history.back.bind(history)
          history.back = () => {
            history.back = back
            back()
            if (how === 'address') location.href = pantry
            else Array.from(document.querySelectorAll<HTMLAnchorElement>('a.board-link')).find((a) => a.textContent?.includes('Pantry shifts'))!.click()
          }
        },
        { how, pantry },
      )
    const wrong: string[] = []
    for (const how of ['list', 'address', 'list', 'address'] as const) {
      if (how === 'list') {
        await page.goto(`${app.url}#/`)
        const menu = await openMenu(page)
        await openPantryRightAfterTheBack(how)
        await menu.getByRole('button', { name: 'Close', exact: true }).first().click()
      } else {
        await page.getByRole('button', { name: /^\d+ members?/ }).click()
        const members = page.getByRole('dialog', { name: 'Members and diagnostics' })
        await openPantryRightAfterTheBack(how)
        await members.getByRole('button', { name: 'Close', exact: true }).first().click()
      }
      // The app has called it: the page's own history.back is back in place.
      await page.waitForFunction(() => String(history.back).includes('[native code]'))
      // Longer than the Back takes to land.
      await page.waitForTimeout(300)
      const shown = (await page.getByRole('heading', { level: 1 }).first().textContent())?.trim()
      if (shown !== 'Pantry shifts' || page.url() !== pantry) wrong.push(`from the ${how}: ${shown} at ${page.url() === shelter ? 'the shelter’s address' : page.url() === pantry ? 'the pantry’s address' : page.url()}`)
      await page.goto(shelter)
      await page.getByRole('heading', { level: 1, name: 'Night shelter rota' }).waitFor()
    }
    expect(wrong).toEqual([])
  })

  it('a dialog opened right after another closes stays open, and the back gesture still closes it', async () => {
    const page = alice.page
    await page.goto(`${app.url}#/`)
    await page.getByRole('link', { name: /Night shelter rota/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Night shelter rota' }).waitFor()
    await page.getByRole('button', { name: /^\d+ members?/ }).click()
    const members = page.getByRole('dialog', { name: 'Members and diagnostics' })
    // Post is pressed at the very moment the app takes the closed dialog's history guard off.
    await page.evaluate(() => {
      const back = history.back.bind(history)
      history.back = () => {
        history.back = back
        back()
        document.querySelector<HTMLButtonElement>('button.fab')!.click()
      }
    })
    await members.getByRole('button', { name: 'Close', exact: true }).first().click()
    await page.waitForFunction(() => String(history.back).includes('[native code]'))
    const chooser = page.getByRole('dialog', { name: 'What would you like to post?' })
    // Longer than the Back takes to land.
    await page.waitForTimeout(300)
    expect(await chooser.isVisible(), 'the chooser Post opened is still open').toBe(true)
    await page.goBack()
    await chooser.waitFor({ state: 'detached' })
    await page.getByRole('heading', { level: 1, name: 'Night shelter rota' }).waitFor()
    expect(page.url()).toContain('#/board/')
  })

  it('a new screen reached from a button that went with the old one takes the focus to its heading', async () => {
    const page = alice.page
    await page.goto(`${app.url}#/`)
    const create = page.getByRole('button', { name: 'Create a board' })
    await create.focus()
    await page.keyboard.press('Enter')
    await page.getByLabel('Board name').waitFor()
    await expect.poll(async () => (await focus(page)).name).toBe('Create a board')
    // Tab goes on from the top of the new screen.
    await page.getByLabel('Board name').fill('Winter coats drive')
    await page.getByLabel('Your name on this board').fill('Alice')
    await page.getByRole('button', { name: 'Create board' }).focus()
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { level: 1, name: 'Winter coats drive' }).waitFor()
    await expect.poll(async () => (await focus(page)).name).toBe('Winter coats drive')
  })
})
