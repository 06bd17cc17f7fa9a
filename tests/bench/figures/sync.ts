/**
 * initial sync and write latency, between two Chromium processes (own
 * profiles) over real WebRTC through Hearth's signaling server.
 *
 * initial sync, per run: a fresh profile B opens an invite to the large board
 * that A has open and presses "Join board"; we record the click, the moment
 * B's first RTCPeerConnection reached "connected", and the moment B's count
 * shows every item. Baseline, between the same two browsers right after:
 * a raw RTCDataChannel (SDP relayed by this driver) carrying the same bytes in
 * 16 KiB messages with back-pressure; also the time to decode them with Yjs.
 *
 * write latency: A posts a notice through the UI; from the click on "Post" to
 * B's item count including it. Baseline: `Y.Map.set` on A observed on B over
 * plain y-webrtc (no password, no chunking) through the same signaling server.
 */
import type { Page } from 'playwright-core'
import { inviteLink } from '../../../src/crypto/index.ts'
import { launchBenchPeer, seedBoard, startProfile, storedBytes, seedUrl, waitForMark, type Peer } from '../lib/browser.ts'
import type { GeneratedBoard } from '../lib/board.ts'
import type { BenchContext } from '../lib/context.ts'
import { figure, MB, type Figure } from '../lib/figure.ts'
import '../lib/page-globals.ts'
import { pause, within } from '../lib/stats.ts'


/**
 * Watches Hearth's result count ("10,000 items"): records the epoch time at
 * which it first reaches `__benchWant`, and every click's time (capture phase,
 * before the app's handlers run).
 */
async function armCounters(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis
    if (w.__benchReachedAt !== undefined) return
    w.__benchReachedAt = null
    const now = () => performance.timeOrigin + performance.now()
    document.addEventListener('click', () => (w.__benchLastClick = now()), true)
    const check = () => {
      const el = document.querySelector('[data-testid=result-count]')
      if (!el) return
      const n = Number((el.textContent ?? '').replace(/\D/g, ''))
      w.__benchCount = n
      if (w.__benchWant !== undefined && w.__benchReachedAt === null && n >= w.__benchWant) {
        w.__benchReachedAt = now()
        w.__benchRecvAtReach = w.__benchLastRecv
      }
    }
    new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true })
  })
}

async function expectCount(page: Page, want: number): Promise<void> {
  await page.evaluate((n) => {
    globalThis.__benchWant = n
    globalThis.__benchReachedAt = null
  }, want)
}

async function reachedAt(page: Page, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(() => globalThis.__benchReachedAt, undefined, { timeout: timeoutMs, polling: 20 })
  return (await handle.jsonValue()) as number
}

async function currentCount(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => globalThis.__benchCount, undefined, { timeout: 60_000, polling: 50 })
  return (await handle.jsonValue()) as number
}

/** B: open the invite, arm the counters, press "Join board"; resolves with the click time. */
async function join(page: Page, link: string, want: number): Promise<void> {
  await page.goto(link)
  await page.getByLabel('Your name on this board').fill('Bob')
  await armCounters(page)
  await expectCount(page, want)
  await page.getByRole('button', { name: 'Join board' }).click()
}

interface SyncRun {
  total: number
  transfer: number
  connect: number
  raw: { connect: number; transfer: number; apply: number }
}

/** Opens the board in A's main tab and waits until its items are on screen. */
async function openOnA(a: Peer, appUrl: string, board: GeneratedBoard): Promise<void> {
  await a.page.goto(`${appUrl}#/board/${board.boardId}`)
  await waitForMark(a.page, 'items')
}

async function rawRun(a: Peer, b: Peer, baselineUrl: string, payload: string, total: number): Promise<SyncRun['raw']> {
  const [pa, pb] = await Promise.all([a.context.newPage(), b.context.newPage()])
  try {
    await Promise.all([pa.goto(`${baselineUrl}net.html`), pb.goto(`${baselineUrl}net.html`)])
    await pa.evaluate((b64) => globalThis.bench.rawLoad(b64), payload)
    const offer = await pa.evaluate(() => globalThis.bench.rawOffer())
    const answer = await pb.evaluate((sdp) => globalThis.bench.rawAnswer(sdp), offer.sdp)
    await pa.evaluate((sdp) => globalThis.bench.rawAccept(sdp), answer)
    const openedAt = await within(30_000, 'raw channel open', () => pb.evaluate(() => globalThis.bench.rawOpened()))
    await pa.evaluate(() => globalThis.bench.rawOpened())
    await pb.evaluate((n) => {
      globalThis.__benchP = globalThis.bench.rawExpect(n, true)
    }, total)
    const sentAt = await pa.evaluate(() => globalThis.bench.rawSend())
    const got = (await within(120_000, 'raw transfer', () => pb.evaluate(() => globalThis.__benchP))) as { receivedAt: number; appliedAt: number }
    await Promise.all([pa.evaluate(() => globalThis.bench.rawClose()), pb.evaluate(() => globalThis.bench.rawClose())])
    return { connect: openedAt - offer.startedAt, transfer: got.receivedAt - sentAt, apply: got.appliedAt - sentAt }
  } finally {
    await Promise.all([pa.close(), pb.close()])
  }
}

