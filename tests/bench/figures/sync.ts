/**
 * initial sync, between two Chromium processes (own profiles) over real
 * WebRTC through Hearth's signaling server.
 *
 * Per run: a fresh profile B opens an invite to the large board that A has
 * open and presses "Join board"; we record the click, the moment B's first
 * RTCPeerConnection reached "connected", and the moment B's count shows every
 * item; and B's main-thread tasks over 50 ms from the click until 1 s after.
 * Baselines, between the same two browsers just before: a raw RTCDataChannel
 * (SDP relayed by this driver) carrying the same board's plain Yjs state in
 * 16 KiB messages with back-pressure — the transfer alone, and the transfer
 * plus one `Y.applyUpdate` of those bytes and a count, as the least a Yjs
 * peer must do.
 */
import type { Page } from 'playwright-core'
import { boardInvite, launchBenchPeer, loadBytes, longTasks, mainThreadClock, seedApp, startProfile, storedBytes, seedUrl, type LongTasks, type Peer } from '../lib/browser.ts'
import type { BenchContext } from '../lib/context.ts'
import { failedFigure, figure, MB, reasonOf, type Figure } from '../lib/figure.ts'
import '../lib/page-globals.ts'
import { DEFAULT_MAX_MESSAGE_SIZE } from '../../../src/sync/chunked-options.ts'
import type { PartApi } from '../lib/runner.ts'
import type { BrowserBoard } from '../lib/sealed-board.ts'
import { pause, within } from '../lib/stats.ts'
import { throughOrigin } from '../../e2e/support/slow-link.ts'
import { longTaskNote, SETTLE_MS } from './open.ts'

/**
 * Watches Hearth's result count ("10,000 items"): records the epoch time at
 * which it first reaches `__benchWant`, and every click's time (capture phase,
 * before the app's handlers run).
 */
export async function armCounters(page: Page): Promise<void> {
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
      if (n > 0 && w.__benchFirstAt === undefined) w.__benchFirstAt = now()
      if (w.__benchWant !== undefined && w.__benchReachedAt === null && n >= w.__benchWant) {
        w.__benchReachedAt = now()
        w.__benchRecvAtReach = w.__benchLastRecv
        // The frame that shows it: the next animation frame after the DOM change.
        requestAnimationFrame(() => (w.__benchFrameAtReach = now()))
      }
    }
    new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true })
  })
}

export async function expectCount(page: Page, want: number): Promise<void> {
  await page.evaluate((n) => {
    globalThis.__benchWant = n
    globalThis.__benchReachedAt = null
    globalThis.__benchFrameAtReach = undefined
  }, want)
}

export async function reachedAt(page: Page, timeoutMs: number): Promise<number> {
  const handle = await page.waitForFunction(() => globalThis.__benchReachedAt, undefined, { timeout: timeoutMs, polling: 20 })
  return (await handle.jsonValue()) as number
}

/** B: open the invite, arm the counters, press "Join board"; `beforeClick` runs just before the press. */
export async function join(page: Page, link: string, want: number, beforeClick?: () => Promise<void>): Promise<void> {
  await page.goto(link)
  await page.getByLabel('Your name on this board').fill('Bob')
  await armCounters(page)
  await expectCount(page, want)
  await beforeClick?.()
  await page.getByRole('button', { name: 'Join board' }).click()
}

/**
 * Opens the board in A's main tab and waits until its items are on screen.
 * The app never puts a board's id in its URLs (a page's own random words
 * stand for boards; anything else shows the board opened last), so with
 * more than one board seeded it is opened from the list, by its name.
 */
export async function openOnA(page: Page, appUrl: string, board: BrowserBoard): Promise<void> {
  await page.goto(`${appUrl}#/`)
  await page.locator('.board-list .board-name').getByText(board.name, { exact: true }).click({ timeout: 600_000 })
  await page.locator('h1', { hasText: board.name }).waitFor({ timeout: 600_000 })
  await page.locator('article[data-testid=item]').first().waitFor({ timeout: 600_000 })
}

export interface SyncRun {
  total: number
  /** "Join board" → the first items counted (ms). */
  first: number
  transfer: number
  connect: number
  raw: { connect: number; transfer: number; apply: number }
  tasks: LongTasks
  rawTasks: LongTasks
  /** The joining page's main thread busy, "Join board" → all items counted (ms). */
  busy: number
  /** The same for the raw page, send → decoded and counted. */
  rawBusy: number
}

