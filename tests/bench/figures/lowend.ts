/**
 * lowend: Hearth on a low-end phone and a slow link, as a newcomer and as a
 * returning member. Chromium's DevTools protocol slows the page's CPU 6× and
 * its HTTP to "3G slow" (WebPageTest's profile: 400 ms round trips,
 * 400 kbit/s each way; DevTools' own "Slow 3G" preset adds 2 s to every
 * request, which no first paint under 1 s could survive). Open WebSocket
 * frames are not slowed by this emulation. WebRTC is, since Chromium 156
 * (it was not in 150: tests/e2e/support/slow-link.ts): every packet of the
 * newcomer's peer connection waits the 400 ms each way, a round trip of
 * 800 ms, twice the HTTP one. The board arrives over WebRTC from Alice, an
 * unslowed phone that holds it; the newcomer's side of that link is slow.
 *
 * Per run, in a fresh profile (own Chromium process):
 * - first visit: open an invite link; first contentful paint, the join screen
 *   usable (name field and the menu with Wipe), then "Join board" at once and the 50-item
 *   board shown; bytes the page fetched over HTTP as transferred (the server
 *   sends brotli where the browser takes it; the gzip equivalent of the same
 *   files is in the note).
 * - cached start (the service worker installed, the board on the device):
 *   the app's root until the board list and the menu with Wipe show; the board's address
 *   until its 50 items show.
 *
 *   npm run bench -- --only lowend --no-write
 */
import { readFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { CDPSession, Page } from 'playwright-core'
import { distDir } from '../../e2e/support/build.ts'
import { launchPeer, type Peer } from '../../e2e/support/browser.ts'
import { createBoard, readInviteLink, resultCount, waitForText } from '../../e2e/support/flows.ts'
import { startSeeder } from '../../e2e/support/seed.ts'
import { startApp } from '../../e2e/support/server.ts'
import type { BenchContext } from '../lib/context.ts'
import { figure, type Figure } from '../lib/figure.ts'
import { summarize, within } from '../lib/stats.ts'

/** Runs (fresh profiles); HEARTH_LOWEND_RUNS overrides it for a quick look. */
const RUNS = Number(process.env.HEARTH_LOWEND_RUNS) || 3
const ITEMS = 50
const CPU_SLOWDOWN = 6
/** WebPageTest "3G Slow": 400 ms RTT, 400 kbit/s down and up (bytes per second for CDP). */
const SLOW_3G = { offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 400_000 / 8 }
const UNTHROTTLED = { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }

/**
 * In-page marks in ms since navigation start: first contentful paint, and the
 * first time the ⋮ menu that holds Wipe (on a phone Wipe lives at the bottom
 * of the menu of every screen, one tap away, as tests/e2e/network-cached-start
 * marks it), the join form's name field, the board list (or its empty state)
 * and the 50-item board were on screen. And the steps of a join: "Join board"
 * pressed, the first peer connection's ICE check (one round trip), the
 * connection made (ICE and DTLS) and its data channel open. The join takes
 * about 2 s longer when the member's device offers the connection than when
 * the newcomer does (docs/PERFORMANCE.md, "A newcomer's join over the
 * low-end link").
 */
const MARKS = `(() => {
  globalThis.__name = globalThis.__name || ((f) => f);
  if (globalThis.__lowend) return;
  const marks = {};
  globalThis.__lowend = marks;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint' && !('fcp' in marks)) marks.fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
  const check = () => {
    const now = performance.now();
    const menu = document.querySelector('.app-bar .menu-button');
    if (!('wipe' in marks) && menu && !menu.disabled) marks.wipe = now;
    if (!('join' in marks) && [...document.querySelectorAll('label')].some((l) => /Your name on this board/.test(l.textContent || ''))) marks.join = now;
    if (!('list' in marks) && document.querySelector('.board-list a, main .empty')) marks.list = now;
    const count = document.querySelector('[data-testid=result-count]');
    if (!('items' in marks) && count && /\\b${ITEMS} items\\b/.test(count.textContent || '')) marks.items = now;
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  const once = (k) => { if (!(k in marks)) marks[k] = performance.now(); };
  document.addEventListener('click', (e) => { if (/Join board/.test(e.target?.closest?.('button')?.textContent || '')) once('click'); }, true);
  const PC = globalThis.RTCPeerConnection;
  globalThis.RTCPeerConnection = class extends PC {
    constructor(...a) {
      super(...a);
      this.addEventListener('connectionstatechange', () => { if (this.connectionState === 'connected') once('connected'); });
      this.addEventListener('iceconnectionstatechange', () => { if (this.iceConnectionState === 'checking') once('checking'); if (this.iceConnectionState === 'connected') once('iceConnected'); });
      this.addEventListener('datachannel', (e) => e.channel.addEventListener('open', () => once('channel')));
    }
    createDataChannel(...a) { once('offered'); const c = super.createDataChannel(...a); c.addEventListener('open', () => once('channel')); return c; }
  };
})()`

type Mark = 'fcp' | 'wipe' | 'join' | 'list' | 'items'
/** The steps of a join, marked as they happen (not waited for). */
type JoinStep = 'click' | 'checking' | 'iceConnected' | 'connected' | 'channel' | 'offered'

type Marks = Record<Mark, number> & Partial<Record<JoinStep, number>>

async function waitForMarks(page: Page, keys: Mark[], timeoutMs = 120_000): Promise<Marks> {
  const handle = await page.waitForFunction(
    (ks) => {
      const m = (globalThis as unknown as { __lowend?: Record<string, number> }).__lowend
      return m && ks.every((k) => k in m) ? m : null
    },
    keys,
    { timeout: timeoutMs, polling: 50 },
  )
  return (await handle.jsonValue()) as Marks
}

/** Slows the page's CPU and HTTP; counts the bytes of every response it receives. */
async function slowDown(page: Page): Promise<{ cdp: CDPSession; bytes: () => number; files: Map<string, number> }> {
  const cdp = await page.context().newCDPSession(page)
  const files = new Map<string, number>()
  const urls = new Map<string, string>()
  let total = 0
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url))
  cdp.on('Network.loadingFinished', (e) => {
    total += e.encodedDataLength
    const url = urls.get(e.requestId)
    if (url) files.set(new URL(url).pathname, e.encodedDataLength)
  })
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', SLOW_3G)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN })
  return { cdp, bytes: () => total, files }
}

