/**
 * scale: N Node peers (child processes, real y-webrtc over @roamhq/wrtc,
 * through Hearth's signaling server on 127.0.0.1) form a mesh; then 100
 * posts are made at once, spread over the peers, and we time until every
 * peer holds all of them, and count the data-channel messages y-webrtc sent.
 * Hearth (connectBoard + createItem) and plain (WebrtcProvider + Y.Map.set)
 * run one after the other, each on its own mesh of fresh processes (plain
 * signaled by a server without the frame-rate limit: see
 * PLAIN_SIGNALING_LIMITS).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { startServer } from '../../../src/server/server.ts'
import type { BenchContext } from '../lib/context.ts'
import { failedFigure, figure, reasonOf, type Figure } from '../lib/figure.ts'
import { pause, within } from '../lib/stats.ts'

const PEER_SCRIPT = fileURLToPath(new URL('../scale-peer.ts', import.meta.url))
/** Mesh sizes; BENCH_PEERS=2,5 runs fewer (e.g. while working on this file). */
const SIZES = (process.env.BENCH_PEERS ?? '2,5,10,20').split(',').map(Number).filter((n) => n >= 2 && n <= 40)
const POSTS = 100
const MESH_TIMEOUT_MS = 60_000
const CONVERGE_TIMEOUT_MS = 30_000

type Reply = { id?: number; ok?: boolean; error?: string; event?: string } & Record<string, unknown>

class ScalePeer {
  readonly child: ChildProcess
  readonly #pending = new Map<number, (r: Reply) => void>()
  readonly ready: Promise<void>
  #next = 1
  errors: string[] = []