export interface SyncSamples {
  runs: SyncRun[]
  /** The raw baseline of a run whose Hearth half failed (so the baseline is still known). */
  rawOfFailed: SyncRun['raw'] | null
  stored: Awaited<ReturnType<typeof storedBytes>> | null
  /** Why a run did not finish (runs stop at the first failure). */
  failed: string | null
}

/**
 * `BENCH_JOIN_CPU=4`: the joining peer's pages (the app's, and the raw
 * channel's baseline page) run on a CPU that many times slower (Chromium's
 * throttling), as a cheap phone's would; for a look at its long tasks, not
 * for the table (`--no-write`).
 */
const JOIN_CPU = Number(process.env.BENCH_JOIN_CPU ?? 1)

async function slowed(b: Peer, page: Page): Promise<void> {
  if (JOIN_CPU > 1) await (await b.context.newCDPSession(page)).send('Emulation.setCPUThrottlingRate', { rate: JOIN_CPU })
}

/** A raw data channel from A's page to a new page in B, carrying the bytes A's page holds. */
async function rawRun(pa: Page, b: Peer, baselineUrl: string, total: number, timeoutMs: number, link: SyncLink | undefined): Promise<{ raw: SyncRun['raw']; tasks: LongTasks; busy: number }> {
  const pb = await b.context.newPage()
  await slowed(b, pb)
  try {
    await pb.goto(`${baselineUrl}net.html`)
    const offer = await pa.evaluate((config) => globalThis.bench.rawOffer(config), link ? rtcConfig(link.a) : undefined)
    const answer = await pb.evaluate(([sdp, config]) => globalThis.bench.rawAnswer(sdp, config), [offer.sdp, link ? rtcConfig(link.b) : undefined] as const)
    await pa.evaluate((sdp) => globalThis.bench.rawAccept(sdp), answer)
    const openedAt = await within(30_000, 'raw channel open', () => pb.evaluate(() => globalThis.bench.rawOpened()))
    await pa.evaluate(() => globalThis.bench.rawOpened())
    await pb.evaluate((n) => {
      globalThis.__benchP = globalThis.bench.rawExpect(n, true)
    }, total)
    const busy = await mainThreadClock(pb)
    const sentAt = await pa.evaluate(() => globalThis.bench.rawSend())
    const got = (await within(timeoutMs, 'raw transfer', () => pb.evaluate(() => globalThis.__benchP))) as { receivedAt: number; appliedAt: number }
    const busyMs = await busy()
    await pause(SETTLE_MS)
    const tasks = await longTasks(pb, sentAt, got.appliedAt + SETTLE_MS)
    await Promise.all([pa.evaluate(() => globalThis.bench.rawClose()), pb.evaluate(() => globalThis.bench.rawClose())])
    return { raw: { connect: openedAt - offer.startedAt, transfer: got.receivedAt - sentAt, apply: got.appliedAt - sentAt }, tasks, busy: busyMs }
  } finally {
    await pb.close()
  }
}

/** The network settings of one side (as Settings → Network saves them): its relay, which it then uses alone. */
export interface LinkSide {
  iceServers: RTCIceServer[]
  /** The origin B opens the app and its signaling through (a slow link of its own); A's is the app's. */
  appOrigin?: string
}

/** Both sides of a sync over relays (slow-sync.ts): A on a fast path to the relay, B on a slow one. */
export interface SyncLink {
  a: LinkSide
  b: LinkSide
}

const rtcConfig = (side: LinkSide): RTCConfiguration => ({ iceServers: side.iceServers, iceTransportPolicy: 'relay' })

/** Hearth's saved settings for one side, written before any page of its profile loads. */
async function useLink(peer: Peer, side: LinkSide): Promise<void> {
  const settings = { language: null, signaling: [], replaceSignaling: false, iceServers: side.iceServers, relayOnly: true }
  await peer.context.addInitScript(`localStorage.setItem('hearth.settings', ${JSON.stringify(JSON.stringify(settings))})`)
}