/** Where a write's time goes: sender (click/set → data-channel send), wire (send → message event on B), receiver (message → shown). */
export interface Breakdown {
  sender: number[]
  wire: number[]
  receiver: number[]
}

const newBreakdown = (): Breakdown => ({ sender: [], wire: [], receiver: [] })

function addBreakdown(into: Breakdown, t: { start: number; sent: number | undefined; recv: number | undefined; seen: number }): void {
  if (t.sent === undefined || t.recv === undefined || t.sent < t.start || t.recv < t.sent) return
  into.sender.push(t.sent - t.start)
  into.wire.push(t.recv - t.sent)
  into.receiver.push(t.seen - t.recv)
}

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

async function hearthWrites(a: Peer, b: Peer, count: number, label: string, parts: Breakdown): Promise<number[]> {
  await armCounters(a.page)
  await armCounters(b.page)
  const latencies: number[] = []
  for (let i = 0; i < count; i++) {
    const before = await currentCount(b.page)
    await expectCount(b.page, before + 1)
    const clickedAt = await postOnA(a.page, `${label} probe ${i + 1}`)
    const seenAt = await within(30_000, `write ${i + 1} reaching B`, () => reachedAt(b.page, 30_000))
    latencies.push(seenAt - clickedAt)
    const sent = await a.page.evaluate(() => globalThis.__benchLastSend)
    const recv = await b.page.evaluate(() => globalThis.__benchRecvAtReach)
    addBreakdown(parts, { start: clickedAt, sent, recv, seen: seenAt })
    await pause(100)
  }
  return latencies
}

async function plainWrites(a: Peer, b: Peer, ctx: BenchContext, count: number, parts: Breakdown): Promise<number[]> {
  const [pa, pb] = await Promise.all([a.context.newPage(), b.context.newPage()])
  try {
    await Promise.all([pa.goto(`${ctx.servers.baselineUrl}net.html`), pb.goto(`${ctx.servers.baselineUrl}net.html`)])
    const room = `bench-plain-${process.pid}-${Date.now()}`
    const signaling = ctx.servers.app.signalingUrl
    await Promise.all([pa.evaluate(([r, s]) => globalThis.bench.ywStart(r!, s!), [room, signaling]), pb.evaluate(([r, s]) => globalThis.bench.ywStart(r!, s!), [room, signaling])])
    await Promise.all([pa, pb].map((p) => p.waitForFunction(() => globalThis.bench.ywPeers() >= 1, undefined, { timeout: 60_000, polling: 50 })))
    await pause(500)
    const latencies: number[] = []
    for (let i = 0; i < count; i++) {
      const key = `w${i}`
      await pb.evaluate((k) => {
        globalThis.__benchP = globalThis.bench.ywExpect(k)
      }, key)
      const value = { kind: 'notice', title: `plain probe ${i + 1}`, body: `Write-latency probe plain probe ${i + 1}: bring water, meet at the back door.`, author: 'Alice', createdAt: Date.now(), updatedAt: Date.now(), pinned: false, tags: [], expiresAt: null }
      const sentAt = await pa.evaluate(([k, v]) => globalThis.bench.ywSet(k as string, v as Record<string, unknown>), [key, value] as const)
      const seenAt = (await within(30_000, `plain write ${i + 1}`, () => pb.evaluate(() => globalThis.__benchP))) as number
      latencies.push(seenAt - sentAt)
      const sent = await pa.evaluate(() => globalThis.__benchLastSend)
      const recv = await pb.evaluate(() => globalThis.__benchRecvAtReach)
      addBreakdown(parts, { start: sentAt, sent, recv, seen: seenAt })
      await pause(100)
    }
    await Promise.all([pa.evaluate(() => globalThis.bench.ywStop()), pb.evaluate(() => globalThis.bench.ywStop())])
    return latencies
  } finally {
    await Promise.all([pa.close(), pb.close()])
  }
}

