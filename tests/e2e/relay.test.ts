/**
 * An always-on relay, end to end: Alice (a phone, its own Chromium profile)
 * adds a relay from Board settings; whoever runs the relay adds her relay
 * link with one command (`npm run relay -- add …`, a real child process).
 * Alice posts and closes her browser. Bob, who closed his before she posted,
 * opens his later and gets the post from the relay alone. The relay's data
 * directory holds none of the board's text, in UTF-8 or UTF-16LE.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findText, needles } from '../integration/sealed-support/text-scan.ts'
import { addToRelay, RelayProcess } from '../integration/relay-support/relay-process.ts'
import { expectNoAxeViolations } from './support/axe.ts'
import { closeAllPeers, launchPeer, type Peer } from './support/browser.ts'
import { STATUS, card, createBoard, openMenu, postItem, readInviteLink, submitJoin, syncStatus, unexpectedErrors, waitForText } from './support/flows.ts'
import { startApp, type App } from './support/server.ts'

const SYNC_MS = 45_000
const BOARD = { name: 'Rainbow mutual aid', description: 'Our circle: help, news and safe places.', displayName: 'Alice Nour' }
const POST = { kind: 'notice', title: 'Safe house open tonight', body: 'Knock twice at the blue door; ask for Leyla.' } as const
const BOB = 'Bob Karimi'

let app: App
let alice: Peer
let bob: Peer
let relay: RelayProcess | null = null
let root: string

beforeAll(async () => {
  app = await startApp()
  root = mkdtempSync(join(tmpdir(), 'hearth-e2e-relay-'))
  alice = await launchPeer('alice', { viewport: { width: 360, height: 740 } })
  bob = await launchPeer('bob')
})

afterAll(async () => {
  await relay?.kill9()
  await closeAllPeers()
  await app?.close()
  if (root) rmSync(root, { recursive: true, force: true })
})

describe('an always-on relay carries the board while nobody else is online', () => {
  it('Alice posts and leaves; Bob, who left before, gets her post from the relay alone, and the relay holds no readable byte', async () => {
    const dataDir = join(root, 'relay-data')
    await alice.page.goto(app.url)
    await createBoard(alice.page, BOARD)
    const invite = await readInviteLink(alice.page)
    await bob.page.goto(invite)
    await submitJoin(bob.page, BOB)
    await bob.page.getByRole('heading', { level: 1, name: BOARD.name }).waitFor({ timeout: SYNC_MS })
    await waitForText(syncStatus(bob.page), STATUS.synced1, SYNC_MS)
    // Bob closes his browser.
    await bob.context.close()

    // Alice: ⋮ → Board settings → Add a relay.
    await (await openMenu(alice.page)).getByRole('button', { name: 'Board settings' }).click()
    const settings = alice.page.getByRole('dialog', { name: 'Board settings' })
    const section = settings.getByTestId('add-relay')
    await section.getByRole('button', { name: 'Create a relay link' }).click()
    const link = await section.getByLabel('Relay link', { exact: true }).inputValue()
    expect(link.startsWith(`${app.url}#/join/`)).toBe(true)
    expect(await section.getByLabel('Command for the relay').inputValue()).toBe(`npm run relay -- add '${link}'`)
    await alice.page.waitForFunction(() => (document.querySelector('canvas[data-testid=relay-qr]') as HTMLCanvasElement | null)?.width === 280, undefined, { timeout: 10_000 })
    await expectNoAxeViolations(alice.page, 'board settings with a relay link')
    // "Copy command" copies it; where the browser refuses (the link, here), the text is selected for Alice to copy herself.
    await alice.page.evaluate(() => {
      const page = globalThis as unknown as { copiedText?: string }
      navigator.clipboard.writeText = (text: string) => ((page.copiedText = text), Promise.resolve())
    })
    await section.getByRole('button', { name: 'Copy command' }).click()
    await section.getByRole('button', { name: 'Copied' }).waitFor()
    expect(await alice.page.evaluate(() => (globalThis as unknown as { copiedText?: string }).copiedText)).toBe(`npm run relay -- add '${link}'`)
    await alice.page.evaluate(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'))
    })
    await section.getByRole('button', { name: 'Copy link' }).click()
    await section.getByText('This browser did not let Hearth copy. The text is selected: copy it yourself.').waitFor()
    expect(await alice.page.evaluate(() => document.activeElement?.id)).toBe('relay-link')
    await settings.getByRole('button', { name: 'Close' }).first().click()

    // Whoever runs the relay adds the link with one command, and runs it.
    const added = addToRelay(dataDir, link)
    expect(added.status, added.stderr).toBe(0)
    relay = new RelayProcess(dataDir)
    await relay.waitFor((l) => l.event === 'admitted', SYNC_MS, 'the relay let in by Alice’s device')
    // Alice's only peer is the relay, and her status says so.
    await waitForText(syncStatus(alice.page), 'Up to date · 1 relay', SYNC_MS)

    const before = relay.lines.filter((l) => l.event === 'stored').length
    await postItem(alice.page, POST)
    await relay.waitFor((l) => l.event === 'stored' && relay!.lines.indexOf(l) >= before, SYNC_MS, 'Alice’s post on the relay’s disk')
    await new Promise((r) => setTimeout(r, 1000))
    await alice.context.close()

    // Hours later (simulated): Bob opens his browser. Only the relay is there.
    const page = await bob.reopen()
    await card(page, POST.title).waitFor({ timeout: SYNC_MS })
    await waitForText(syncStatus(page), 'Up to date · 1 relay', SYNC_MS)
    expect(unexpectedErrors(bob.errors)).toEqual([])

    // The relay's data directory, while it runs and after it stopped: ciphertext only.
    const boardText = [BOARD.name, BOARD.description, BOARD.displayName, BOB, POST.title, POST.body]
    const scan = () => readdirSync(dataDir).flatMap((f) => findText(new Uint8Array(readFileSync(join(dataDir, f))), boardText).map((h) => `${f}: ${h.text} (${h.encoding})`))
    expect(scan()).toEqual([])
    await relay.stop()
    expect(scan()).toEqual([])
    // The scan finds the text where it is (UTF-8 and UTF-16LE alike), so finding none above means something.
    expect(findText(new Uint8Array(Buffer.from(`x${POST.title}y`, 'utf8')), [POST.title])).toHaveLength(needles([POST.title]).length)
    expect(findText(new Uint8Array(Buffer.from(`x${BOB}y`, 'utf16le')), [BOB]).map((h) => h.encoding)).toContain('utf16le')
    console.log(`[relay e2e] files ${readdirSync(dataDir).join(', ')}; searched ${needles(boardText).length} strings × UTF-8/UTF-16LE: none found`)
  })
})
