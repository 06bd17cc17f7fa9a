/**
 * open, memory and storage, in one Chromium profile holding the large board:
 *
 * - open (list): a fresh page load of Hearth until the board list is rendered
 *   from IndexedDB; baseline: a page that loads the same doc with y-indexeddb,
 *   counts the items and renders the first 50 titles.
 * - open (board): a fresh page load straight onto the large board until its
 *   first item card is rendered (what people feel); same baseline.
 * - memory: JS heap after the board is open and GC has run, against the
 *   baseline page's heap after it loaded the doc.
 * - storage: bytes y-indexeddb holds for the board after those opens.
 *
 * Hearth and baseline alternate within every run so drift hits both alike.
 */
import { boardDatabaseName } from '../../../src/storage/board-store.ts'
import { heapUsed, launchBenchPeer, seedBoard, startProfile, storedBytes, seedUrl, waitForMark, type Peer } from '../lib/browser.ts'
import type { BenchContext } from '../lib/context.ts'
import { figure, MB, type Figure } from '../lib/figure.ts'
import { pause } from '../lib/stats.ts'

export async function measureOpen(ctx: BenchContext): Promise<Figure[]> {
  const { large } = ctx
  const appUrl = ctx.servers.app.url
  const baselineUrl = `${ctx.servers.baselineUrl}open.html?db=${boardDatabaseName(large.boardId)}`
  const peer = await launchBenchPeer('open')
  try {
    // Seed: load each origin once (so the app has created its registry), then write the board.
    const seedPage = peer.page
    await seedPage.goto(seedUrl(appUrl))
    await seedBoard(seedPage, large, { registry: true, displayName: 'Alice' })
    await seedPage.goto(`${ctx.servers.baselineUrl}open.html`)
    await seedBoard(seedPage, large, { registry: false })
    // Untimed first open: today's app migrates a board stored in the plain
    // format into its sealed store on first open; the timed runs open it as
    // the app stores it.
    await seedPage.goto(`${appUrl}#/board/${large.boardId}`)
    await waitForMark(seedPage, 'items')
    await pause(2000)
    await seedPage.goto('about:blank')

    const list: number[] = []
    const board: number[] = []
    const base: number[] = []
    const heapApp: number[] = []
    const heapBoard: number[] = []
    const heapBase: number[] = []
    for (let run = 0; run < ctx.runs.open; run++) {
      list.push(await timedLoad(peer, appUrl, 'list', async (page) => heapApp.push(await heapUsed(page))))
      await pause(300)
      base.push(await timedLoad(peer, baselineUrl, 'baseline', async (page) => heapBase.push(await heapUsed(page))))
      await pause(300)
      board.push(await timedLoad(peer, `${appUrl}#/board/${large.boardId}`, 'items', async (page) => heapBoard.push(await heapUsed(page))))
      await pause(300)
      ctx.log(`  open run ${run + 1}: list ${list.at(-1)!.toFixed(0)} ms, board ${board.at(-1)!.toFixed(0)} ms, baseline ${base.at(-1)!.toFixed(0)} ms`)
    }

    const page = await peer.context.newPage()
    await page.goto(appUrl)
    const stored = await storedBytes(page, large.boardId)
    await page.close()

    if (ctx.profileUrl) await profileOpen(ctx, peer)

    const n = large.itemCount.toLocaleString('en')
    return [
      figure({
        id: 'open-list',
        label: `open: app start → board list rendered (${n}-item board on the device)`,
        unit: 'ms',
        hearth: list,
        baselineLabel: 'y-indexeddb load + count + 50 titles',
        baseline: base,
        target: { kind: 'ratio', max: 1.2, text: '≤ 1.2×' },
      }),
      figure({
        id: 'open-board',
        label: `open: app start → ${n}-item board's items rendered`,
        unit: 'ms',
        hearth: board,
        baselineLabel: 'y-indexeddb load + count + 50 titles',
        baseline: base,
        target: { kind: 'ratio', max: 1.2, text: '≤ 1.2×' },
      }),
      figure({
        id: 'memory',
        label: `memory: JS heap with the ${n}-item board open (after GC)`,
        unit: 'MB',
        hearth: heapBoard.map((b) => b / MB),
        baselineLabel: 'baseline page heap after loading the doc',
        baseline: heapBase.map((b) => b / MB),
        target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
        note: `Hearth's heap on the board list (no board loaded): ${(median(heapApp) / MB).toFixed(1)} MB`,
      }),
      figure({
        id: 'storage-seeded',
        label: `storage: IndexedDB bytes of the ${n}-item board after ${ctx.runs.open + 1} opens`,
        unit: 'MB',
        hearth: [stored.bytes / MB],
        baselineLabel: 'Y.encodeStateAsUpdate(doc)',
        baseline: [large.update.byteLength / MB],
        target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
        note: `sum of the values in y-indexeddb's "updates" store of ${stored.db} (${stored.records} records); navigator.storage.estimate() usage for the whole origin: ${stored.estimate === null ? 'n/a' : (stored.estimate / MB).toFixed(1) + ' MB'}`,
      }),
    ]
  } finally {
    await peer.close()
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor((s.length - 1) / 2)] ?? 0
}

/** Loads `url` in a new tab; returns ms from navigation start to the mark, after `after` ran on the loaded page. */
async function timedLoad(peer: Peer, url: string, mark: 'list' | 'items' | 'baseline', after: (page: import('playwright-core').Page) => Promise<unknown>): Promise<number> {
  const page = await peer.context.newPage()
  try {
    await page.goto(url)
    const ms = await waitForMark(page, mark)
    await after(page)
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
async function profileOpen(ctx: BenchContext, peer: Peer): Promise<void> {
  const url = ctx.profileUrl!
  const page = await peer.context.newPage()
  try {
    // The unminified build is another origin: seed it too.
    await page.goto(seedUrl(url))
    await seedBoard(page, ctx.large, { registry: true, displayName: 'Alice' })
    await page.goto(url)
    await waitForMark(page, 'list')
    const stop = await startProfile(page)
    const started = Date.now()
    await page.evaluate((id) => (location.hash = `#/board/${id}`), ctx.large.boardId)
    await page.waitForSelector('article[data-testid=item]', { timeout: 120_000 })
    const wallMs = Date.now() - started
    ctx.profiles['open-board'] = { ...(await stop()), wallMs }
  } finally {
    await page.close()
  }
}