/** The app's own marks (src/main.ts): script started, app mounted, app started; ms since navigation start. */
async function appMarks(page: Page): Promise<string> {
  const marks = await page.evaluate(() => performance.getEntriesByType('mark').filter((m) => m.name.startsWith('hearth:')).map((m) => `${m.name.slice(7)} ${m.startTime.toFixed(0)}`))
  return marks.join(', ')
}

async function speedUp(cdp: CDPSession): Promise<void> {
  await cdp.send('Network.emulateNetworkConditions', UNTHROTTLED)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
}

/** What the same files would weigh served gzip (level 6, as a server would). */
async function gzipEquivalent(paths: Iterable<string>): Promise<number> {
  let sum = 0
  for (const p of paths) {
    const file = p === '/' ? 'index.html' : p.replace(/^\//, '')
    const data = await readFile(join(distDir, file)).catch(() => null)
    if (data) sum += gzipSync(data, { level: 6 }).byteLength
  }
  return sum
}

interface Run {
  firstPaint: number
  firstUsable: number
  firstBoard: number
  /** ms after "Join board" until each step of the join (NaN if one was not seen). */
  joinSteps: Record<'connected' | 'channel' | 'items' | 'iceCheck', number>
  /** Whether the newcomer offered the connection (it made the data channel), or the member's device did. */
  newcomerOffered: boolean
  firstBytesUsable: number
  firstBytesBoard: number
  firstGzipBoard: number
  cachedPaint: number
  cachedUsable: number
  cachedBoard: number
  cachedBytes: number
}

async function oneRun(ctx: BenchContext, n: number, appUrl: string, invite: string): Promise<Run> {
  const bob: Peer = await launchPeer(`lowend-${n}`, { viewport: { width: 360, height: 740 } })
  try {
    await bob.context.addInitScript(MARKS)
    // First visit, through an invite link.
    const page = bob.page
    const slow = await slowDown(page)
    await page.goto(invite, { waitUntil: 'commit' })
    const first = await waitForMarks(page, ['fcp', 'wipe', 'join'])
    const firstBytesUsable = slow.bytes()
    const firstAppMarks = await appMarks(page)
    await page.getByLabel('Your name on this board').fill(`Bob ${n}`)
    await page.getByRole('button', { name: 'Join board' }).click()
    const joined = await waitForMarks(page, ['items'])
    const firstBytesBoard = slow.bytes()
    const firstGzipBoard = await gzipEquivalent(slow.files.keys())
    const boardUrl = page.url()
    ctx.log(`  lowend run ${n}: first visit paint ${first.fcp.toFixed(0)} ms, join screen ${Math.max(first.wipe, first.join).toFixed(0)} ms, board ${joined.items.toFixed(0)} ms, ${(firstBytesBoard / 1024).toFixed(0)} KB (app: ${firstAppMarks})`)
    const after = (t: number | undefined) => (t === undefined || joined.click === undefined ? NaN : t - joined.click)
    const iceCheck = joined.checking === undefined || joined.iceConnected === undefined ? NaN : joined.iceConnected - joined.checking
    const joinSteps = { connected: after(joined.connected), channel: after(joined.channel), items: after(joined.items), iceCheck }
    const newcomerOffered = joined.offered !== undefined
    ctx.log(`  lowend run ${n}: after "Join board": ${describeJoin(joinSteps)}; offered by ${newcomerOffered ? 'the newcomer' : 'the member’s device'}`)

    // Let the service worker install its precache at full speed, then start again from it.
    await speedUp(slow.cdp)
    await slow.cdp.detach()
    await bob.waitForServiceWorker()
    const cachedPage = async (url: string, marks: Mark[]) => {
      const p = await bob.context.newPage()
      try {
        const s = await slowDown(p)
        await p.goto(url, { waitUntil: 'commit' })
        const m = await waitForMarks(p, marks, 60_000)
        return { marks: m, bytes: s.bytes(), app: await appMarks(p) }
      } finally {
        await p.close()
      }
    }
    await page.goto('about:blank')
    const root = await cachedPage(appUrl, ['fcp', 'wipe', 'list'])
    const board = await cachedPage(boardUrl, ['fcp', 'items'])
    ctx.log(`  lowend run ${n}: cached start paint ${root.marks.fcp.toFixed(0)} ms, list ${Math.max(root.marks.wipe, root.marks.list).toFixed(0)} ms, board ${board.marks.items.toFixed(0)} ms (app: ${root.app})`)
    return {
      firstPaint: first.fcp,
      firstUsable: Math.max(first.wipe, first.join),
      firstBoard: joined.items,
      joinSteps,
      newcomerOffered,
      firstBytesUsable,
      firstBytesBoard,
      firstGzipBoard,
      cachedPaint: root.marks.fcp,
      cachedUsable: Math.max(root.marks.wipe, root.marks.list),
      cachedBoard: board.marks.items,
      cachedBytes: root.bytes,
    }
  } finally {
    await bob.close()
  }
}

function medianSteps(runs: readonly Run[]): Run['joinSteps'] {
  const med = (k: keyof Run['joinSteps']) => {
    const xs = runs.map((r) => r.joinSteps[k]).filter(Number.isFinite)
    return xs.length ? summarize(xs).median : NaN
  }
  return { connected: med('connected'), channel: med('channel'), items: med('items'), iceCheck: med('iceCheck') }
}

function describeJoin(steps: Run['joinSteps']): string {
  const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : 'not seen')
  return `peer connection made ${ms(steps.connected)}, data channel open ${ms(steps.channel)}, ${ITEMS} items shown ${ms(steps.items)}; ICE's check (one WebRTC round trip) ${ms(steps.iceCheck)}`
}