/** One extra join on the unminified build, with B's CPU profiled from the click to all items shown. */
async function profileSync(ctx: BenchContext, a: Peer): Promise<void> {
  const url = ctx.profileUrl!
  const pa = await a.context.newPage()
  const b = await launchBenchPeer('sync-profile')
  try {
    await pa.goto(seedUrl(url))
    await seedBoard(pa, ctx.large, { registry: true, displayName: 'Alice' })
    await pa.goto(`${url}#/board/${ctx.large.boardId}`)
    await waitForMark(pa, 'items')
    await join(b.page, inviteLink(url, { version: 1, transportSecret: ctx.large.secret }), ctx.large.itemCount)
    const stop = await startProfile(b.page)
    const t0 = Date.now()
    await reachedAt(b.page, 180_000)
    ctx.profiles['initial sync (joining peer B)'] = { ...(await stop()), wallMs: Date.now() - t0 }
    // Then a few posts on the large board, profiled on both sides.
    await pause(1500)
    await armCounters(pa)
    const stopA = await startProfile(pa)
    const stopB = await startProfile(b.page)
    const t1 = Date.now()
    for (let i = 0; i < 5; i++) {
      const before = await currentCount(b.page)
      await expectCount(b.page, before + 1)
      await postOnA(pa, `profiled probe ${i + 1}`)
      await reachedAt(b.page, 30_000)
    }
    const wallMs = Date.now() - t1
    ctx.profiles['5 posts on the large board (poster A, incl. UI driving)'] = { ...(await stopA()), wallMs }
    ctx.profiles['5 posts on the large board (receiver B)'] = { ...(await stopB()), wallMs }
  } finally {
    await pa.close()
    await b.close()
  }
}

