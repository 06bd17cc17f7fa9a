/**
 * scale-table: how cost grows with the board. For each size of `--scale`
 * (default 1,000, 10,000 and 100,000 items; boards shaped like the large one:
 * for every item 2 edits and 0.2 deletions, by 40 member devices), the same
 * measurements as the open and sync parts, fewer times: open (app start →
 * items rendered), initial sync (peer connected → all items counted),
 * memory (heap with the board open) and storage (IndexedDB bytes), each
 * against its plain-Yjs baseline. Then, between consecutive sizes, the growth
 * of each per 10× items: 10× is linear, more is worse than linear.
 *
 * Every step of every size is guarded on its own: a size whose sync times out
 * still reports its open, memory and storage, and the next size still runs.
 */
import type { BenchContext } from '../lib/context.ts'
import { failedFigure, figure, MB, reasonOf, type Figure, type Unit } from '../lib/figure.ts'
import type { PartApi } from '../lib/runner.ts'
import { openSamples, type OpenSamples } from './open.ts'
import { syncSamples, type SyncSamples } from './sync.ts'

/** From this size on, one open and one sync (a 100,000-item board takes minutes per step here). */
const HUGE = 50_000
/** Initial sync gives up after this long per run. */
const syncTimeout = (items: number) => Math.max(120_000, items * 1.5)

type Measure = 'open' | 'sync' | 'memory' | 'storage'
const MEASURES: readonly Measure[] = ['open', 'sync', 'memory', 'storage']

const LABELS: Record<Measure, { what: string; baseline: string; unit: Unit }> = {
  open: { what: 'open: app start → items rendered', baseline: 'y-indexeddb load + count + 50 titles', unit: 'ms' },
  sync: { what: 'initial sync: peer connected → all items counted', baseline: 'raw RTCDataChannel, same bytes', unit: 'ms' },
  memory: { what: 'memory: JS heap with the board open (after GC)', baseline: 'baseline page heap', unit: 'MB' },
  storage: { what: 'storage: IndexedDB bytes of the board', baseline: 'Y.encodeStateAsUpdate(doc)', unit: 'MB' },
}

/** One cell of the scale table: medians, or why there are none. */
export interface TableCell {
  hearth: number | null
  baseline: number | null
  failed: string | null
  runs: number
}

