/**
 * write latency, between two Chromium processes (own profiles) over real
 * WebRTC through Hearth's signaling server, measured three ways in turns, on
 * a board of each size (the 100-item board, then the large one):
 *
 * - engine: `BoardSession.createItem` on A (pages/engine.ts: the app's own
 *   session, no UI) → the item in B's readable doc;
 * - plain: `Y.Map.set` of one item on A → observed in B's doc, plain y-webrtc
 *   (pages/net.ts), both docs holding the same board first;
 * - app: A posts a notice through the UI (the dialog's "Post" click, capture
 *   phase) → B's result count includes it.
 *
 * Engine against plain is the like-for-like comparison; what the UI adds is
 * app minus engine, pair by pair (each round writes once each way, so drift
 * hits all three alike). The engine and the app use two copies of the board
 * (founded twice: two board ids, two rooms), so neither sees the other's
 * writes. In the app B joins with the founder's invitation (A's device lets
 * it in); the engine pages hold the copy as two already-admitted members.
 * Hooks on `RTCDataChannel` split each write into sender (write → data-channel
 * send), wire, and receiver (message → seen); on the engine pages the sealed
 * doc's transactions split them once more: the sender's time until the entry
 * is in A's sealed doc (sealed, signed, written), the receiver's until it is
 * in B's (then checked, decrypted, judged, applied to the readable doc).
 */
import type { Page } from 'playwright-core'
import { appRecord, boardInvite, launchBenchPeer, loadBytes, seedApp, seedSealed, seedUrl, startProfile, type Peer } from '../lib/browser.ts'
import type { BenchContext } from '../lib/context.ts'
import { figure, type Figure } from '../lib/figure.ts'
import '../lib/page-globals.ts'
import type { PartApi } from '../lib/runner.ts'
import { twinOf, type BrowserBoard, type SealedSeed } from '../lib/sealed-board.ts'
import { pause, within } from '../lib/stats.ts'
import type { EngineRecord } from '../pages/engine.ts'
import { armCounters, expectCount, join, openOnA, reachedAt } from './sync.ts'

/** Where a write's time goes: sender (write → data-channel send), wire (send → message event on B), receiver (message → seen). */
interface Breakdown {
  sender: number[]
  wire: number[]
  receiver: number[]
  /** Engine only: the sender's part until the entry is in A's sealed doc (sealed and signed), and the receiver's until it is in B's (the rest: checked, decrypted, judged, applied). */
  sealing: number[]
  arriving: number[]
}

interface Samples {
  engine: number[]
  plain: number[]
  app: number[]
  /** app − engine, per round. */
  ui: number[]
  /** DOM change on B → the next animation frame, per app write. */
  frame: number[]
  split: { engine: Breakdown; plain: Breakdown; app: Breakdown }
}

const newBreakdown = (): Breakdown => ({ sender: [], wire: [], receiver: [], sealing: [], arriving: [] })

function addBreakdown(into: Breakdown, t: { start: number; sent: number | undefined; recv: number | undefined; seen: number; sealedOnA?: number | undefined; sealedOnB?: number | undefined }): void {
  if (t.sent === undefined || t.recv === undefined || t.sent < t.start || t.recv < t.sent) return
  into.sender.push(t.sent - t.start)
  into.wire.push(t.recv - t.sent)
  into.receiver.push(t.seen - t.recv)
  if (t.sealedOnA !== undefined && t.sealedOnA >= t.start && t.sealedOnA <= t.sent) into.sealing.push(t.sealedOnA - t.start)
  if (t.sealedOnB !== undefined && t.sealedOnB >= t.recv && t.sealedOnB <= t.seen) into.arriving.push(t.sealedOnB - t.recv)
}

const lastSend = (page: Page) => page.evaluate(() => globalThis.__benchLastSend)
const recvAtReach = (page: Page) => page.evaluate(() => globalThis.__benchRecvAtReach)