export async function measureLowEnd(ctx: BenchContext): Promise<Figure[]> {
  const app = await startApp()
  const alice = await launchPeer('lowend-alice', { viewport: { width: 1280, height: 800 } })
  let seeder: ReturnType<typeof startSeeder> | null = null
  try {
    // Alice's phone holds a 50-item board (made by a Node member device) and stays online, unslowed.
    await alice.page.goto(app.url)
    await createBoard(alice.page, { name: 'Low-end bench board', displayName: 'Alice' })
    // One invitation for the seeding device and every run's newcomer (each run is a new person).
    const invite = await readInviteLink(alice.page, { uses: 10 })
    seeder = startSeeder({ invite, signalingUrl: app.signalingUrl, count: ITEMS, seed: 11 })
    await seeder.synced(60_000)
    await waitForText(resultCount(alice.page), `${ITEMS} items`, 60_000)
    await seeder.stop()
    seeder = null

    const runs: Run[] = []
    for (let n = 1; n <= RUNS; n++) runs.push(await within(300_000, `lowend run ${n}`, () => oneRun(ctx, n, app.url, invite)))
    const col = (k: Exclude<keyof Run, 'joinSteps' | 'newcomerOffered'>) => runs.map((r) => r[k])
    const kb = (xs: number[]) => xs.map((x) => x / 1024)
    const link = `${CPU_SLOWDOWN}× CPU, 3G slow (400 ms, 400 kbit/s)`
    // CPU slowdown is relative to this machine as it is now: shared, it may be loaded.
    ctx.log(`  lowend: bytes until the join screen ${(Math.max(...col('firstBytesUsable')) / 1024).toFixed(0)} KB; the board's files served gzip ${(Math.max(...col('firstGzipBoard')) / 1024).toFixed(0)} KB; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`)
    return [
      figure({ id: 'lowend-first-paint', label: `low-end, first visit: first contentful paint (${link})`, unit: 'ms', hearth: col('firstPaint'), target: { kind: 'absolute', max: 1000, text: '< 1 s' } }),
      figure({ id: 'lowend-first-usable', label: `low-end, first visit: invite opened → join screen usable (name field, the menu with Wipe)`, unit: 'ms', hearth: col('firstUsable'), target: { kind: 'absolute', max: 4000, text: '< 4 s' } }),
      figure({
        id: 'lowend-first-board',
        label: `low-end, first visit: invite opened → joined, ${ITEMS}-item board shown (from an unslowed phone, over WebRTC slowed on the newcomer's side)`,
        unit: 'ms',
        hearth: col('firstBoard'),
        note: `the newcomer's WebRTC is slowed by the emulation too (since Chromium 156, by its latency each way); medians after "Join board": ${describeJoin(medianSteps(runs))}; the newcomer offered the connection in ${runs.filter((r) => r.newcomerOffered).length} of ${runs.length} joins (the member's device in the others: about 2 s slower)`,
      }),
      figure({
        id: 'lowend-first-bytes',
        label: `low-end, first visit: bytes over HTTP until the ${ITEMS}-item board (page only)`,
        unit: 'KB',
        hearth: kb(col('firstBytesBoard')),
        note: `until the join screen: ${(Math.max(...col('firstBytesUsable')) / 1024).toFixed(0)} KB; the same files served gzip: ${(Math.max(...col('firstGzipBoard')) / 1024).toFixed(0)} KB; the service worker then fetches its precache in the background`,
      }),
      figure({ id: 'lowend-cached-paint', label: `low-end, cached start: first contentful paint`, unit: 'ms', hearth: col('cachedPaint') }),
      figure({ id: 'lowend-cached-usable', label: `low-end, cached start: board list and the menu with Wipe shown`, unit: 'ms', hearth: col('cachedUsable'), target: { kind: 'absolute', max: 1000, text: '< 1 s' }, note: `bytes over HTTP: ${(Math.max(...col('cachedBytes')) / 1024).toFixed(1)} KB (/config.json, answered in the background)` }),
      figure({ id: 'lowend-cached-board', label: `low-end, cached start: the ${ITEMS}-item board's address → its items shown`, unit: 'ms', hearth: col('cachedBoard') }),
    ]
  } finally {
    await seeder?.stop()
    await alice.close()
    await app.close()
  }
}
