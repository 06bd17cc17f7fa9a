/**
 * open, memory, storage and long tasks, in one Chromium profile holding the
 * large board:
 *
 * - open (list): a fresh page load of Hearth until the board list is rendered
 *   from IndexedDB; baseline: a page that loads the same doc with y-indexeddb,
 *   counts the items and renders the first 50 titles.
 * - open (board): a fresh page load straight onto the large board until its
 *   first item card is rendered (what people feel); same baseline.
 * - memory: JS heap after the board is open and GC has run, against the
 *   baseline page's heap after it loaded the doc.
 * - storage: bytes y-indexeddb holds for the board after those opens.
 * - long tasks: main-thread tasks over 50 ms from navigation start until 1 s
 *   after the first card (the page's long-task observer), the longest and
 *   their total; same window on the baseline page.
 *
 * Hearth and baseline alternate within every run so drift hits both alike.
 */
import type { Page } from 'playwright-core'
import { boardDatabaseName } from '../../../src/storage/board-store.ts'
import { bareLoads, type BareLoad } from '../lib/bare-chromium.ts'
import { memoryAfterGc, launchBenchPeer, longTasks, seedApp, seedPlain, startProfile, storedBytes, seedUrl, waitForMark, type LongTasks, type Peer } from '../lib/browser.ts'
import type { BenchContext } from '../lib/context.ts'
import { figure, MB, type Figure } from '../lib/figure.ts'
import type { PartApi } from '../lib/runner.ts'
import type { BrowserBoard } from '../lib/sealed-board.ts'
import { pause } from '../lib/stats.ts'

/** Long tasks are counted until this long after the mark (work right after the first render still blocks input). */
export const SETTLE_MS = 1000

export interface OpenSamples {
  list: number[]
  board: number[]
  base: number[]
  heapApp: number[]
  heapBoard: number[]
  heapBase: number[]
  /** ArrayBuffer backing stores beside the heaps above (outside the JS heap). */
  storesBoard: number[]
  storesBase: number[]
  tasksBoard: LongTasks[]
  tasksBase: LongTasks[]
  stored: Awaited<ReturnType<typeof storedBytes>>
  /** The same opens in a Chromium with no DevTools domain enabled (lib/bare-chromium.ts), when asked for. */
  bare: { board: BareLoad[]; base: BareLoad[] } | null
}

/** Seeds `board` into a fresh profile (app and baseline origins), then opens it `runs` times each way. */
export async function openSamples(ctx: BenchContext, board: BrowserBoard, runs: number, api: PartApi, opts: { list: boolean; profile?: boolean; bare?: boolean }): Promise<OpenSamples> {
  const servers = await ctx.servers()
  const appUrl = servers.app.url
  const baselineUrl = `${servers.baselineUrl}open.html?db=${boardDatabaseName(board.boardId)}`
  const peer = await launchBenchPeer('open')
  try {
    const seedPage = peer.page
    await seedPage.goto(seedUrl(appUrl))
    await seedApp(seedPage, board, { displayName: 'Alice' })
    await seedPage.goto(`${servers.baselineUrl}open.html`)
    await seedPlain(seedPage, boardDatabaseName(board.boardId), board.update)
    // Untimed first open: the app moves the seeded record into its keyring
    // and, 2 s after its engine stops judging, keeps the verdicts it reached;
    // the timed opens find the board as the app keeps it.
    await seedPage.goto(`${appUrl}#/board/${board.boardId}`)
    await waitForMark(seedPage, 'items', 600_000)
    await pause(5000)
    await seedPage.goto('about:blank')

    const s: Omit<OpenSamples, 'stored' | 'bare'> = { list: [], board: [], base: [], heapApp: [], heapBoard: [], heapBase: [], storesBoard: [], storesBase: [], tasksBoard: [], tasksBase: [] }
    for (let run = 0; run < runs && !api.signal.aborted; run++) {
      if (opts.list) {
        s.list.push(await timedLoad(peer, appUrl, 'list', async (page) => s.heapApp.push((await memoryAfterGc(page)).heap)))
        await pause(300)
      }
      s.base.push(
        await timedLoad(peer, baselineUrl, 'baseline', async (page, mark) => {
          s.tasksBase.push(await settledTasks(page, mark))
          const m = await memoryAfterGc(page)
          s.heapBase.push(m.heap)
          s.storesBase.push(m.stores)
        }),
      )
      await pause(300)
      s.board.push(
        await timedLoad(peer, `${appUrl}#/board/${board.boardId}`, 'items', async (page, mark) => {
          s.tasksBoard.push(await settledTasks(page, mark))
          const m = await memoryAfterGc(page)
          s.heapBoard.push(m.heap)
          s.storesBoard.push(m.stores)
        }),
      )
      await pause(300)
      ctx.log(`  open run ${run + 1} (${board.itemCount.toLocaleString('en')} items): ${opts.list ? `list ${s.list.at(-1)!.toFixed(0)} ms, ` : ''}board ${s.board.at(-1)!.toFixed(0)} ms, baseline ${s.base.at(-1)!.toFixed(0)} ms; longest task ${s.tasksBoard.at(-1)!.longest.toFixed(0)} ms`)
    }

    const page = await peer.context.newPage()
    await page.goto(appUrl)
    await waitForMark(page, 'list')
    const stored = await storedBytes(page, board.boardId)
    await page.close()

    if (opts.profile && ctx.profile) await profileOpen(ctx, peer, board)
    let bare: OpenSamples['bare'] = null
    if (opts.bare && !api.signal.aborted) {
      // The same profile in a Chromium no DevTools domain is enabled in (lib/bare-chromium.ts), board and baseline in turn.
      await peer.context.close()
      const loads = await bareLoads(peer.profileDir, Array.from({ length: runs }, () => [{ url: baselineUrl, selector: '#bench-done' }, { url: `${appUrl}#/board/${board.boardId}`, selector: 'article[data-testid=item]' }]).flat(), SETTLE_MS)
      bare = { base: loads.filter((_, i) => i % 2 === 0), board: loads.filter((_, i) => i % 2 === 1) }
      ctx.log(`  bare loads (no DevTools domain): board ${bare.board.map((l) => `${l.ms.toFixed(0)} ms, longest task ${l.tasks.longest.toFixed(0)} ms`).join('; ')}`)
    }
    return { ...s, stored, bare }
  } finally {
    await peer.close()
  }
}