export async function measureSync(ctx: BenchContext): Promise<Figure[]> {
  const { large, small } = ctx
  const appUrl = ctx.servers.app.url
  const a = await launchBenchPeer('sync-a')
  let b: Peer | null = null
  try {
    await a.page.goto(seedUrl(appUrl))
    await seedBoard(a.page, large, { registry: true, displayName: 'Alice' })
    await seedBoard(a.page, small, { registry: true, displayName: 'Alice' })
    await openOnA(a, appUrl, large)

    const payload = Buffer.from(large.update).toString('base64')
    const runs: SyncRun[] = []
    let stored: Awaited<ReturnType<typeof storedBytes>> | null = null
    for (let run = 0; run < ctx.runs.sync; run++) {
      b = await launchBenchPeer(`sync-b${run + 1}`)
      // Baseline first, while B has no Hearth page that could compete for its CPU.
      const raw = await rawRun(a, b, ctx.servers.baselineUrl, payload, large.update.byteLength)
      await pause(500)
      await join(b.page, inviteLink(appUrl, { version: 1, transportSecret: large.secret }), large.itemCount)
      const syncedAt = await within(180_000, 'initial sync', () => reachedAt(b!.page, 180_000))
      const clickedAt = await b.page.evaluate(() => globalThis.__benchLastClick!)
      const connectedAt = (await b.page.evaluate(() => globalThis.__benchRtcConnectedAt ?? []))[0] ?? clickedAt
      // Let y-indexeddb finish writing what arrived before reading it back.
      await pause(1500)
      stored = await storedBytes(b.page, large.boardId)
      runs.push({ total: syncedAt - clickedAt, transfer: syncedAt - connectedAt, connect: connectedAt - clickedAt, raw })
      ctx.log(`  sync run ${run + 1}: Hearth ${(syncedAt - clickedAt).toFixed(0)} ms (connected after ${(connectedAt - clickedAt).toFixed(0)} ms); raw connect ${raw.connect.toFixed(0)} ms + transfer ${raw.transfer.toFixed(0)} ms (decode with Yjs: ${raw.apply.toFixed(0)} ms)`)
      if (run < ctx.runs.sync - 1) {
        await b.close()
        b = null
        await pause(1000)
      }
    }
    if (!b) throw new Error('bench: no joined peer left for the write-latency runs')

    ctx.log(`  write latency on the large board (${ctx.runs.writesLarge} posts)`)
    await waitForMark(b.page, 'items')
    const largeParts = newBreakdown()
    const largeWrites = await hearthWrites(a, b, ctx.runs.writesLarge, 'large', largeParts)

    ctx.log(`  write latency on the small board (${ctx.runs.writes} posts)`)
    await openOnA(a, appUrl, small)
    await join(b.page, inviteLink(appUrl, { version: 1, transportSecret: small.secret }), small.itemCount)
    await within(60_000, 'small board sync', () => reachedAt(b!.page, 60_000))
    await pause(500)
    const smallParts = newBreakdown()
    const smallWrites = await hearthWrites(a, b, ctx.runs.writes, 'small', smallParts)

    ctx.log(`  plain y-webrtc writes (${ctx.runs.writes})`)
    const plainParts = newBreakdown()
    const plain = await plainWrites(a, b, ctx, ctx.runs.writes, plainParts)
    await b.close()
    b = null

    if (ctx.profileUrl) {
      ctx.log('  profiling one more join (unminified build)')
      await profileSync(ctx, a)
    }

    const n = large.itemCount.toLocaleString('en')
    const med = (xs: number[]) => {
      const s = [...xs].sort((x, y) => x - y)
      return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2
    }
    const split = (p: Breakdown) => `sender ${med(p.sender).toFixed(1)} / wire ${med(p.wire).toFixed(1)} / receiver ${med(p.receiver).toFixed(1)} ms (medians of ${p.sender.length})`
    const p95 = (xs: number[]) => {
      const s = [...xs].sort((x, y) => x - y)
      return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]!
    }
    return [
      figure({
        id: 'sync-total',
        label: `initial sync: "Join board" → all ${n} items counted (incl. connecting)`,
        unit: 'ms',
        hearth: runs.map((r) => r.total),
        baselineLabel: 'raw RTCDataChannel: connect + send the same bytes',
        baseline: runs.map((r) => r.raw.connect + r.raw.transfer),
        target: { kind: 'ratio', max: 2, text: '≤ 2×' },
        note: `Hearth connected after ${runs.map((r) => r.connect.toFixed(0)).join(', ')} ms; raw channel opened after ${runs.map((r) => r.raw.connect.toFixed(0)).join(', ')} ms (SDP relayed by the driver, no signaling server)`,
      }),
      figure({
        id: 'sync-transfer',
        label: `initial sync: peer connected → all ${n} items counted`,
        unit: 'ms',
        hearth: runs.map((r) => r.transfer),
        baselineLabel: `raw RTCDataChannel: ${(large.update.byteLength / MB).toFixed(2)} MB in 16 KiB messages`,
        baseline: runs.map((r) => r.raw.transfer),
        target: { kind: 'ratio', max: 2, text: '≤ 2×' },
        note: `raw transfer + Y.applyUpdate into a fresh doc + count: ${runs.map((r) => r.raw.apply.toFixed(0)).join(', ')} ms`,
      }),
      figure({
        id: 'storage-synced',
        label: `storage: IndexedDB bytes of the ${n}-item board on the peer that just joined`,
        unit: 'MB',
        hearth: [stored!.bytes / MB],
        baselineLabel: 'Y.encodeStateAsUpdate(doc)',
        baseline: [large.update.byteLength / MB],
        target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
        note: `sum of the values in y-indexeddb's "updates" store of ${stored!.db} (${stored!.records} records); navigator.storage.estimate() usage for the whole origin: ${stored!.estimate === null ? 'n/a' : (stored!.estimate / MB).toFixed(1) + ' MB'}`,
      }),
      figure({
        id: 'write-small',
        label: `write latency: post on A → counted on B (${small.itemCount}-item board), median`,
        unit: 'ms',
        hearth: smallWrites,
        baselineLabel: 'plain Y.Map.set → observed, plain y-webrtc',
        baseline: plain,
        target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
        note: `p95 Hearth ${p95(smallWrites).toFixed(1)} ms, plain y-webrtc ${p95(plain).toFixed(1)} ms. Split — Hearth: ${split(smallParts)}; plain: ${split(plainParts)}`,
      }),
      figure({
        id: 'write-large',
        label: `write latency: post on A → counted on B (${n}-item board), median`,
        unit: 'ms',
        hearth: largeWrites,
        baselineLabel: 'plain Y.Map.set → observed, plain y-webrtc',
        baseline: plain,
        target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
        note: `p95 Hearth ${p95(largeWrites).toFixed(1)} ms; same plain y-webrtc baseline (empty doc). Split — Hearth: ${split(largeParts)}`,
      }),
    ]
  } finally {
    await b?.close()
    await a.close()
  }
}
