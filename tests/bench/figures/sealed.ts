/**
 * sealed: the sealed board engine (src/sealed/sealed-board.ts) against
 * plain Yjs on the same board, in Node, in the same run.
 *
 * The large board's seeded action sequence (lib/board.ts `boardScript`) runs
 * twice:
 *
 * - sealed: MEMBERS member devices, each with its own keys and SealedBoard
 *   (default compaction: 200 loose entries). Before each action the acting
 *   device catches up with the sealed-doc updates the others published
 *   since it last did (as y-webrtc would have delivered them), then
 *   performs the action on its readable doc with core's
 *   createItem/updateItem/deleteItem and waits until it is sealed (`flush()`,
 *   which includes any compaction the action started). The sealed-doc
 *   updates it produced are then published: applied to a shared "network"
 *   doc (the stored board the other figures start from) and logged for the
 *   others.
 * - plain: the same actions on one Y.Doc, `doc.clientID` set to the acting
 *   member's id, as `generateBoard` does.
 *
 * Figures: write (perform + seal every action vs perform), open (a fresh
 * SealedBoard over a copy of the final network doc, `start()` until the
 * readable doc is built, vs `Y.applyUpdate` of the plain state into a fresh
 * doc), storage (encoded network doc at rest, once every device made the compaction it makes when quiet, vs encoded plain doc) and initial sync,
 * CPU part (the whole network state applied to a fresh device's sealed doc
 * until its readable doc is built, vs applying the plain state). Both sides
 * must end with the same items, or the bench fails.
 */
import { writeFileSync } from 'node:fs'
import { performance as nodePerformance } from 'node:perf_hooks'
import { serialize } from 'node:v8'
import { Worker } from 'node:worker_threads'
import * as Y from 'yjs'
import { SealedBoard } from '../../../src/sealed/sealed-board.ts'
import { decodeContent } from '../../../src/sealed/payloads.ts'
import { BOARD_RULES } from '../../../src/app/board-rules.ts'
import { itemsMap } from '../../../src/core/index.ts'
import { deviceTag, generateDeviceKeys, importAgreement, importContentKey, importDeviceSigner, legacyContentKey, fromBase64url, openEntry, parseEntry, type DeviceKeyMaterial, type TransportSecret } from '../../../src/crypto/index.ts'
import { boardScript, plainClientId, type BoardSpec } from '../lib/board.ts'
import { figure, MB, type Figure } from '../lib/figure.ts'
import type { PlainTask, SealedTask, SealedTaskResult } from '../lib/sealed-worker.ts'
import { summarize } from '../lib/stats.ts'

/** Member devices writing the sealed board (each action is done by one of them). */
export const SEALED_MEMBERS = Number(process.env.BENCH_SEALED_MEMBERS ?? 4)

export interface SealedRuns {
  /** Whole write passes (sealed side; the plain side runs `plainWrite` times). */
  write: number
  plainWrite: number
  open: number
  sync: number
}

export interface SealedContext {
  /** Spec of the large board (its member count is replaced by SEALED_MEMBERS). */
  spec: BoardSpec
  name: string
  seed: number
  runs: SealedRuns
  /** A sealed open or initial sync that takes longer is stopped (the row then shows a lower bound). */
  deadlineMs: number
  /** `performance.now()` after which no further repetitions start. */
  budgetEnds: number
  log(message: string): void
}

/** Transaction origin of updates coming from the shared network doc. */
const NETWORK = Symbol('network')

/** Node's event loop use since `since`: how long it sat idle (waiting for other threads' work, such as WebCrypto's). */
const loopUse = (since?: EventLoopUtilization): EventLoopUtilization => nodePerformance.eventLoopUtilization(since)
type EventLoopUtilization = ReturnType<typeof nodePerformance.eventLoopUtilization>

interface Device {
  keys: DeviceKeyMaterial
  board: SealedBoard
  /** Sealed-doc updates this device made since it last published. */
  outbox: Uint8Array[]
  /** The verdicts its engine last saved (as the app keeps them beside the board). */
  verdicts: Uint8Array | null
}

interface Shared {
  boardId: Uint8Array
  contentKey: Uint8Array
  founder: Uint8Array
}