/** Long tasks from navigation start until SETTLE_MS after the mark (waits for the window to pass). */
async function settledTasks(page: Page, mark: number): Promise<LongTasks> {
  await pause(SETTLE_MS)
  const origin = await page.evaluate(() => performance.timeOrigin)
  return longTasks(page, origin, origin + mark + SETTLE_MS)
}

export function longTaskNote(samples: LongTasks[]): string {
  const per = samples.map((t) => `${t.count} tasks, ${t.total.toFixed(0)} ms`).join('; ')
  return `per run: ${per}; blocking time beyond 50 ms per task, median ${median(samples.map((t) => t.blocking)).toFixed(0)} ms`
}

export async function measureOpen(ctx: BenchContext, api: PartApi): Promise<Figure[]> {
  const large = await ctx.large()
  const s = await openSamples(ctx, large, ctx.runs.open, api, { list: true, profile: true, bare: true })
  const n = large.itemCount.toLocaleString('en')
  return [
    figure({
      id: 'open-list',
      label: `open: app start → board list rendered (${n}-item board on the device)`,
      unit: 'ms',
      hearth: s.list,
      baselineLabel: 'y-indexeddb load + count + 50 titles',
      baseline: s.base,
      target: { kind: 'ratio', max: 1.2, text: '≤ 1.2×' },
    }),
    figure({
      id: 'open-board',
      label: `open: app start → ${n}-item board's items rendered`,
      unit: 'ms',
      hearth: s.board,
      baselineLabel: 'y-indexeddb load + count + 50 titles',
      baseline: s.base,
      target: { kind: 'ratio', max: 1.2, text: '≤ 1.2×' },
    }),
    figure({
      id: 'open-longest-task',
      label: `long tasks: longest main-thread task while the ${n}-item board opens`,
      unit: 'ms',
      hearth: s.tasksBoard.map((t) => t.longest),
      baselineLabel: 'baseline page, same window',
      baseline: s.tasksBase.map((t) => t.longest),
      target: { kind: 'absolute', max: 50, text: '≤ 50 ms' },
      note: `navigation start → ${SETTLE_MS / 1000} s after the first card; Hearth ${longTaskNote(s.tasksBoard)}`,
    }),
    figure({
      id: 'open-long-tasks-total',
      label: `long tasks: total time in tasks over 50 ms while the ${n}-item board opens`,
      unit: 'ms',
      hearth: s.tasksBoard.map((t) => t.total),
      baselineLabel: 'baseline page, same window',
      baseline: s.tasksBase.map((t) => t.total),
      note: `baseline ${longTaskNote(s.tasksBase)}`,
    }),
    ...(s.bare ? bareFigures(s.bare, n) : []),
    figure({
      id: 'memory',
      label: `memory: JS heap with the ${n}-item board open (after GC)`,
      unit: 'MB',
      hearth: s.heapBoard.map((b) => b / MB),
      baselineLabel: 'baseline page heap after loading the doc',
      baseline: s.heapBase.map((b) => b / MB),
      target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
      note: `Hearth's heap on the board list (no board loaded): ${(median(s.heapApp) / MB).toFixed(1)} MB; outside the heap (not in the row), ArrayBuffer backing stores: Hearth ${(median(s.storesBoard) / MB).toFixed(1)} MB, baseline ${(median(s.storesBase) / MB).toFixed(1)} MB`,
    }),
    figure({
      id: 'storage-seeded',
      label: `storage: IndexedDB bytes of the ${n}-item board after ${ctx.runs.open + 1} opens`,
      unit: 'MB',
      hearth: [s.stored.bytes / MB],
      baselineLabel: 'Y.encodeStateAsUpdate(doc)',
      baseline: [large.update.byteLength / MB],
      target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
      note: `sum of the values in y-indexeddb's "updates" store of ${s.stored.db} (${s.stored.records} records; seeded as ${large.sealed.entries} entries, ${(large.sealed.state.byteLength / MB).toFixed(2)} MB); navigator.storage.estimate() usage for the whole origin: ${s.stored.estimate === null ? 'n/a' : (s.stored.estimate / MB).toFixed(1) + ' MB'}`,
    }),
  ]
}

