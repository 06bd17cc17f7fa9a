/**
 * `npm run bench`: Hearth against plain-Yjs baselines, side by side in one run.
 *
 *   npm run bench                      # everything (~10 min on 2 cores)
 *   npm run bench -- --scale 2         # boards twice as large
 *   npm run bench -- --only open,bundle --no-profile --no-write
 *   npm run bench -- --only sealed --no-write   # sealed engine vs plain Yjs, Node only (~3–4 min)
 *
 * `--no-write` prints the table without touching results.json or
 * docs/PERFORMANCE.md (for partial runs). See docs/PERFORMANCE.md.
 */
import { closeAllPeers } from './lib/browser.ts'
import { generateBoard, LARGE, scaled, SMALL } from './lib/board.ts'
import type { BenchContext } from './lib/context.ts'
import type { Figure } from './lib/figure.ts'
import { collectMachine } from './lib/machine.ts'
import { renderTable, writeReports } from './lib/report.ts'
import { startServers, type Servers } from './lib/servers.ts'
import { measureBundle } from './figures/bundle.ts'
import { measureOpen } from './figures/open.ts'
import { measureScale, stopScalePeers } from './figures/scale.ts'
import { measureSealed, SEALED_MEMBERS } from './figures/sealed.ts'
import { measureSync } from './figures/sync.ts'
import { measureSignaling, stopSignalingBench } from './figures/signaling.ts'
import { measureLowEnd } from './figures/lowend.ts'
import { measureRelay } from './figures/relay.ts'

/** The large board's seed (the sealed part replays the same actions). */
const LARGE_SEED = 2

const ALL = ['bundle', 'open', 'sync', 'scale', 'sealed', 'signaling', 'lowend', 'relay'] as const
type Part = (typeof ALL)[number]

function parseArgs(argv: string[]): { scale: number; only: Part[]; profile: boolean; write: boolean } {
  let scale = 1
  let only: Part[] = [...ALL]
  let profile = true
  let write = true
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--scale') scale = Number(argv[++i])
    else if (arg.startsWith('--scale=')) scale = Number(arg.slice('--scale='.length))
    else if (arg === '--only') only = parseParts(argv[++i] ?? '')
    else if (arg.startsWith('--only=')) only = parseParts(arg.slice('--only='.length))
    else if (arg === '--no-profile') profile = false
    else if (arg === '--no-write') write = false
    else throw new Error(`bench: unknown argument ${arg}`)
  }
  if (!Number.isFinite(scale) || scale <= 0 || scale > 20) throw new Error('bench: --scale must be a number in (0, 20]')
  return { scale, only, profile, write }
}

function parseParts(list: string): Part[] {
  const parts = list.split(',').filter(Boolean)
  for (const p of parts) if (!(ALL as readonly string[]).includes(p)) throw new Error(`bench: --only takes ${ALL.join(',')}`)
  return parts as Part[]
}

/** A sealed open or initial sync taking longer is stopped; no repetition starts after the budget. */
const SEALED_DEADLINE_MS = 30_000
const SEALED_BUDGET_MS = 180_000

let servers: Servers | null = null
let cleaning: Promise<void> | null = null

/** Closes every browser, child process and server this run started. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    const t = Date.now()
    await closeAllPeers()
    await stopScalePeers()
    await stopSignalingBench()
    await servers?.close()
    console.log(`[bench] cleaned up in ${Date.now() - t} ms`)
  })()
  return cleaning
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, cleaning up`)
    void cleanup().finally(() => process.exit(130))
  })
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const started = Date.now()
  const log = (m: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${m}`)

  log(`generating boards (seeded; scale ${args.scale})`)
  const small = generateBoard('Bench small board', scaled(SMALL, args.scale), 1)
  const large = generateBoard('Bench large board', scaled(LARGE, args.scale), LARGE_SEED)
  log(`  small: ${small.itemCount} items, ${(small.update.byteLength / 1024).toFixed(0)} KB; large: ${large.itemCount} items, ${(large.update.byteLength / 1024 / 1024).toFixed(2)} MB (${(large.generateMs / 1000).toFixed(1)} s)`)

  const figures: Figure[] = []
  const needsBrowser = args.only.includes('open') || args.only.includes('sync')
  const needsServer = needsBrowser || args.only.includes('scale') || args.only.includes('bundle')
  if (needsServer) {
    log('building the app (if stale) and the baseline pages; starting servers on 127.0.0.1')
    servers = await startServers({ profile: args.profile && needsBrowser })
  }
  const ctx: BenchContext = {
    servers: servers!,
    profileUrl: servers?.profileUrl ?? null,
    small,
    large,
    runs: { open: 5, sync: 5, writes: 50, writesLarge: 20, scale: 3, sealed: { write: 1, plainWrite: 3, open: 3, sync: 3 } },
    log,
    profiles: {},
  }

  if (args.only.includes('bundle')) {
    log('bundle')
    figures.push(...(await measureBundle()))
  }
  if (args.only.includes('open')) {
    log(`open, memory, storage (${ctx.runs.open} runs each)`)
    figures.push(...(await measureOpen(ctx)))
  }
  if (args.only.includes('sync')) {
    log(`initial sync (${ctx.runs.sync} runs) and write latency (${ctx.runs.writes} posts)`)
    figures.push(...(await measureSync(ctx)))
  }
  await closeAllPeers()
  if (args.only.includes('scale')) {
    log('scale: Node peers over y-webrtc + @roamhq/wrtc')
    figures.push(...(await measureScale(ctx)))
  }
  if (args.only.includes('sealed')) {
    log(`sealed: the sealed board engine vs plain Yjs in Node (${SEALED_MEMBERS} member devices; large board)`)
    figures.push(
      ...(await measureSealed({
        spec: large.spec,
        name: large.name,
        seed: LARGE_SEED,
        runs: ctx.runs.sealed,
        deadlineMs: SEALED_DEADLINE_MS,
        budgetEnds: performance.now() + SEALED_BUDGET_MS,
        log,
      })),
    )
  }

  if (args.only.includes('signaling')) {
    log('signaling: a 2-instance signaling cluster on Redis under load')
    figures.push(...(await measureSignaling(log)))
  }
  if (args.only.includes('lowend')) figures.push(...(await measureLowEnd(ctx)))
  if (args.only.includes('relay')) figures.push(...(await measureRelay(log)))

  for (const [name, p] of Object.entries(ctx.profiles)) {
    console.log(`\nprofile: ${name} (${p.wallMs.toFixed(0)} ms wall, ${p.totalMs.toFixed(0)} ms sampled)`)
    for (const e of p.top.slice(0, 12)) console.log(`  ${e.selfMs.toFixed(0).padStart(6)} ms ${e.share.toFixed(1).padStart(5)} %  ${e.fn}`)
  }
  const durationS = (Date.now() - started) / 1000
  const machine = await collectMachine()
  console.log('\n' + renderTable(figures) + '\n')
  log(`done in ${durationS.toFixed(0)} s`)
  if (args.write) {
    await writeReports({ figures, machine, durationS, profiles: ctx.profiles, boards: { small, large }, scale: args.scale, runs: ctx.runs, parts: args.only })
    log('wrote tests/bench/results.json and docs/PERFORMANCE.md')
  }
}

try {
  await main()
} catch (err) {
  console.error('bench failed:', err)
  process.exitCode = 1
} finally {
  await cleanup()
}