async function device(shared: Shared, keys?: DeviceKeyMaterial): Promise<Device> {
  const k = keys ?? (await generateDeviceKeys())
  const board = new SealedBoard(new Y.Doc({ gc: true }), {
    boardId: shared.boardId,
    contentKeys: [{ key: shared.contentKey }],
    rules: BOARD_RULES,
    signer: await importDeviceSigner(k),
    agreement: await importAgreement(k.agreePkcs8, k.agreePublic),
    founder: shared.founder,
    // Quiet compaction is run by the bench itself, after the pass ("at rest" below): never in the middle of the timed pass.
    compactWhenQuiet: 0,
    verdicts: {
      load: () => Promise.resolve(d.verdicts),
      save: (bytes) => {
        d.verdicts = bytes
        return Promise.resolve()
      },
    },
  })
  const d: Device = { keys: k, board, outbox: [], verdicts: null }
  board.sealed.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== NETWORK) d.outbox.push(update)
  })
  return d
}

/**
 * The devices' shared network: a sealed doc holding everything published
 * (the stored board the other figures start from), and the updates in the
 * order they were published, as y-webrtc broadcasts them. A device catches up
 * with the updates others published since it last did, as it would hear
 * them from its peers: the entries it lacks and nothing else (a sync step 2
 * before every action would send the whole delete set each time, and make
 * the harness, not the engine, most of the pass).
 */
class Network {
  readonly doc = new Y.Doc({ gc: true })
  /** Published updates not yet heard by every device, each with its publisher. */
  readonly #log: { readonly from: Device; readonly update: Uint8Array }[] = []
  /** Index of the log's first update in all that was ever published. */
  #base = 0
  /** How far into everything published each device has heard. */
  readonly #heard = new Map<Device, number>()

  constructor(devices: readonly Device[]) {
    for (const d of devices) this.#heard.set(d, 0)
  }

  /** The updates `d` made since it last published, to the doc and to everyone. */
  publish(d: Device): void {
    if (d.outbox.length === 0) return
    const updates = d.outbox.splice(0)
    this.doc.transact(() => {
      for (const u of updates) Y.applyUpdate(this.doc, u, NETWORK)
    })
    for (const update of updates) this.#log.push({ from: d, update })
  }