/**
 * A holds `board` in the app; `runs` times, a fresh B first receives the same
 * bytes over a raw channel, then joins the board in the app. Stops at the
 * first run that fails (`timeoutMs` per transfer) and says why. With `link`,
 * both sides (the raw channel too) use only their relays.
 */
export async function syncSamples(ctx: BenchContext, board: BrowserBoard, runs: number, api: PartApi, opts: { timeoutMs: number; profile?: boolean; link?: SyncLink }): Promise<SyncSamples> {
  const servers = await ctx.servers()
  const appUrl = servers.app.url
  const link = opts.link
  const a = await launchBenchPeer('sync-a')
  if (link) await useLink(a, link.a)
  let b: Peer | null = null
  const out: SyncSamples = { runs: [], rawOfFailed: null, stored: null, failed: null }
  try {
    await a.page.goto(seedUrl(appUrl))
    await seedApp(a.page, board, { displayName: 'Alice' })
    await openOnA(a.page, appUrl, board)
    const pa = await a.context.newPage()
    await pa.goto(`${servers.baselineUrl}net.html`)
    await loadBytes(pa, 'raw', board.update)
    await pa.evaluate(() => globalThis.bench.rawLoad('raw'))

    for (let run = 0; run < runs && !api.signal.aborted; run++) {
      b = await launchBenchPeer(`sync-b${run + 1}`)
      if (link) await useLink(b, link.b)
      const aErrors = a.errors.length
      let raw: Awaited<ReturnType<typeof rawRun>> | null = null
      try {
        // Baseline first, while B has no Hearth page that could compete for its CPU.
        raw = await rawRun(pa, b, servers.baselineUrl, board.update.byteLength, opts.timeoutMs, link)
        await pause(500)
        let busy: (() => Promise<number>) | null = null
        const invite = boardInvite(appUrl, board)
        await slowed(b, b.page)
        await join(b.page, link?.b.appOrigin ? throughOrigin(invite, link.b.appOrigin) : invite, board.itemCount, async () => {
          busy = await mainThreadClock(b!.page)
        })
        const syncedAt = await within(opts.timeoutMs, 'initial sync', () => reachedAt(b!.page, opts.timeoutMs))
        const busyMs = await busy!()
        const clickedAt = await b.page.evaluate(() => globalThis.__benchLastClick!)
        const firstAt = await b.page.evaluate(() => globalThis.__benchFirstAt ?? Number.NaN)
        const connectedAt = (await b.page.evaluate(() => globalThis.__benchRtcConnectedAt ?? []))[0] ?? clickedAt
        await pause(SETTLE_MS)
        const tasks = await longTasks(b.page, clickedAt, syncedAt + SETTLE_MS)
        // Let y-indexeddb finish writing what arrived before reading it back.
        await pause(1500)
        out.stored = await storedBytes(b.page, board.boardId)
        out.runs.push({ total: syncedAt - clickedAt, first: firstAt - clickedAt, transfer: syncedAt - connectedAt, connect: connectedAt - clickedAt, raw: raw.raw, tasks, rawTasks: raw.tasks, busy: busyMs, rawBusy: raw.busy })
        ctx.log(`  sync run ${run + 1} (${board.itemCount.toLocaleString('en')} items): Hearth ${(syncedAt - clickedAt).toFixed(0)} ms (first items after ${(firstAt - clickedAt).toFixed(0)} ms; connected after ${(connectedAt - clickedAt).toFixed(0)} ms; longest task ${tasks.longest.toFixed(0)} ms; main thread busy ${busyMs.toFixed(0)} ms); raw connect ${raw.raw.connect.toFixed(0)} ms + transfer ${raw.raw.transfer.toFixed(0)} ms (+ decode: ${raw.raw.apply.toFixed(0)} ms; busy ${raw.busy.toFixed(0)} ms)`)
      } catch (err) {
        out.rawOfFailed = raw?.raw ?? null
        // What the pages said is often the real reason (a timeout alone is not).
        const said = [...a.errors.slice(aErrors).map((e) => `A ${e}`), ...b.errors.map((e) => `B ${e}`)]
          .filter((e) => !e.includes('Failed to load resource'))
          .slice(0, 2)
          .map((e) => e.slice(0, 200))
        // y-webrtc sends the whole missing state as one message; the chunked channel refuses a message over its cap.
        const cap = board.sealed.state.byteLength > DEFAULT_MAX_MESSAGE_SIZE ? `; the sealed state (${(board.sealed.state.byteLength / MB).toFixed(1)} MB) is over the ${DEFAULT_MAX_MESSAGE_SIZE / MB} MB a chunked-channel message may carry, and y-webrtc sends it as one message` : ''
        out.failed = `run ${run + 1}: ${reasonOf(err)}${said.length > 0 ? ` (page errors: ${said.join(' | ')})` : ''}${cap}`
        ctx.log(`  sync run ${run + 1} failed: ${reasonOf(err)}`)
        break
      } finally {
        await b.close()
        b = null
      }
      await pause(1000)
    }
    if (ctx.profile && opts.profile && !out.failed && !api.signal.aborted) {
      ctx.log(`  profiling one more join (${process.env.BENCH_PROFILE_MINIFIED ? 'the timed' : 'an unminified'} build)`)
      await profileSync(ctx, a, board)
    }
    return out
  } finally {
    await b?.close()
    await a.close()
  }
}