/** The open and its long tasks as a person's browser runs them: Playwright's Runtime domain adds a task of its own at start. */
function bareFigures(bare: { board: BareLoad[]; base: BareLoad[] }, n: string): Figure[] {
  const why = 'Chromium driven over its DevTools pipe with no domain enabled in the page (lib/bare-chromium.ts): the Runtime domain Playwright enables makes V8 parse the main chunk again as it runs (docs/PERFORMANCE.md, "The debugger\'s own long task")'
  return [
    figure({
      id: 'open-board-bare',
      label: `open, no DevTools domain: app start → ${n}-item board's items rendered`,
      unit: 'ms',
      hearth: bare.board.map((l) => l.ms),
      baselineLabel: 'y-indexeddb load + count + 50 titles, no DevTools domain',
      baseline: bare.base.map((l) => l.ms),
      target: { kind: 'ratio', max: 1.2, text: '≤ 1.2×' },
      note: why,
    }),
    figure({
      id: 'open-longest-task-bare',
      label: `long tasks, no DevTools domain: longest main-thread task while the ${n}-item board opens`,
      unit: 'ms',
      hearth: bare.board.map((l) => l.tasks.longest),
      baselineLabel: 'baseline page, same window',
      baseline: bare.base.map((l) => l.tasks.longest),
      target: { kind: 'absolute', max: 50, text: '≤ 50 ms' },
      note: `navigation start → ${SETTLE_MS / 1000} s after the first card; Hearth ${longTaskNote(bare.board.map((l) => l.tasks))}; baseline ${longTaskNote(bare.base.map((l) => l.tasks))}`,
    }),
  ]
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)] ?? 0
}

/** Loads `url` in a new tab; returns ms from navigation start to the mark, after `after` ran on the loaded page. */
async function timedLoad(peer: Peer, url: string, mark: 'list' | 'items' | 'baseline', after: (page: Page, mark: number) => Promise<unknown>): Promise<number> {
  const page = await peer.context.newPage()
  try {
    await page.goto(url)
    const ms = await waitForMark(page, mark, 600_000)
    await after(page, ms)
    return ms
  } finally {
    await page.close()
  }
}

/**
 * A CPU profile of opening the large board in an unminified build of the app
 * (same code, readable names): from the board list, navigate to the board
 * and stop when its first card is rendered.
 */
async function profileOpen(ctx: BenchContext, peer: Peer, board: BrowserBoard): Promise<void> {
  const url = await (await ctx.servers()).profileUrl()
  const page = await peer.context.newPage()
  try {
    // The unminified build is another origin: seed it too.
    await page.goto(seedUrl(url))
    await seedApp(page, board, { displayName: 'Alice' })
    // Untimed first open (the record into the keyring, the verdicts kept), as for the timed runs.
    await page.goto(`${url}#/board/${board.boardId}`)
    await waitForMark(page, 'items', 600_000)
    await pause(5000)
    await page.goto('about:blank')
    // A whole app start: from a same-origin page that runs no app (the renderer, and so the profiler, stays),
    // straight to the board. Otherwise the hash change from the board list.
    const full = Boolean(process.env.BENCH_PROFILE_FULL)
    await page.goto(full ? seedUrl(url) : url)
    if (!full) await waitForMark(page, 'list')
    const stop = await startProfile(page)
    const started = Date.now()
    if (full) await page.goto(`${url}#/board/${board.boardId}`)
    else await page.evaluate((id) => (location.hash = `#/board/${id}`), board.boardId)
    await page.waitForSelector('article[data-testid=item]', { timeout: 120_000 })
    const wallMs = Date.now() - started
    ctx.profiles['open-board'] = { ...(await stop()), wallMs }
  } finally {
    await page.close()
  }
}