  /** What others published since `d` last heard, applied to its sealed doc as one delivery. */
  catchUp(d: Device): void {
    const heard = this.#heard.get(d)!
    const news = this.#log.slice(heard - this.#base).filter((m) => m.from !== d)
    this.#heard.set(d, this.#base + this.#log.length)
    if (news.length > 0) {
      d.board.sealed.transact(() => {
        for (const m of news) Y.applyUpdate(d.board.sealed, m.update, NETWORK)
      }, NETWORK)
    }
    // What everyone has heard is let go.
    const all = Math.min(...this.#heard.values())
    this.#log.splice(0, all - this.#base)
    this.#base = all
  }
}

/** Item id → title, to compare the two sides. */
function titles(doc: Y.Doc): Map<string, string> {
  const out = new Map<string, string>()
  itemsMap(doc).forEach((value, id) => out.set(id, String((value as Y.Map<unknown>).get('title'))))
  return out
}

function assertSameItems(what: string, expected: Map<string, string>, actual: Map<string, string>): void {
  const problems: string[] = []
  if (expected.size !== actual.size) problems.push(`${actual.size} items, expected ${expected.size}`)
  let shown = 0
  for (const [id, title] of expected) {
    const got = actual.get(id)
    if (got !== title && shown++ < 5) problems.push(`${id}: ${got === undefined ? 'missing' : `title ${JSON.stringify(got)}`}, expected ${JSON.stringify(title)}`)
  }
  if (problems.length > 0) throw new Error(`bench sealed: ${what} does not match the plain board: ${problems.join('; ')}`)
}

interface SealedPass {
  network: Y.Doc
  devices: Device[]
  /** Brings a device up to date with what the others published. */
  catchUp(d: Device): void
  /** Publishes what a device wrote since it last did. */
  publish(d: Device): void
  shared: Shared
  /** Perform + seal (incl. compaction), per action, ms. */
  write: number[]
  /** Of the write's time, how long this process's event loop sat idle: waiting for WebCrypto, whose work runs on other threads, ms. */
  idleInWriteMs: number
  /** Catching up before each action (apply the missing entries, verify, decrypt, apply to the readable doc), ms. */
  catchUpMs: number
  /** Applying each device's new sealed updates to the network doc, ms. */
  publishMs: number
  wallMs: number
}

async function sealedPass(ctx: SealedContext, spec: BoardSpec, secret: TransportSecret, keys: readonly DeviceKeyMaterial[]): Promise<SealedPass> {
  const script = boardScript(ctx.name, spec, ctx.seed, keys.map((k) => deviceTag(k.signPublic)))
  const shared: Shared = { boardId: fromBase64url(script.boardId)!, contentKey: legacyContentKey(secret), founder: keys[0]!.signPublic }
  const devices: Device[] = []
  for (let i = 0; i < spec.members; i++) devices.push(await device(shared, keys[i]))
  const network = new Network(devices)
  // Setup (untimed): every device starts and joins, and everyone sees the roster.
  for (const [i, d] of devices.entries()) {
    await d.board.start()
    await d.board.join(script.members[i]!)
    network.publish(d)
  }
  const write: number[] = []
  let idleInWriteMs = 0
  let catchUpMs = 0
  let publishMs = 0
  const started = performance.now()
  for (const action of script.actions) {
    const d = devices[action.member]!
    const t0 = performance.now()
    network.catchUp(d)
    await d.board.flush()
    const t1 = performance.now()
    const loop = loopUse()
    try {
      action.apply(d.board.readable)
    } catch (err) {
      // A device that lost its own items: say what its engine refused.
      throw new Error(`${err instanceof Error ? err.message : String(err)} on device ${action.member + 1} (its engine refused: ${refusalDetails(d.board)})`, { cause: err })
    }
    await d.board.flush()
    const t2 = performance.now()
    idleInWriteMs += loopUse(loop).idle
    network.publish(d)
    const t3 = performance.now()
    catchUpMs += t1 - t0
    write.push(t2 - t1)
    publishMs += t3 - t2
  }
  return { network: network.doc, devices, catchUp: (d) => network.catchUp(d), publish: (d) => network.publish(d), shared, write, idleInWriteMs, catchUpMs, publishMs, wallMs: performance.now() - started }
}

function plainPass(ctx: SealedContext, spec: BoardSpec, owners: readonly string[]): { doc: Y.Doc; write: number[] } {
  const script = boardScript(ctx.name, spec, ctx.seed, owners)
  const doc = new Y.Doc({ gc: true })
  const write: number[] = []
  for (const action of script.actions) {
    doc.clientID = plainClientId(action.member)
    const t0 = performance.now()
    action.apply(doc)
    write.push(performance.now() - t0)
  }
  return { doc, write }
}

/** Items created in one task (a script's burst, an import): what batch sealing is for. */
const BURST_ITEMS = 1000
/** Bursts measured each side. */
const BURST_RUNS = 5

interface Burst {
  /** Performing the burst on the readable doc until every change is sealed, signed and handled (flush), ms. */
  sealedMs: number
  /** The same changes on a plain Y.Doc, ms. */
  plainMs: number
  /** Entries the burst became. */
  entries: number
  /** Bytes of those entries. */
  bytes: number
}

/**
 * One device founds a board of its own and, in one task, creates
 * BURST_ITEMS items; then `flush()`, which resolves once every change is
 * sealed into entries and those are handled as anyone's (judged, applied).
 * The plain side performs the same changes on a fresh Y.Doc. The drafts
 * are made before either clock starts.
 *
 * Every plain run comes first, then every sealed run: a plain run timed
 * right after a sealed one collected that one's garbage (4 MB of a sealed
 * burst's docs and entries), and took 14–15 ms where it takes 11 alone, so
 * the row's ratio hid how the sealed side's own time moved.
 */
async function burstPasses(ctx: SealedContext, keys: DeviceKeyMaterial): Promise<Burst[]> {
  const spec: BoardSpec = { items: BURST_ITEMS, edits: 0, deletions: 0, members: 1 }
  const owner = deviceTag(keys.signPublic)
  const scriptOf = (run: number) => boardScript(`${ctx.name} (burst)`, spec, ctx.seed + run, [owner])
  const plain: { ms: number; titles: ReturnType<typeof titles> }[] = []
  for (let run = 0; run < BURST_RUNS; run++) {
    const doc = new Y.Doc({ gc: true })
    doc.clientID = plainClientId(0)
    const actions = [...scriptOf(run).actions]
    const t1 = performance.now()
    for (const action of actions) action.apply(doc)
    plain.push({ ms: performance.now() - t1, titles: titles(doc) })
    doc.destroy()
  }
  const bursts: Burst[] = []
  for (let run = 0; run < BURST_RUNS; run++) {
    const script = scriptOf(run)
    const shared: Shared = { boardId: fromBase64url(script.boardId)!, contentKey: legacyContentKey(script.secret), founder: keys.signPublic }
    const d = await device(shared, keys)
    await d.board.start()
    await d.board.join(script.members[0]!)
    await d.board.flush()
    const actions = [...script.actions]
    const entries = d.board.sealed.getMap('entries')
    const before = new Set(entries.keys())
    const t0 = performance.now()
    for (const action of actions) action.apply(d.board.readable)
    await d.board.flush()
    const sealedMs = performance.now() - t0
    const made = [...entries.entries()].filter(([k]) => !before.has(k))
    const bytes = made.reduce((n, [, v]) => n + (v as Uint8Array).byteLength, 0)
    assertSameItems('a burst sealed by its device', plain[run]!.titles, titles(d.board.readable))
    d.board.destroy()
    bursts.push({ sealedMs, plainMs: plain[run]!.ms, entries: made.length, bytes })
  }
  return bursts
}

/** Rejections an honest run should never see (none expected). */
function describe(board: SealedBoard): string {
  const counts = [...board.diagnostics.counts].map(([reason, n]) => `${reason} ${n}`)
  return counts.length === 0 ? 'none' : counts.join(', ')
}

function refusalDetails(board: SealedBoard): string {
  const seen = new Set<string>()
  for (const e of board.diagnostics.events) seen.add(`${e.reason}: ${e.detail ?? 'no detail'}`)
  return seen.size === 0 ? 'nothing' : [...seen].slice(0, 3).join('; ')
}

/** Actions slower than this are (almost all) the ones that started a compaction. */
const SLOW_ACTION_MS = 5

const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0)
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))