export interface ScaleTable {
  sizes: number[]
  /** measure → size → cell. */
  cells: Record<Measure, Record<number, TableCell>>
  /** Per size: generation + sealing time (s) and the plain state's size (MB). */
  boards: Record<number, { generateS: number; plainMB: number; sealedMB: number } | { failed: string }>
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((x, y) => x - y)
  return s.length === 0 ? NaN : (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2
}

/** Growth of `v1 → v2` scaled to a 10× step of items (`n1 → n2`). */
export function growthPer10x(n1: number, v1: number, n2: number, v2: number): number {
  return (v2 / v1) ** (1 / Math.log10(n2 / n1))
}

function label(m: Measure, items: number): string {
  return `scale table: ${LABELS[m].what} (${items.toLocaleString('en')} items)`
}

function sizeRows(items: number, open: OpenSamples | string, sync: SyncSamples | string, plainBytes: number, table: ScaleTable): Figure[] {
  const rows: Figure[] = []
  const cell = (m: Measure, c: TableCell) => (table.cells[m][items] = c)
  const n = items.toLocaleString('en')
  if (typeof open === 'string') {
    for (const m of ['open', 'memory', 'storage'] as const) {
      rows.push(failedFigure({ id: `table-${m}-${items}`, label: label(m, items), unit: LABELS[m].unit, reason: open }))
      cell(m, { hearth: null, baseline: null, failed: open, runs: 0 })
    }
  } else {
    rows.push(figure({ id: `table-open-${items}`, label: label('open', items), unit: 'ms', hearth: open.board, baselineLabel: LABELS.open.baseline, baseline: open.base }))
    cell('open', { hearth: median(open.board), baseline: median(open.base), failed: null, runs: open.board.length })
    const heap = open.heapBoard.map((b) => b / MB)
    const heapBase = open.heapBase.map((b) => b / MB)
    rows.push(figure({ id: `table-memory-${items}`, label: label('memory', items), unit: 'MB', hearth: heap, baselineLabel: LABELS.memory.baseline, baseline: heapBase }))
    cell('memory', { hearth: median(heap), baseline: median(heapBase), failed: null, runs: heap.length })
    rows.push(figure({ id: `table-storage-${items}`, label: label('storage', items), unit: 'MB', hearth: [open.stored.bytes / MB], baselineLabel: LABELS.storage.baseline, baseline: [plainBytes / MB] }))
    cell('storage', { hearth: open.stored.bytes / MB, baseline: plainBytes / MB, failed: null, runs: 1 })
  }
  if (typeof sync === 'string' || sync.runs.length === 0) {
    const reason = typeof sync === 'string' ? sync : (sync.failed ?? 'no run finished')
    const raw = typeof sync === 'string' ? null : sync.rawOfFailed
    rows.push(failedFigure({ id: `table-sync-${items}`, label: label('sync', items), reason, note: raw ? `the raw channel moved the same bytes in ${raw.transfer.toFixed(0)} ms (+ one Yjs decode: ${raw.apply.toFixed(0)} ms)` : undefined }))
    cell('sync', { hearth: null, baseline: raw?.transfer ?? null, failed: reason, runs: 0 })
  } else {
    const transfer = sync.runs.map((r) => r.transfer)
    rows.push(
      figure({
        id: `table-sync-${items}`,
        label: label('sync', items),
        unit: 'ms',
        hearth: transfer,
        baselineLabel: LABELS.sync.baseline,
        baseline: sync.runs.map((r) => r.raw.transfer),
        note: `${n} items; raw transfer + one Yjs decode: ${sync.runs.map((r) => r.raw.apply.toFixed(0)).join(', ')} ms; longest main-thread task on the joining peer: ${sync.runs.map((r) => r.tasks.longest.toFixed(0)).join(', ')} ms${sync.failed ? `; then ${sync.failed}` : ''}`,
      }),
    )
    cell('sync', { hearth: median(transfer), baseline: median(sync.runs.map((r) => r.raw.transfer)), failed: null, runs: transfer.length })
  }
  return rows
}

function growthRows(table: ScaleTable): Figure[] {
  const rows: Figure[] = []
  const sizes = table.sizes
  for (let i = 1; i < sizes.length; i++) {
    const [n1, n2] = [sizes[i - 1]!, sizes[i]!]
    for (const m of MEASURES) {
      const [c1, c2] = [table.cells[m][n1], table.cells[m][n2]]
      const id = `table-growth-${m}-${n1}-${n2}`
      const what = `scale table: growth per 10× items, ${m} (${n1.toLocaleString('en')} → ${n2.toLocaleString('en')})`
      // Linear is 10×; a tenth more is within what one run's noise does to a step.
      const target = { kind: 'absolute', max: 11, text: '≤ 11× (linear + 10 %)' } as const
      if (!c1 || !c2 || c1.hearth === null || c2.hearth === null) {
        rows.push(failedFigure({ id, label: what, unit: 'x', reason: `no ${m} figure at ${c1?.hearth == null ? n1 : n2} items`, target }))
        continue
      }
      const hearth = growthPer10x(n1, c1.hearth, n2, c2.hearth)
      const base = c1.baseline !== null && c2.baseline !== null ? growthPer10x(n1, c1.baseline, n2, c2.baseline) : null
      rows.push(figure({ id, label: what, unit: 'x', hearth: [hearth], baselineLabel: 'the baseline’s growth', baseline: base === null ? null : [base], target }))
    }
  }
  return rows
}

export async function measureScaleTable(ctx: BenchContext, api: PartApi): Promise<void> {
  const table: ScaleTable = { sizes: [...ctx.tableItems], cells: { open: {}, sync: {}, memory: {}, storage: {} }, boards: {} }
  ctx.sections['scale-table'] = table
  for (const items of ctx.tableItems) {
    if (api.signal.aborted) break
    const huge = items >= HUGE
    ctx.log(`  ${items.toLocaleString('en')} items: generating and sealing the board`)
    const t = performance.now()
    let board
    try {
      board = await ctx.board(items)
      table.boards[items] = { generateS: (performance.now() - t) / 1000, plainMB: board.update.byteLength / MB, sealedMB: board.sealed.state.byteLength / MB }
      ctx.log(`  ${items.toLocaleString('en')} items: ${(board.update.byteLength / MB).toFixed(1)} MB plain, ${(board.sealed.state.byteLength / MB).toFixed(1)} MB sealed, in ${((performance.now() - t) / 1000).toFixed(0)} s`)
    } catch (err) {
      const reason = `generating the board: ${reasonOf(err)}`
      table.boards[items] = { failed: reason }
      for (const m of MEASURES) {
        table.cells[m][items] = { hearth: null, baseline: null, failed: reason, runs: 0 }
        api.add(failedFigure({ id: `table-${m}-${items}`, label: label(m, items), unit: LABELS[m].unit, reason }))
      }
      continue
    }
    const open = await openSamples(ctx, board, huge ? ctx.runs.table.openHuge : ctx.runs.table.open, api, { list: false }).catch((err: unknown) => `open: ${reasonOf(err)}`)
    const sync = await syncSamples(ctx, board, huge ? ctx.runs.table.syncHuge : ctx.runs.table.sync, api, { timeoutMs: syncTimeout(items) }).catch((err: unknown) => `sync: ${reasonOf(err)}`)
    api.add(...sizeRows(items, open, sync, board.update.byteLength, table))
    ctx.forget(items)
  }
  api.add(...growthRows(table))
}