/** One extra join on the unminified build, with B's CPU profiled from the click to all items shown. */
async function profileSync(ctx: BenchContext, a: Peer, board: BrowserBoard): Promise<void> {
  const servers = await ctx.servers()
  const url = await servers.profileUrl()
  // BENCH_PROFILE_MINIFIED=1 profiles the timed build, on A's own origin, where A's page already shows the
  // board: seeding it again in a second tab made a second copy of A's device there, and the join never saw an item.
  const own = url === servers.app.url
  const pa = own ? null : await a.context.newPage()
  const b = await launchBenchPeer('sync-profile')
  try {
    if (pa) {
      await pa.goto(seedUrl(url))
      await seedApp(pa, board, { displayName: 'Alice' })
      await openOnA(pa, url, board)
    }
    await slowed(b, b.page)
    await join(b.page, boardInvite(url, board), board.itemCount)
    const stop = await startProfile(b.page)
    const t0 = Date.now()
    await reachedAt(b.page, 180_000)
    ctx.profiles['initial sync (joining peer B)'] = { ...(await stop()), wallMs: Date.now() - t0 }
  } finally {
    await pa?.close()
    await b.close()
  }
}

/** The rows of one board's initial sync (also used by the scale table, with `prefix`; `over` names a link other than loopback, as " over …"). */
export function syncFigures(board: BrowserBoard, s: SyncSamples, prefix = 'sync', over = ''): Figure[] {
  const n = board.itemCount.toLocaleString('en')
  const runs = s.runs
  if (runs.length === 0) {
    const reason = s.failed ?? 'no run finished'
    return [
      failedFigure({ id: `${prefix}-transfer`, label: `initial sync${over}: peer connected → all ${n} items counted`, reason, target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' } }),
      failedFigure({ id: `${prefix}-longest-task`, label: `long tasks: longest main-thread task on the peer joining the ${n}-item board${over}`, reason, target: { kind: 'absolute', max: 50, text: '≤ 50 ms' } }),
    ]
  }
  const partial = s.failed ? `; then ${s.failed}` : ''
  return [
    figure({
      id: `${prefix}-total`,
      label: `initial sync${over}: "Join board" → all ${n} items counted (incl. connecting)`,
      unit: 'ms',
      hearth: runs.map((r) => r.total),
      baselineLabel: 'raw RTCDataChannel: connect + send the same bytes',
      baseline: runs.map((r) => r.raw.connect + r.raw.transfer),
      note: `Hearth connected after ${runs.map((r) => r.connect.toFixed(0)).join(', ')} ms; raw channel opened after ${runs.map((r) => r.raw.connect.toFixed(0)).join(', ')} ms (SDP relayed by the driver, no signaling server)${partial}`,
    }),
    figure({
      id: `${prefix}-first`,
      label: `initial sync${over}: "Join board" → the first items counted (${n}-item board)`,
      unit: 'ms',
      hearth: runs.map((r) => r.first),
      baselineLabel: 'raw RTCDataChannel: connect + send the same bytes + one Yjs decode (its first items are all of them)',
      baseline: runs.map((r) => r.raw.connect + r.raw.apply),
      note: 'When the newcomer first sees anything. An invited newcomer holds no key until the welcome its inviter writes on admitting it; that welcome overtakes the board queued for it, and the circle\'s entries come first, so the newcomer reads the board as it arrives (the section "The newcomer reads the board as it arrives" below).',
    }),
    figure({
      id: `${prefix}-transfer`,
      label: `initial sync${over}: peer connected → all ${n} items counted`,
      unit: 'ms',
      hearth: runs.map((r) => r.transfer),
      baselineLabel: `raw RTCDataChannel alone: ${(board.update.byteLength / MB).toFixed(2)} MB in 16 KiB messages`,
      baseline: runs.map((r) => r.raw.transfer),
      target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
      note: `Hearth sends the sealed doc: ${(board.sealed.state.byteLength / MB).toFixed(2)} MB`,
    }),
    figure({
      id: `${prefix}-decode`,
      label: `initial sync${over}: peer connected → all ${n} items counted, against transfer + one Yjs decode`,
      unit: 'ms',
      hearth: runs.map((r) => r.transfer),
      baselineLabel: 'raw transfer, then Y.applyUpdate into a fresh doc + count',
      baseline: runs.map((r) => r.raw.apply),
    }),
    figure({
      id: `${prefix}-main-thread`,
      label: `initial sync${over}: the joining peer's main thread busy, "Join board" → all ${n} items counted`,
      unit: 'ms',
      hearth: runs.map((r) => r.busy),
      baselineLabel: 'raw transfer + decode page: send → decoded and counted',
      baseline: runs.map((r) => r.rawBusy),
      note: 'CDP Performance.getMetrics TaskDuration: what the page computed, apart from what it waited for (the link, the other peer, the crypto worker). Less moved by the machine than the times above.',
    }),
    figure({
      id: `${prefix}-longest-task`,
      label: `long tasks: longest main-thread task on the peer joining the ${n}-item board${over}`,
      unit: 'ms',
      hearth: runs.map((r) => r.tasks.longest),
      baselineLabel: 'raw transfer + decode page, same peer',
      baseline: runs.map((r) => r.rawTasks.longest),
      target: { kind: 'absolute', max: 50, text: '≤ 50 ms' },
      note: `"Join board" → ${SETTLE_MS / 1000} s after all items counted; Hearth ${longTaskNote(runs.map((r) => r.tasks))}`,
    }),
    figure({
      id: `${prefix}-long-tasks-total`,
      label: `long tasks: total time in tasks over 50 ms on the peer joining the ${n}-item board${over}`,
      unit: 'ms',
      hearth: runs.map((r) => r.tasks.total),
      baselineLabel: 'raw transfer + decode page, same peer',
      baseline: runs.map((r) => r.rawTasks.total),
      note: `baseline: send → ${SETTLE_MS / 1000} s after decoded; ${longTaskNote(runs.map((r) => r.rawTasks))}`,
    }),
  ]
}

export async function measureSync(ctx: BenchContext, api: PartApi): Promise<Figure[]> {
  const large = await ctx.large()
  const s = await syncSamples(ctx, large, ctx.runs.sync, api, { timeoutMs: 180_000, profile: true })
  const n = large.itemCount.toLocaleString('en')
  const rows = syncFigures(large, s)
  if (s.stored) {
    rows.push(
      figure({
        id: 'storage-synced',
        label: `storage: IndexedDB bytes of the ${n}-item board on the peer that just joined`,
        unit: 'MB',
        hearth: [s.stored.bytes / MB],
        baselineLabel: 'Y.encodeStateAsUpdate(doc)',
        baseline: [large.update.byteLength / MB],
        target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
        note: `sum of the values in y-indexeddb's "updates" store of ${s.stored.db} (${s.stored.records} records); navigator.storage.estimate() usage for the whole origin: ${s.stored.estimate === null ? 'n/a' : (s.stored.estimate / MB).toFixed(1) + ' MB'}`,
      }),
    )
  }
  if (s.failed && s.runs.length > 0) rows.push(failedFigure({ id: 'sync-incomplete', label: `initial sync: runs after the first failure`, reason: s.failed, note: `${s.runs.length} of ${ctx.runs.sync} runs finished` }))
  return rows
}