/**
 * Where the sealed bytes go: entry bytes (header, nonce, tag, signature
 * around each payload) vs the Yjs payloads inside, and what those payloads
 * come to once merged into one doc (dead content of other snapshots then
 * garbage collected).
 */
async function storageBreakdown(network: Y.Doc, shared: Shared): Promise<{ entryBytes: number; payloadBytes: number; mergedBytes: number; snapshots: number }> {
  const cipher = await importContentKey(shared.contentKey)
  let entryBytes = 0
  let snapshots = 0
  const payloads: Uint8Array[] = []
  for (const value of network.getMap('entries').values()) {
    if (!(value instanceof Uint8Array)) continue
    entryBytes += value.byteLength
    const parsed = parseEntry(value)
    if (!parsed.ok) continue
    if (parsed.entry.header.kind === 'snapshot') snapshots++
    const payload = await openEntry(parsed.entry, cipher)
    if (!payload || (parsed.entry.header.kind !== 'update' && parsed.entry.header.kind !== 'snapshot')) continue
    // Version 2 content is the author's membership heads and then the Yjs update.
    const update = parsed.entry.header.version === 1 ? payload : decodeContent(payload)?.update
    if (update) payloads.push(update)
  }
  const scratch = new Y.Doc({ gc: true })
  Y.applyUpdate(scratch, Y.mergeUpdates(payloads))
  const mergedBytes = Y.encodeStateAsUpdate(scratch).byteLength
  scratch.destroy()
  return { entryBytes, payloadBytes: payloads.reduce((n, p) => n + p.byteLength, 0), mergedBytes, snapshots }
}

/** The plain baseline, timed like the sealed side: in a fresh worker (a run that misses the deadline fails the bench: plain Yjs is the yardstick). */
async function timePlainApply(state: Uint8Array, deadlineMs: number): Promise<number> {
  const r = await runSealedTask({ mode: 'plain', state }, deadlineMs)
  if (!r) throw new Error(`bench sealed: applying the plain state took over ${deadlineMs} ms`)
  return r.ms
}