/** Posts a notice through A's UI; returns the time of the click on the dialog's "Post". */
async function postOnA(page: Page, title: string): Promise<number> {
  await page.getByRole('button', { name: 'Post', exact: true }).click()
  const dialog = page.getByRole('dialog')
  await dialog.getByRole('button', { name: /^Notice/ }).click()
  await dialog.locator('form').waitFor()
  await dialog.getByLabel('Title').fill(title)
  await dialog.getByLabel('Text').fill(`Write-latency probe ${title}: bring water, meet at the back door.`)
  await dialog.getByRole('button', { name: 'Post', exact: true }).click()
  await dialog.waitFor({ state: 'detached', timeout: 30_000 })
  return page.evaluate(() => globalThis.__benchLastClick!)
}

async function currentCount(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => globalThis.__benchCount, undefined, { timeout: 60_000, polling: 50 })
  return (await handle.jsonValue()) as number
}

/** The three ways to write, set up on both browsers for one board. */
interface Writers {
  engine: [Page, Page]
  plain: [Page, Page]
  close(): Promise<void>
}

async function setUp(ctx: BenchContext, a: Peer, b: Peer, board: BrowserBoard, twin: SealedSeed): Promise<Writers> {
  const servers = await ctx.servers()
  const appUrl = servers.app.url
  const signaling = servers.app.signalingUrl
  const pages: Page[] = []
  const newPage = async (p: Peer) => {
    const page = await p.context.newPage()
    pages.push(page)
    return page
  }
  const close = async () => {
    await Promise.allSettled(pages.map((p) => p.evaluate(() => globalThis.engine?.close()).catch(() => undefined)))
    await Promise.allSettled(pages.map((p) => p.close()))
  }
  try {
    // App: A shows the board (seeded before the app first started), B joins it (an untimed initial sync).
    await openOnA(a.page, appUrl, board)
    await join(b.page, boardInvite(appUrl, board), board.itemCount)
    await within(300_000, 'app initial sync before the writes', () => reachedAt(b.page, 300_000))
    await armCounters(a.page)

    // Engine: both pages hold the twin board as two of its member devices (member 1, the founder, and member 2).
    const [ea, eb] = [await newPage(a), await newPage(b)]
    await Promise.all([ea.goto(`${servers.baselineUrl}engine.html`), eb.goto(`${servers.baselineUrl}engine.html`)])
    await Promise.all([seedSealed(ea, twin), seedSealed(eb, twin)])
    await ea.evaluate(([r, s]) => globalThis.engine.open(r as EngineRecord, s as string), [appRecord(board, twin, 0, 'Alice'), signaling] as const)
    await eb.evaluate(([r, s]) => globalThis.engine.open(r as EngineRecord, s as string), [appRecord(board, twin, 1, 'Bob'), signaling] as const)
    await within(300_000, 'engine initial sync before the writes', () => eb.evaluate((n) => globalThis.engine.itemsAtLeast(n), board.itemCount))

    // Plain y-webrtc: both docs start with the same board.
    const [pa, pb] = [await newPage(a), await newPage(b)]
    await Promise.all([pa.goto(`${servers.baselineUrl}net.html`), pb.goto(`${servers.baselineUrl}net.html`)])
    await Promise.all([loadBytes(pa, 'state', board.update), loadBytes(pb, 'state', board.update)])
    const room = `bench-plain-${process.pid}-${Date.now()}`
    await Promise.all([pa, pb].map((p) => p.evaluate(([r, s]) => globalThis.bench.ywStart(r!, s!, 'state'), [room, signaling])))
    await Promise.all([pa, pb].map((p) => p.waitForFunction(() => globalThis.bench.ywPeers() >= 1, undefined, { timeout: 60_000, polling: 50 })))
    await pause(1000)
    return { engine: [ea, eb], plain: [pa, pb], close }
  } catch (err) {
    await close()
    throw err
  }
}

async function engineWrite(w: Writers, title: string, s: Samples): Promise<void> {
  const [ea, eb] = w.engine
  await eb.evaluate((t) => {
    globalThis.__benchP = globalThis.engine.expect(t)
  }, title)
  const startedAt = await ea.evaluate((t) => globalThis.engine.write(t), title)
  const seenAt = (await within(30_000, `engine write "${title}" reaching B`, () => eb.evaluate(() => globalThis.__benchP))) as number
  s.engine.push(seenAt - startedAt)
  const sealedOnA = await ea.evaluate(() => globalThis.__benchSealedAt)
  const sealedOnB = await eb.evaluate(() => globalThis.__benchSealedAtReach)
  addBreakdown(s.split.engine, { start: startedAt, sent: await lastSend(ea), recv: await recvAtReach(eb), seen: seenAt, sealedOnA, sealedOnB })
}

