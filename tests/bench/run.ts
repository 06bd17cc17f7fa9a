/**
 * `npm run bench`: Hearth against plain-Yjs baselines, side by side in one run.
 *
 *   npm run bench                                  # everything (~40 min on 2 cores, most of it the 100,000-item board)
 *   npm run bench -- --only open,bundle --no-profile --no-write
 *   npm run bench -- --only scale-table --scale 1000,10000,100000
 *   npm run bench -- --scale 2                     # every board twice as large
 *   npm run bench -- --only sealed --no-write      # sealed engine vs plain Yjs, Node only (~3–4 min)
 *   npm run bench -- --quick --no-write            # one or a few runs of everything: does the bench work?
 *   npm run bench -- --only sync --merge           # re-measure one part, keep the other parts' rows
 *
 * Each part runs in isolation (lib/runner.ts): one that throws or outlives
 * its timeout is a "failed: <reason>" row and the others still land in the
 * table. `--no-write` prints the table without touching results.json or
 * docs/PERFORMANCE.md (for partial runs). See docs/PERFORMANCE.md.
 */
import { closeAllPeers } from './lib/browser.ts'
import { LARGE, scaled, SMALL } from './lib/board.ts'
import { parseArgs, DEFAULT_ITEMS } from './lib/args.ts'
import type { BenchContext } from './lib/context.ts'
import { collectMachine, type Machine } from './lib/machine.ts'
import { renderTable, writeReports } from './lib/report.ts'
import { runParts, type Part, type PartOutcome } from './lib/runner.ts'
import { generateSealedBoard, type BrowserBoard } from './lib/sealed-board.ts'
import { startServers, type Servers } from './lib/servers.ts'
import { ensureBuilt } from '../e2e/support/server.ts'
import { measureBundle } from './figures/bundle.ts'
import { measureOpen } from './figures/open.ts'
import { measureScale, stopScalePeers } from './figures/scale.ts'
import { measureScaleTable } from './figures/scale-table.ts'
import { measureSealed } from './figures/sealed.ts'
import { measureSync } from './figures/sync.ts'
import { measureSlowSync } from './figures/slow-sync.ts'
import { measureWrite } from './figures/write.ts'
import { measureSignaling, stopSignalingBench } from './figures/signaling.ts'
import { measureLowEnd } from './figures/lowend.ts'
import { measureRelay } from './figures/relay.ts'
import { measureRemoval } from './figures/removal.ts'

const MIN = 60_000
/** The large board's seed (the sealed part replays the same actions). */
const LARGE_SEED = 2
/** A sealed open or initial sync taking longer is stopped; no repetition starts after the budget. */
const SEALED_DEADLINE_MS = 30_000
const SEALED_BUDGET_MS = 300_000

/** The parts, in the order they run; `--only` takes their names. One line each. */
const PARTS: Part<BenchContext>[] = [
  { name: 'bundle', timeoutMs: 5 * MIN, run: async () => (await ensureBuilt(), measureBundle()) },
  { name: 'open', timeoutMs: 15 * MIN, run: measureOpen },
  { name: 'sync', timeoutMs: 20 * MIN, run: measureSync },
  { name: 'slow-sync', timeoutMs: 15 * MIN, run: measureSlowSync },
  { name: 'write', timeoutMs: 25 * MIN, run: measureWrite },
  { name: 'scale', timeoutMs: 25 * MIN, run: (ctx) => measureScale(ctx) },
  { name: 'sealed', timeoutMs: 12 * MIN, run: (ctx) => measureSealed({ spec: ctx.largeSpec, name: 'Bench large board', seed: ctx.largeSeed, runs: ctx.runs.sealed, deadlineMs: SEALED_DEADLINE_MS, budgetEnds: performance.now() + SEALED_BUDGET_MS, log: ctx.log }) },
  { name: 'scale-table', timeoutMs: 90 * MIN, run: measureScaleTable },
  { name: 'signaling', timeoutMs: 10 * MIN, run: (ctx) => measureSignaling(ctx.log) },
  { name: 'lowend', timeoutMs: 25 * MIN, run: measureLowEnd },
  { name: 'relay', timeoutMs: 15 * MIN, run: (ctx) => measureRelay(ctx.log) },
  { name: 'removal', timeoutMs: 20 * MIN, run: (ctx) => measureRemoval(undefined, ctx.log) },
]

let servers: Promise<Servers> | null = null

/** Closes what parts leave running: browsers, scale peers and the signaling cluster (after every part). */
async function cleanupPart(): Promise<void> {
  await closeAllPeers()
  await stopScalePeers()
  await stopSignalingBench()
}