  constructor() {
    // BENCH_PEER_PROFILE_DIR=<dir>: every peer writes a CPU profile there when it is stopped.
    const profile = process.env.BENCH_PEER_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-interval=5000', `--cpu-prof-dir=${process.env.BENCH_PEER_PROFILE_DIR}`] : []
    this.child = spawn(process.execPath, [...profile, '--import', 'tsx', PEER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] })
    let markReady!: () => void
    this.ready = new Promise((r) => (markReady = r))
    this.child.stderr!.on('data', (d: Buffer) => this.errors.push(d.toString().slice(0, 500)))
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let r: Reply
      try {
        r = JSON.parse(line) as Reply
      } catch {
        return
      }
      if (r.event === 'ready') markReady()
      else if (r.event === 'error') this.errors.push(String(r.error))
      else if (typeof r.id === 'number') this.#pending.get(r.id)?.(r)
    })
  }

  async request<T = Reply>(command: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    await within(30_000, 'scale peer start', () => this.ready)
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`scale peer did not answer ${String(command.cmd)} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pending.set(id, (r) => {
        clearTimeout(timer)
        this.#pending.delete(id)
        if (r.ok) resolve(r as T)
        else reject(new Error(r.error ?? 'scale peer error'))
      })
      this.child.stdin!.write(JSON.stringify({ ...command, id }) + '\n')
    })
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise((r) => this.child.once('exit', r))
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000)
    await exited
    clearTimeout(timer)
  }
}

const live = new Set<ScalePeer>()

/** Kills every scale peer still running (also called on errors and signals). */
export async function stopScalePeers(): Promise<void> {
  await Promise.allSettled([...live].map((p) => p.kill()))
  live.clear()
}

interface Round {
  ms: number | null
  messages: number
  bytes: number
  /** Sends that threw (y-webrtc drops those messages), and the first error. */
  failed: number
  failure: string
}

interface MeshResult {
  meshMs: number | null
  minPeers: number
  rounds: Round[]
  converged: boolean
}

async function runMesh(peers: ScalePeer[], mode: 'hearth' | 'plain', ctx: BenchContext, signalingUrl: string, rounds: number): Promise<MeshResult> {
  const n = peers.length
  const room = `bench-scale-${mode}-${n}-${process.pid}-${Date.now()}`
  const started = Date.now()
  await Promise.all(peers.map((p) => p.request({ cmd: 'connect', mode, room, password: `bench-${room}`, signaling: [signalingUrl] })))
  let meshMs: number | null = null
  let minPeers = 0
  const deadline = started + MESH_TIMEOUT_MS
  while (Date.now() < deadline) {
    const counts = await Promise.all(peers.map((p) => p.request<{ peers: number }>({ cmd: 'peers' }).then((r) => r.peers)))
    minPeers = Math.min(...counts)
    if (minPeers >= n - 1) {
      meshMs = Date.now() - started
      break
    }
    await pause(250)
  }
  await pause(1000)
  await Promise.all(peers.map((p) => p.request({ cmd: 'stats' }))) // reset counters
  ctx.log(`    ${mode} n=${n}: ${meshMs === null ? `no full mesh in ${MESH_TIMEOUT_MS / 1000} s (fewest connections ${minPeers}/${n - 1})` : `full mesh after ${meshMs} ms`}`)
  const result: MeshResult = { meshMs, minPeers, rounds: [], converged: true }
  for (let r = 0; r < rounds; r++) {
    const want = POSTS * (r + 1)
    // Settled at once: a wait that times out while the posts are still being
    // sent must not become an unhandled rejection (that ended a whole run once).
    const waits = peers.map((p) =>
      p.request<{ at: number }>({ cmd: 'wait', count: want }, CONVERGE_TIMEOUT_MS).then(
        (w) => w.at,
        () => null,
      ),
    )
    const t0 = Date.now()
    await Promise.all(peers.map((p, i) => p.request({ cmd: 'post', count: Math.floor(POSTS / n) + (i < POSTS % n ? 1 : 0), prefix: `r${r}p${i}` })))
    const ats = await Promise.all(waits)
    const ms = ats.every((at) => at !== null) ? Math.max(...(ats as number[])) - t0 : null
    if (ms === null) result.converged = false
    await pause(1500) // let the last rebroadcasts land before counting
    const stats = await Promise.all(peers.map((p) => p.request<{ messages: number; bytes: number; failed: number; failure: string; items: number; stateVector: string }>({ cmd: 'stats' })))
    const same = stats.every((s) => s.stateVector === stats[0]!.stateVector && s.items === want)
    if (!same) result.converged = false
    const failed = stats.reduce((s, x) => s + x.failed, 0)
    const failure = stats.find((x) => x.failure)?.failure ?? ''
    const behind = stats.filter((x) => x.items < want).length
    result.rounds.push({ ms: same ? ms : null, messages: stats.reduce((s, x) => s + x.messages, 0), bytes: stats.reduce((s, x) => s + x.bytes, 0), failed, failure })
    ctx.log(
      `    ${mode} n=${n} round ${r + 1}: ${ms === null ? 'did not converge' : `${ms} ms`}, ${result.rounds.at(-1)!.messages} messages` +
        `${same ? '' : ` (states differ; ${behind} of ${n} peers hold fewer than ${want} items)`}${failed > 0 ? `; ${failed} sends failed (${failure})` : ''}`,
    )
  }
  await Promise.all(peers.map((p) => p.request({ cmd: 'leave' })))
  await pause(1000)
  return result
}

/** "plain: 120 sends failed in all (first: …); " when any send threw (y-webrtc drops that message), else "". */
function failedSends(m: MeshResult, who: string): string {
  const failed = m.rounds.reduce((s, r) => s + r.failed, 0)
  return failed === 0 ? '' : `${who}: ${failed} sends failed in all (first: ${m.rounds.find((r) => r.failure)?.failure}); `
}

/** Starts `n` fresh peer processes, runs one mesh on them, kills them. */
async function freshMesh(n: number, mode: 'hearth' | 'plain', ctx: BenchContext, signalingUrl: string): Promise<MeshResult & { errors: string[] }> {
  const peers = Array.from({ length: n }, () => new ScalePeer())
  peers.forEach((p) => live.add(p))
  try {
    await within(120_000, `${n} scale peers starting`, () => Promise.all(peers.map((p) => p.ready)))
    const result = await runMesh(peers, mode, ctx, signalingUrl, ctx.runs.scale)
    return { ...result, errors: peers.flatMap((p) => p.errors) }
  } finally {
    await stopScalePeers()
  }
}

/**
 * Plain y-webrtc sends every ICE candidate as a frame of its own: in a mesh
 * of 20 that overruns Hearth's server's per-connection rate limit (50 frames
 * a second, bursts of 200), which closes the socket, and the plain mesh never
 * forms (measured 2026-12-03: fewest connections 0 of 19, no round
 * converged). Its baseline is signaled by a server of its own without that
 * limit; Hearth's peers stay under it on the app's server.
 */
const PLAIN_SIGNALING_LIMITS = { messagesPerSecond: 1_000_000, messageBurst: 1_000_000 }

export async function measureScale(ctx: BenchContext): Promise<Figure[]> {
  const signalingUrl = (await ctx.servers()).app.signalingUrl
  const plainServer = await startServer({ host: '127.0.0.1', port: 0, limits: PLAIN_SIGNALING_LIMITS, log: () => {} })
  try {
    return await measureMeshes(ctx, signalingUrl, plainServer.signalingUrl)
  } finally {
    await plainServer.close()
  }
}

async function measureMeshes(ctx: BenchContext, signalingUrl: string, plainSignalingUrl: string): Promise<Figure[]> {
  const figures: Figure[] = []
  for (const n of SIZES) {
    ctx.log(`  ${n} peers (fresh processes per mesh)`)
    try {
      const hearth = await freshMesh(n, 'hearth', ctx, signalingUrl)
      // A baseline that fails must not hide Hearth's result.
      let plainError: string | null = null
      const plain = await freshMesh(n, 'plain', ctx, plainSignalingUrl).catch((err: unknown) => {
        plainError = String(err)
        ctx.log(`  ${n} peers: plain baseline failed: ${plainError}`)
        return { ...hearth, rounds: [], converged: false, meshMs: null, minPeers: 0, errors: [] }
      })
      const peers = [hearth, plain]
      const times = (m: MeshResult) => m.rounds.map((r) => r.ms).filter((x): x is number => x !== null)
      const msgs = (m: MeshResult) => m.rounds.map((r) => r.messages)
      const avg = (xs: number[]) => Math.round(xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length))
      const ht = times(hearth)
      const note =
        `messages sent per round: Hearth ${avg(msgs(hearth))}, plain ${avg(msgs(plain))}; ` +
        `bytes per round: Hearth ${avg(hearth.rounds.map((r) => r.bytes))}, plain ${avg(plain.rounds.map((r) => r.bytes))}; ` +
        failedSends(hearth, 'Hearth') +
        failedSends(plain, 'plain') +
        `full mesh after ${hearth.meshMs ?? `— (timed out; fewest connections ${hearth.minPeers}/${n - 1})`} ms (Hearth), ${plain.meshMs ?? `— (timed out; fewest ${plain.minPeers}/${n - 1})`} ms (plain); ` +
        `Hearth ${hearth.converged ? 'converged in every round' : 'did NOT converge in every round'}; ` +
        `plain signaled by a server without the per-connection frame-rate limit (plain y-webrtc overruns it at 20 peers)` +
        (peers.some((p) => p.errors.length > 0) ? `; peer errors: ${peers.flatMap((p) => p.errors).slice(0, 3).join(' | ')}` : '') +
        (plainError ? `; plain baseline failed: ${plainError}` : '')
      const label = `scale: ${n} Node peers, ${POSTS} concurrent posts → all converged`
      const f =
        ht.length > 0
          ? figure({ id: `scale-${n}`, label, unit: 'ms', hearth: ht, baselineLabel: 'plain Y.Map.set over plain y-webrtc, fresh processes, its own signaling server', baseline: times(plain), note })
          : failedFigure({ id: `scale-${n}`, label, reason: 'no round converged', note })
      if (n === Math.max(...SIZES)) {
        f.target = { kind: 'absolute', max: Infinity, text: 'converges' }
        f.pass = hearth.converged
      }
      figures.push(f)
    } catch (err) {
      ctx.log(`  ${n} peers failed: ${reasonOf(err)}`)
      const f = failedFigure({ id: `scale-${n}`, label: `scale: ${n} Node peers, ${POSTS} concurrent posts → all converged`, reason: reasonOf(err) })
      if (n === Math.max(...SIZES)) {
        f.target = { kind: 'absolute', max: Infinity, text: 'converges' }
        f.pass = false
      }
      figures.push(f)
    }
  }
  return figures
}