async function plainWrite(w: Writers, key: string, s: Samples): Promise<void> {
  const [pa, pb] = w.plain
  await pb.evaluate((k) => {
    globalThis.__benchP = globalThis.bench.ywExpect(k)
  }, key)
  const value = { kind: 'notice', title: key, body: `Write-latency probe ${key}: bring water, meet at the back door.`, author: 'Alice', createdAt: Date.now(), updatedAt: Date.now(), pinned: false, tags: [], expiresAt: null }
  const sentAt = await pa.evaluate(([k, v]) => globalThis.bench.ywSet(k as string, v as Record<string, unknown>), [key, value] as const)
  const seenAt = (await within(30_000, `plain write ${key}`, () => pb.evaluate(() => globalThis.__benchP))) as number
  s.plain.push(seenAt - sentAt)
  addBreakdown(s.split.plain, { start: sentAt, sent: await lastSend(pa), recv: await recvAtReach(pb), seen: seenAt })
}

async function appWrite(a: Peer, b: Peer, title: string, s: Samples): Promise<void> {
  const before = await currentCount(b.page)
  await expectCount(b.page, before + 1)
  const clickedAt = await postOnA(a.page, title)
  const seenAt = await within(30_000, `app write "${title}" reaching B`, () => reachedAt(b.page, 30_000))
  s.app.push(seenAt - clickedAt)
  s.ui.push(seenAt - clickedAt - s.engine.at(-1)!)
  const frameAt = await b.page.waitForFunction(() => globalThis.__benchFrameAtReach, undefined, { timeout: 5_000, polling: 20 }).then((h) => h.jsonValue() as Promise<number>)
  s.frame.push(frameAt - seenAt)
  addBreakdown(s.split.app, { start: clickedAt, sent: await lastSend(a.page), recv: await recvAtReach(b.page), seen: seenAt })
}

async function writeSamples(ctx: BenchContext, a: Peer, b: Peer, board: BrowserBoard, count: number, label: string, api: PartApi): Promise<Samples> {
  const twin = await twinOf(board, ctx.largeSeed + board.itemCount)
  const w = await setUp(ctx, a, b, board, twin)
  const s: Samples = { engine: [], plain: [], app: [], ui: [], frame: [], split: { engine: newBreakdown(), plain: newBreakdown(), app: newBreakdown() } }
  try {
    for (let i = 0; i < count && !api.signal.aborted; i++) {
      await engineWrite(w, `${label} engine probe ${i + 1}`, s)
      await pause(100)
      await plainWrite(w, `${label}-plain-${i + 1}`, s)
      await pause(100)
      await appWrite(a, b, `${label} app probe ${i + 1}`, s)
      await pause(100)
    }
    ctx.log(`  ${label} board (${board.itemCount.toLocaleString('en')} items), ${count} rounds: engine ${med(s.engine).toFixed(1)} ms, plain ${med(s.plain).toFixed(1)} ms, app ${med(s.app).toFixed(1)} ms (UI on top ${med(s.ui).toFixed(1)} ms)`)
    return s
  } finally {
    await w.close()
  }
}

/** Five posts on the large board in the unminified build, A and B profiled. */
async function profileWrites(ctx: BenchContext, board: BrowserBoard): Promise<void> {
  const url = await (await ctx.servers()).profileUrl()
  const a = await launchBenchPeer('write-profile-a')
  const b = await launchBenchPeer('write-profile-b')
  try {
    await a.page.goto(seedUrl(url))
    await seedApp(a.page, board, { displayName: 'Alice' })
    await openOnA(a.page, url, board)
    await join(b.page, boardInvite(url, board), board.itemCount)
    await reachedAt(b.page, 300_000)
    await pause(1500)
    await armCounters(a.page)
    const stopA = await startProfile(a.page)
    const stopB = await startProfile(b.page)
    const t1 = Date.now()
    for (let i = 0; i < 5; i++) {
      const before = await currentCount(b.page)
      await expectCount(b.page, before + 1)
      await postOnA(a.page, `profiled probe ${i + 1}`)
      await reachedAt(b.page, 30_000)
    }
    const wallMs = Date.now() - t1
    ctx.profiles['5 posts on the large board (poster A, incl. UI driving)'] = { ...(await stopA()), wallMs }
    ctx.profiles['5 posts on the large board (receiver B)'] = { ...(await stopB()), wallMs }
  } finally {
    await a.close()
    await b.close()
  }
}