/** Closes everything this run started, servers included. */
async function cleanupAll(): Promise<void> {
  await cleanupPart()
  await servers?.then((s) => s.close()).catch(() => undefined)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, cleaning up`)
    void cleanupAll().finally(() => process.exit(130))
  })
}

async function main(): Promise<void> {
  const args = parseArgs(
    process.argv.slice(2),
    PARTS.map((p) => p.name),
  )
  const started = Date.now()
  const log = (m: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`)
  const factor = args.items / DEFAULT_ITEMS
  const largeSpec = scaled(LARGE, factor)
  const boards = new Map<number, Promise<BrowserBoard>>()
  const generated = new Map<string, BrowserBoard>()
  const boardOf = (items: number): Promise<BrowserBoard> => {
    let board = boards.get(items)
    if (!board) {
      const name = items === args.items ? 'Bench large board' : `Bench board (${items.toLocaleString('en')} items)`
      board = generateSealedBoard(name, scaled(LARGE, items / DEFAULT_ITEMS), LARGE_SEED).then((b) => {
        log(`  generated ${b.itemCount.toLocaleString('en')} items: ${(b.update.byteLength / 1024 / 1024).toFixed(2)} MB plain, ${b.sealed.entries} sealed entries (${((b.generateMs + b.sealMs) / 1000).toFixed(1)} s)`)
        if (items === args.items) generated.set('large', b)
        return b
      })
      board.catch(() => boards.delete(items))
      boards.set(items, board)
    }
    return board
  }
  let small: Promise<BrowserBoard> | null = null
  const ctx: BenchContext = {
    servers: () => (servers ??= startServers().catch((err: unknown) => {
      servers = null
      throw err
    })),
    profile: args.profile,
    small: () =>
      (small ??= generateSealedBoard('Bench small board', scaled(SMALL, factor), 1).then((b) => {
        generated.set('small', b)
        return b
      })),
    large: () => boardOf(args.items),
    board: boardOf,
    forget: (items) => {
      if (items !== args.items) boards.delete(items)
    },
    largeSpec,
    largeSeed: LARGE_SEED,
    tableItems: args.tableItems,
    runs: args.quick
      ? { open: 1, sync: 1, slowSync: 1, writes: 5, writesLarge: 3, scale: 1, sealed: { write: 1, plainWrite: 1, open: 1, sync: 1 }, table: { open: 1, sync: 1, openHuge: 1, syncHuge: 1 } }
      : { open: 5, sync: 5, slowSync: 3, writes: 50, writesLarge: 20, scale: 3, sealed: { write: 1, plainWrite: 3, open: 3, sync: 3 }, table: { open: 3, sync: 3, openHuge: 1, syncHuge: 1 } },
    log,
    profiles: {},
    boards: generated,
    sections: {},
  }
  const machine: Machine = await collectMachine()
  const parts = PARTS.filter((p) => args.only.includes(p.name))
  log(`parts: ${parts.map((p) => p.name).join(', ')}; large board ${args.items.toLocaleString('en')} items; scale table ${args.tableItems.map((n) => n.toLocaleString('en')).join(', ')}`)
  const report = (figures: Parameters<typeof writeReports>[0]['figures'], outcomes: Parameters<typeof writeReports>[0]['outcomes'], complete: boolean) =>
    writeReports({ figures, machine, durationS: (Date.now() - started) / 1000, profiles: ctx.profiles, boards: generated, items: args.items, tableItems: args.tableItems, runs: ctx.runs, parts: parts.map((p) => p.name), order: PARTS.map((p) => p.name), outcomes, sections: ctx.sections, complete, merge: args.merge })

  const done: PartOutcome[] = []
  const { figures, outcomes } = await runParts(parts, ctx, {
    log,
    cleanup: cleanupPart,
    // Rows so far are written after every part, so even a run killed later leaves them.
    onProgress: args.write ? (rows) => report([...rows], done, false) : undefined,
    onOutcome: (o) => done.push(o),
  })

  for (const [name, p] of Object.entries(ctx.profiles)) {
    console.log(`\nprofile: ${name} (${p.wallMs.toFixed(0)} ms wall, ${p.totalMs.toFixed(0)} ms sampled)`)
    for (const e of p.top.slice(0, 12)) console.log(`  ${e.selfMs.toFixed(0).padStart(6)} ms ${e.share.toFixed(1).padStart(5)} %  ${e.fn}`)
  }
  console.log('\n' + renderTable(figures) + '\n')
  // The details PERFORMANCE.md gives under the table (splits, per-run figures): a run with --no-write has nowhere else to show them.
  for (const f of figures) if (f.note) console.log(`- ${f.label}: ${f.note}`)
  const failed = outcomes.filter((o) => o.failed)
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s${failed.length > 0 ? `; failed parts: ${failed.map((o) => `${o.name} (${o.failed})`).join(', ')}` : ''}`)
  if (args.write) {
    await report(figures, outcomes, true)
    log('wrote tests/bench/results.json and docs/PERFORMANCE.md')
  }
  if (failed.length > 0) process.exitCode = 1
}

try {
  await main()
} catch (err) {
  console.error('bench failed:', err)
  process.exitCode = 1
} finally {
  await cleanupAll()
  // A part abandoned at its timeout may still hold timers or sockets: they must not keep the run alive.
  process.exit(process.exitCode ?? 0)
}