const WORKER = new URL('../lib/sealed-worker.ts', import.meta.url).href

/** Runs one sealed open/sync in a worker thread; null when it did not finish within `deadlineMs`. */
async function runSealedTask(task: SealedTask | PlainTask, deadlineMs: number): Promise<SealedTaskResult | null> {
  // Workers do not inherit tsx's loader: register it, then load the TypeScript module.
  const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER)}) })`, { eval: true, workerData: task })
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await new Promise<SealedTaskResult | null>((resolve, reject) => {
      timer = setTimeout(() => resolve(null), deadlineMs)
      worker.once('message', (m: { ok: true; result: SealedTaskResult } | { ok: false; error: string }) => (m.ok ? resolve(m.result) : reject(new Error(`bench sealed worker: ${m.error}`))))
      worker.once('error', reject)
      worker.once('exit', (code) => reject(new Error(`bench sealed worker exited (${code}) without a result`)))
    })
  } finally {
    clearTimeout(timer)
    await worker.terminate()
  }
}

export async function measureSealed(ctx: SealedContext): Promise<Figure[]> {
  const spec: BoardSpec = { ...ctx.spec, members: SEALED_MEMBERS }
  const { secret } = boardScript(ctx.name, spec, ctx.seed)
  const actionCount = 1 + spec.items + spec.deletions + spec.edits
  // The member devices' keys come first: item ids name their owner's device (the board's rules, as in the app).
  const keys: DeviceKeyMaterial[] = []
  for (let i = 0; i < spec.members; i++) keys.push(await generateDeviceKeys())
  const owners = keys.map((k) => deviceTag(k.signPublic))

  // ── write ────────────────────────────────────────────────────────────────
  const plainTotals: number[] = []
  const plainPerAction: number[][] = []
  let plain: Y.Doc | null = null
  for (let run = 0; run < ctx.runs.plainWrite; run++) {
    plain?.destroy()
    const p = plainPass(ctx, spec, owners)
    plain = p.doc
    plainTotals.push(sum(p.write))
    plainPerAction.push(p.write)
  }
  ctx.log(`  plain: ${actionCount} actions in ${plainTotals.map((t) => t.toFixed(0)).join(', ')} ms`)
  const plainDoc = plain!
  const expected = titles(plainDoc)
  const plainState = Y.encodeStateAsUpdate(plainDoc)

  const sealedTotals: number[] = []
  let pass: SealedPass | null = null
  const passes: Omit<SealedPass, 'network' | 'devices' | 'shared' | 'catchUp' | 'publish'>[] = []
  for (let run = 0; run < ctx.runs.write; run++) {
    if (pass) for (const d of pass.devices) d.board.destroy()
    pass = await sealedPass(ctx, spec, secret, keys)
    sealedTotals.push(sum(pass.write))
    passes.push(pass)
    ctx.log(`  sealed: ${actionCount} actions by ${spec.members} devices, perform + seal ${sum(pass.write).toFixed(0)} ms, catching up ${pass.catchUpMs.toFixed(0)} ms, publishing ${pass.publishMs.toFixed(0)} ms (wall ${(pass.wallMs / 1000).toFixed(1)} s)`)
  }
  const { network, devices, shared, catchUp } = pass!
  // Every device's readable doc, once caught up, holds the plain board.
  for (const [i, d] of devices.entries()) {
    catchUp(d)
    await d.board.flush()
    assertSameItems(`device ${i + 1}'s readable doc`, expected, titles(d.board.readable))
  }
  // What the app does when the board is closed: the verdicts its engine reached are kept beside the board.
  await devices[0]!.board.saveVerdicts()
  const verdicts = devices[0]!.verdicts
  const netState = Y.encodeStateAsUpdate(network)
  const netEntries = network.getMap('entries').size
  // At rest: what each device's quiet compaction does once it has written nothing for a while after deleting or
  // editing (LocalWrites, `compactWhenQuiet`; every device here edited since its last compaction): its history
  // written again with what is loose, as compactNow() does. Then everyone hears it.
  for (const d of devices) {
    await d.board.compactNow()
    pass!.publish(d)
  }
  for (const [i, d] of devices.entries()) {
    catchUp(d)
    await d.board.flush()
    assertSameItems(`device ${i + 1}'s readable doc at rest`, expected, titles(d.board.readable))
  }
  const restState = Y.encodeStateAsUpdate(network)
  const restEntries = network.getMap('entries').size
  const breakdown = await storageBreakdown(network, shared)

  for (const d of devices) d.board.destroy()
  const base = { state: netState, boardId: shared.boardId, contentKey: shared.contentKey, founder: shared.founder }
  // For profiling the engine outside the bench (tests/bench/sealed-task.ts): the tasks' inputs, synthetic board only.
  if (process.env.BENCH_SEALED_DUMP) writeFileSync(process.env.BENCH_SEALED_DUMP, serialize({ base, keys: devices[0]!.keys, verdicts, plainState }))
  const rejected = devices.map((d, i) => `device ${i + 1}: ${describe(d.board)}`)

  // ── open ─────────────────────────────────────────────────────────────────
  // Each sealed run is in a worker with a deadline; runs stop early once the
  // part has used its time budget.
  // Opened as the app opens it: with the verdicts kept beside it (nothing judged again).
  const open: number[] = []
  const openPlain: number[] = []
  const decodeSealed: number[] = []
  let openTimedOut = false
  let entriesRead = 0
  for (let run = 0; run < ctx.runs.open && !openTimedOut && (run === 0 || performance.now() < ctx.budgetEnds); run++) {
    const r = await runSealedTask({ mode: 'open', ...base, keys: devices[0]!.keys, verdicts }, ctx.deadlineMs)
    if (r) {
      open.push(r.ms)
      decodeSealed.push(r.decodeMs)
      entriesRead = r.entriesRead
      if (run === 0) assertSameItems('a reopened sealed board', expected, new Map(r.titles))
      if (r.rejections.length > 0) rejected.push(`reopened board: ${r.rejections.map(([k, v]) => `${k} ${v}`).join(', ')}`)
    } else {
      openTimedOut = true
      open.push(ctx.deadlineMs)
    }
    openPlain.push(await timePlainApply(plainState, ctx.deadlineMs))
  }
  ctx.log(`  open: ${openTimedOut ? `timed out after ${ctx.deadlineMs} ms` : `${open.map((t) => t.toFixed(0)).join(', ')} ms (${entriesRead} entries read)`}; plain ${openPlain.map((t) => t.toFixed(0)).join(', ')} ms`)

  // The same store without them (lost, or from before they were kept): every update judged again.
  const openUnkept: number[] = []
  const openUnkeptPlain: number[] = []
  let openUnkeptTimedOut = false
  for (let run = 0; run < ctx.runs.open && !openUnkeptTimedOut && (run === 0 || performance.now() < ctx.budgetEnds); run++) {
    const r = await runSealedTask({ mode: 'open', ...base, keys: devices[0]!.keys }, ctx.deadlineMs)
    if (r) {
      openUnkept.push(r.ms)
      if (run === 0) assertSameItems('a reopened sealed board without kept verdicts', expected, new Map(r.titles))
    } else {
      openUnkeptTimedOut = true
      openUnkept.push(ctx.deadlineMs)
    }
    openUnkeptPlain.push(await timePlainApply(plainState, ctx.deadlineMs))
  }
  ctx.log(`  open without kept verdicts: ${openUnkeptTimedOut ? `timed out after ${ctx.deadlineMs} ms` : `${openUnkept.map((t) => t.toFixed(0)).join(', ')} ms`}; plain ${openUnkeptPlain.map((t) => t.toFixed(0)).join(', ')} ms`)

  // ── initial sync (CPU part) ──────────────────────────────────────────────
  const sync: number[] = []
  const syncPlain: number[] = []
  let syncTimedOut = false
  for (let run = 0; run < ctx.runs.sync && !syncTimedOut && (run === 0 || performance.now() < ctx.budgetEnds); run++) {
    const r = await runSealedTask({ mode: 'sync', ...base }, ctx.deadlineMs)
    if (r) {
      sync.push(r.ms)
      if (run === 0) assertSameItems('a newly synced device', expected, new Map(r.titles))
      if (r.rejections.length > 0) rejected.push(`joining device: ${r.rejections.map(([k, v]) => `${k} ${v}`).join(', ')}`)
    } else {
      syncTimedOut = true
      sync.push(ctx.deadlineMs)
    }
    syncPlain.push(await timePlainApply(plainState, ctx.deadlineMs))
  }
  // ── a burst ──────────────────────────────────────────────────────────────
  const bursts = await burstPasses(ctx, keys[0]!)
  ctx.log(`  burst of ${BURST_ITEMS} items: sealed ${bursts.map((b) => b.sealedMs.toFixed(0)).join(', ')} ms; plain ${bursts.map((b) => b.plainMs.toFixed(0)).join(', ')} ms`)

  ctx.log(`  initial sync: ${syncTimedOut ? `timed out after ${ctx.deadlineMs} ms` : `${sync.map((t) => t.toFixed(0)).join(', ')} ms`}; plain ${syncPlain.map((t) => t.toFixed(0)).join(', ')} ms`)

  plainDoc.destroy()
  const problems = rejected.filter((r) => !r.endsWith(': none'))
  if (problems.length > 0) ctx.log(`  rejections (an honest run should have none): ${problems.join('; ')}`)

  const perSealed = summarize(pass!.write)
  const slow = pass!.write.filter((t) => t > SLOW_ACTION_MS)
  const perPlain = summarize(plainPerAction[plainPerAction.length - 1]!)
  const last = passes[passes.length - 1]!
  const n = spec.items.toLocaleString('en')
  const history = `${(spec.items + spec.deletions).toLocaleString('en')} creations, ${spec.edits.toLocaleString('en')} edits, ${spec.deletions.toLocaleString('en')} deletions`
  return [
    figure({
      id: 'sealed-write',
      label: `sealed (Node): write — perform + sign + encrypt all ${actionCount.toLocaleString('en')} actions of the ${n}-item board (${spec.members} devices)`,
      unit: 'ms',
      hearth: sealedTotals,
      baselineLabel: 'the same actions on one plain Y.Doc',
      baseline: plainTotals,
      target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
      note:
        `${history}, one transaction each; compaction after 200 loose entries (default). ` +
        `Per action: sealed median ${ms(perSealed.median)} ms, p95 ${ms(perSealed.p95)} ms, max ${ms(perSealed.max)} ms; ${slow.length} actions over ${SLOW_ACTION_MS} ms (compactions) took ${(sum(slow) / 1000).toFixed(1)} s of the ${(sum(pass!.write) / 1000).toFixed(1)} s; this process idle ${(pass!.idleInWriteMs / 1000).toFixed(1)} s of them (event loop utilisation: waiting for WebCrypto, which encrypts and signs on other threads); plain median ${perPlain.median.toFixed(3)} ms, p95 ${perPlain.p95.toFixed(3)} ms. ` +
        `Not in the row: catching up before each action (the updates others published since, as y-webrtc delivers them: apply, verify, decrypt, judge, apply to the readable doc) ${(last.catchUpMs / 1000).toFixed(1)} s in all, publishing to the network doc ${(last.publishMs / 1000).toFixed(1)} s; whole sealed pass ${(last.wallMs / 1000).toFixed(1)} s.`,
    }),
    figure({
      id: 'sealed-write-burst',
      label: `sealed (Node): write in a burst — ${BURST_ITEMS.toLocaleString('en')} items created in one task (a script, an import), until sealed, signed and handled`,
      unit: 'ms',
      hearth: bursts.map((b) => b.sealedMs),
      baselineLabel: 'the same changes on a plain Y.Doc',
      baseline: bursts.map((b) => b.plainMs),
      target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
      note:
        `One device on a board of its own, a fresh one each run (the first run includes the engine's first compilation); every plain run first, then every sealed one (timed after a sealed run, a plain one collected its garbage). ` +
        `The burst became ${[...new Set(bursts.map((b) => b.entries))].join(' or ')} ${bursts.every((b) => b.entries === 1) ? 'entry' : 'entries'} of ${ms(summarize(bursts.map((b) => b.bytes / 1024)).median)} KB (median) in all, for ${BURST_ITEMS.toLocaleString('en')} changes: the changes of one task are sealed together (src/sealed/local-writes.ts), cut only where an entry would pass its size limit. ` +
        `The row above seals each action on its own (each is its own task there), the worst case.`,
    }),
    figure({
      id: 'sealed-open',
      label: `sealed (Node): open — start() over the stored sealed doc until the readable ${n}-item board is built${openTimedOut ? ` (did not finish in ${ctx.deadlineMs / 1000} s: lower bound)` : ''}`,
      unit: 'ms',
      hearth: open,
      baselineLabel: 'Y.applyUpdate of the plain state into a fresh doc, in a fresh worker like the sealed side',
      baseline: openPlain,
      target: { kind: 'ratio', max: 1.3, text: '≤ 1.3×' },
      note: openTimedOut
        ? `stopped at the deadline (start() reads every entry in the sealed doc: ${netEntries}).`
        : `with the verdicts the device kept when it closed the board (${verdicts!.byteLength.toLocaleString('en')} bytes): each entry's signature is checked and its payload decrypted, its update is not judged again; entriesRead ${entriesRead} (of ${netEntries} entries in the sealed doc); decoding the stored sealed doc into the copy first (y-indexeddb's part, not in the row): ${decodeSealed.map((t) => t.toFixed(0)).join(', ')} ms.`,
    }),
    figure({
      id: 'sealed-open-unkept',
      label: `sealed (Node): open without kept verdicts — the same, every update judged again${openUnkeptTimedOut ? ` (did not finish in ${ctx.deadlineMs / 1000} s: lower bound)` : ''}`,
      unit: 'ms',
      hearth: openUnkept,
      baselineLabel: 'Y.applyUpdate of the plain state into a fresh doc, in a fresh worker like the sealed side',
      baseline: openUnkeptPlain,
      target: { kind: 'ratio', max: 1.3, text: '≤ 1.3×' },
      note: 'what every open cost before verdicts were kept, and what an open costs when they are lost or do not match the circle any more (see docs/ARCHITECTURE.md, "Verdicts kept across openings").',
    }),
    figure({
      id: 'sealed-storage',
      label: `sealed (Node): storage — Y.encodeStateAsUpdate of the sealed doc after the whole history, at rest (each device's quiet compaction done)`,
      unit: 'MB',
      hearth: [restState.byteLength / MB],
      baselineLabel: `plain doc's encodeStateAsUpdate (${spec.members} client ids)`,
      baseline: [plainState.byteLength / MB],
      target: { kind: 'ratio', max: 1.2, text: '≤ 1.2×' },
      note:
        `${restState.byteLength.toLocaleString('en')} vs ${plainState.byteLength.toLocaleString('en')} bytes; ${restEntries} entries left in the sealed doc (${breakdown.snapshots} snapshots). ` +
        `Right after the last write, before any device was quiet (up to 199 entries of each device loose, the text they replaced still in the snapshots): ${netState.byteLength.toLocaleString('en')} bytes (${(netState.byteLength / plainState.byteLength).toFixed(2)}×), ${netEntries} entries; the open and sync rows start from that state. ` +
        `Entry values ${breakdown.entryBytes.toLocaleString('en')} bytes (sealed-doc structure and tombstones: the other ${(netState.byteLength - breakdown.entryBytes).toLocaleString('en')}); ` +
        `Yjs payloads inside them ${breakdown.payloadBytes.toLocaleString('en')} bytes (header, nonce, GCM tag and signature: the rest); ` +
        `those payloads merged into one doc: ${breakdown.mergedBytes.toLocaleString('en')} bytes.`,
    }),
    figure({
      id: 'sealed-sync',
      label: `sealed (Node): initial sync, CPU part — whole sealed state into a fresh device until its readable board is built${syncTimedOut ? ` (did not finish in ${ctx.deadlineMs / 1000} s: lower bound)` : ''}`,
      unit: 'ms',
      hearth: sync,
      baselineLabel: 'Y.applyUpdate of the plain state into a fresh doc, in a fresh worker like the sealed side',
      baseline: syncPlain,
      target: { kind: 'ratio', max: 1.5, text: '≤ 1.5×' },
      note: `${syncTimedOut ? 'stopped at the deadline; ' : ''}decode the sealed doc, verify ${netEntries} signatures, decrypt, check, apply to the readable doc; the joining device is not on the roster yet (it reads, it does not write). Rejected entries (diagnostics): ${problems.length === 0 ? 'none on any device' : problems.join('; ')}.`,
    }),
  ]
}