function med(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2
}

function p95(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y)
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!
}

const split = (p: Breakdown) => {
  const sender = p.sealing.length > 0 ? `sender ${med(p.sender).toFixed(1)} (in A's sealed doc after ${med(p.sealing).toFixed(1)}, medians of ${p.sealing.length})` : `sender ${med(p.sender).toFixed(1)}`
  const receiver = p.arriving.length > 0 ? `receiver ${med(p.receiver).toFixed(1)} ms (in B's sealed doc after ${med(p.arriving).toFixed(1)}, medians of ${p.arriving.length})` : `receiver ${med(p.receiver).toFixed(1)} ms`
  return `${sender} / wire ${med(p.wire).toFixed(1)} / ${receiver} (medians of ${p.sender.length})`
}

function rows(board: BrowserBoard, s: Samples, id: string): Figure[] {
  const n = board.itemCount.toLocaleString('en')
  return [
    figure({
      id: `write-engine-${id}`,
      label: `write latency, engine to engine: createItem on A → in B's readable doc (${n}-item board), median`,
      unit: 'ms',
      hearth: s.engine,
      baselineLabel: `plain Y.Map.set → observed, plain y-webrtc, docs holding the same ${n}-item board`,
      baseline: s.plain,
      target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
      note: `p95 engine ${p95(s.engine).toFixed(1)} ms, plain ${p95(s.plain).toFixed(1)} ms. Split — engine: ${split(s.split.engine)}; plain: ${split(s.split.plain)}.`,
    }),
    figure({
      id: `write-ui-${id}`,
      label: `write latency, UI on top: app (post → counted on B) minus engine, same round (${n}-item board), median`,
      unit: 'ms',
      hearth: s.ui,
      target: { kind: 'absolute', max: 16, text: '≤ 16 ms' },
      note: `app median ${med(s.app).toFixed(1)} ms − engine median ${med(s.engine).toFixed(1)} ms, per round: A's form handling, both sides' state and rendering; B's DOM change → next animation frame: median ${med(s.frame).toFixed(1)} ms more (not in the row)`,
    }),
    figure({
      id: `write-app-${id}`,
      label: `write latency, app: post on A → counted on B (${n}-item board), median`,
      unit: 'ms',
      hearth: s.app,
      baselineLabel: 'plain Y.Map.set → observed, plain y-webrtc (same board)',
      baseline: s.plain,
      note: `p95 ${p95(s.app).toFixed(1)} ms. Split — ${split(s.split.app)}`,
    }),
  ]
}

export async function measureWrite(ctx: BenchContext, api: PartApi): Promise<void> {
  const a = await launchBenchPeer('write-a')
  const b = await launchBenchPeer('write-b')
  try {
    const [small, large] = [await ctx.small(), await ctx.large()]
    // Both boards go in before the app first starts in A's profile (it then moves its registry into the keyring).
    await a.page.goto(seedUrl((await ctx.servers()).app.url))
    await seedApp(a.page, small, { displayName: 'Alice' })
    await seedApp(a.page, large, { displayName: 'Alice' })
    ctx.log(`  ${ctx.runs.writes} rounds on the ${small.itemCount}-item board`)
    api.add(...rows(small, await writeSamples(ctx, a, b, small, ctx.runs.writes, 'small', api), 'small'))
    ctx.log(`  ${ctx.runs.writesLarge} rounds on the ${large.itemCount.toLocaleString('en')}-item board`)
    api.add(...rows(large, await writeSamples(ctx, a, b, large, ctx.runs.writesLarge, 'large', api), 'large'))
  } finally {
    await a.close()
    await b.close()
  }
  if (ctx.profile && !api.signal.aborted) {
    ctx.log('  profiling five posts (unminified build)')
    await profileWrites(ctx, await ctx.large())
  }
}
