/**
 * signaling: a 2-instance signaling cluster (two `npm start` processes sharing
 * rooms through a real redis-server, all on 127.0.0.1) under load.
 *
 * A load process (this same file, run as a child with HEARTH_BENCH_LOAD set,
 * so the load never shares an event loop with the measurement) opens
 * 1,000 clients, split evenly between the instances, in rooms of 5 spread
 * over both, and makes each publish a 500-byte frame once a second (about
 * what a join burst of y-webrtc announces and encrypted SDP looks like,
 * kept up for the whole window). Meanwhile, in this process, Alice on one
 * instance publishes to Bob on the other every 50 ms and Bob times each
 * publish → receive. Figures: messages delivered per second to the load's
 * clients, the pair's latency (median and p95) against the same pair on the
 * idle cluster, and each instance's resident memory against its idle size.
 *
 *   npm run bench -- --only signaling --no-write
 *   BENCH_SIGNALING_CLIENTS=200 npm run bench -- --only signaling --no-write   # lighter
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { startServerProcess, type ServerProcess } from '../../integration/support/server-process.ts'
import { startRedis, type RedisProcess } from '../../integration/support/redis-server.ts'
import { makeStaticDir } from '../../server/helpers.ts'
import { figure, type Figure } from '../lib/figure.ts'
import { pause, summarize, within } from '../lib/stats.ts'

const CLIENTS = Number(process.env.BENCH_SIGNALING_CLIENTS ?? 1000)
const ROOM_SIZE = 5
const PAYLOAD_BYTES = 500
const PUBLISH_EVERY_MS = 1000
const WARMUP_MS = 3000
const MEASURE_MS = 10_000
const PAIR_EVERY_MS = 50
const LOAD_SCRIPT = fileURLToPath(import.meta.url)

/** What the load process reports, one JSON line each. */
type LoadEvent =
  | { event: 'held'; open: number; failed: number }
  | { event: 'tick'; delivered: number; sent: number; open: number }
  | { event: 'error'; error: string }

/** The load process: connects, subscribes and publishes, reporting once a second. Ends when stdin closes. */
async function runLoad(): Promise<void> {
  const urls = JSON.parse(process.env.HEARTH_BENCH_LOAD ?? '[]') as string[]
  const count = Number(process.env.HEARTH_BENCH_CLIENTS)
  const write = (e: LoadEvent): void => void process.stdout.write(JSON.stringify(e) + '\n')
  const sockets: WebSocket[] = []
  let delivered = 0
  let sent = 0
  let failed = 0
  const open = (i: number): Promise<void> =>
    new Promise((resolve) => {
      // Alternate instances, so every room of 5 has members on both.
      const ws = new WebSocket(urls[i % urls.length]!)
      ws.on('error', () => {})
      ws.once('unexpected-response', () => {
        failed++
        resolve()
      })
      ws.once('close', () => resolve())
      ws.once('open', () => {
        ws.send(JSON.stringify({ type: 'subscribe', topics: [`bench-room-${Math.floor(i / ROOM_SIZE)}`] }))
        ws.on('message', () => void delivered++)
        sockets.push(ws)
        resolve()
      })
    })
  for (let i = 0; i < count; i += 50) await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => open(i + j)))
  write({ event: 'held', open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length, failed })

  const data = 'x'.repeat(PAYLOAD_BYTES)
  sockets.forEach((ws, i) => {
    const frame = JSON.stringify({ type: 'publish', topic: `bench-room-${Math.floor(i / ROOM_SIZE)}`, data })
    const start = setTimeout(() => {
      const timer = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN) return clearInterval(timer)
        ws.send(frame)
        sent++
      }, PUBLISH_EVERY_MS)
    }, (i * PUBLISH_EVERY_MS) / sockets.length)
    ws.once('close', () => clearTimeout(start))
  })
  setInterval(() => {
    write({ event: 'tick', delivered, sent, open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length })
    delivered = 0
    sent = 0
  }, 1000)
  process.stdin.on('end', () => process.exit(0))
  process.stdin.resume()
}

if (process.env.HEARTH_BENCH_LOAD) void runLoad()

/** Resident memory of a process, from /proc (Linux), in MB. */
async function rssMB(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1])
  return kb / 1024
}

/** CPU time a process has used so far (user + system), in ms, from /proc (Linux; clock ticks of 10 ms). */
async function cpuMs(pid: number | undefined): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

function socket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** How long to wait, after the window, for Alice's last publishes to reach Bob on an overloaded machine. */
const DRAIN_MS = 30_000

/**
 * Alice (east) publishes to Bob (west) every PAIR_EVERY_MS for `ms`, then
 * waits for the stragglers; returns Bob's publish → receive times and how
 * many never arrived.
 */
async function pairLatency(east: ServerProcess, west: ServerProcess, ms: number): Promise<{ samples: number[]; lost: number }> {
  const topic = `bench-pair-${process.pid}-${Date.now()}`
  const [alice, bob] = await Promise.all([socket(east.signalingUrl), socket(west.signalingUrl)])
  try {
    for (const ws of [alice, bob]) ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }))
    const samples: number[] = []
    bob.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as { type: string; data?: { t?: number } }
      if (m.type === 'publish' && typeof m.data?.t === 'number') samples.push(performance.now() - m.data.t)
    })
    await pause(500) // both subscriptions reach Redis
    let sent = 0
    const end = performance.now() + ms
    while (performance.now() < end) {
      alice.send(JSON.stringify({ type: 'publish', topic, data: { t: performance.now() } }))
      sent++
      await pause(PAIR_EVERY_MS)
    }
    const drainEnd = performance.now() + DRAIN_MS
    while (samples.length < sent && performance.now() < drainEnd) await pause(100)
    if (samples.length === 0) throw new Error(`bench: none of Alice's ${sent} publishes reached Bob within ${DRAIN_MS} ms`)
    return { samples, lost: sent - samples.length }
  } finally {
    alice.terminate()
    bob.terminate()
  }
}

let load: ChildProcess | null = null
let servers: ServerProcess[] = []
let redis: RedisProcess | null = null

/** Stops the load, both instances and Redis (also on errors); each escalates to SIGKILL. */
export async function stopSignalingBench(): Promise<void> {
  const child = load
  load = null
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000)
    await exited
    clearTimeout(timer)
  }
  await Promise.allSettled(servers.map((s) => s.kill()))
  servers = []
  await redis?.stop()
  redis = null
}

export async function measureSignaling(log: (m: string) => void): Promise<Figure[]> {
  try {
    redis = await startRedis()
    const dist = makeStaticDir()
    const env = { HEARTH_REDIS_URL: redis.url, HEARTH_LIMITS: JSON.stringify({ maxConnectionsPerAddress: CLIENTS + 100 }) }
    servers = await Promise.all([startServerProcess({ dist, env }), startServerProcess({ dist, env })])
    const [east, west] = servers as [ServerProcess, ServerProcess]
    await pause(1000)
    const idleMemory = await Promise.all(servers.map((s) => rssMB(s.child.pid)))
    const { samples: idleLatency } = await pairLatency(east, west, 5000)
    log(`  idle cluster: pair median ${summarize(idleLatency).median.toFixed(2)} ms, p95 ${summarize(idleLatency).p95.toFixed(2)} ms; instances ${idleMemory.map((m) => m.toFixed(0)).join(' / ')} MB`)

    load = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, HEARTH_BENCH_LOAD: JSON.stringify([east.signalingUrl, west.signalingUrl]), HEARTH_BENCH_CLIENTS: String(CLIENTS) },
    })
    const ticks: Array<{ delivered: number; sent: number; open: number }> = []
    const held = new Promise<{ open: number; failed: number }>((resolve) => {
      createInterface({ input: load!.stdout! }).on('line', (line) => {
        const e = JSON.parse(line) as LoadEvent
        if (e.event === 'held') resolve(e)
        else if (e.event === 'tick') ticks.push(e)
      })
    })
    const holding = await within(120_000, `${CLIENTS} clients connecting`, () => held)
    log(`  load: ${holding.open} of ${CLIENTS} clients held (${holding.failed} refused); warming up`)
    await pause(WARMUP_MS)
    const firstTick = ticks.length
    const pids = [...servers.map((s) => s.child.pid), load.pid]
    const cpuBefore = await Promise.all(pids.map(cpuMs))
    const windowStart = performance.now()
    const { samples: loadedLatency, lost } = await pairLatency(east, west, MEASURE_MS)
    const cpuShare = (await Promise.all(pids.map(cpuMs))).map((ms, i) => (100 * (ms - cpuBefore[i]!)) / (performance.now() - windowStart))
    const loadAverage = (await readFile('/proc/loadavg', 'utf8')).split(' ')[0]
    const loadedMemory = await Promise.all(servers.map((s) => rssMB(s.child.pid)))
    const redisPid = Number(/process_id:(\d+)/.exec(String(await redis.command('INFO', 'server')))?.[1])
    const redisMemory = await rssMB(redisPid)
    const window = ticks.slice(firstTick + 1, -1)
    for (const [i, server] of servers.entries()) {
      for (const line of server.stderr().split('\n').filter(Boolean)) log(`  instance ${i + 1} said: ${line}`)
    }
    const stillOpen = ticks.at(-1)?.open ?? 0
    log(
      `  loaded: ${window.map((t) => t.delivered).join(', ')} delivered/s; pair median ${summarize(loadedLatency).median.toFixed(2)} ms, p95 ${summarize(loadedLatency).p95.toFixed(2)} ms; instances ${loadedMemory.map((m) => m.toFixed(0)).join(' / ')} MB; redis ${redisMemory.toFixed(0)} MB; CPU (% of one core) instances ${cpuShare[0]!.toFixed(0)} / ${cpuShare[1]!.toFixed(0)}, load generator ${cpuShare[2]!.toFixed(0)}; ${lost} of the pair's publishes lost; load average ${loadAverage}`,
    )
    if (window.length === 0) throw new Error('bench: the load process reported no full second')
    const offered = (CLIENTS * 1000) / PUBLISH_EVERY_MS
    const clientsNote = `${stillOpen} of ${CLIENTS} load clients held to the end (+ the pair), half on each instance, rooms of ${ROOM_SIZE}`
    return [
      figure({
        id: 'signaling-cluster-delivered',
        label: `signaling cluster (2 instances + Redis): messages delivered per second, ${CLIENTS} clients publishing`,
        unit: 'msgs',
        hearth: window.map((t) => t.delivered),
        note: `${clientsNote}; ${offered}/s publishes of ${PAYLOAD_BYTES} B offered, each to ${ROOM_SIZE} subscribers (≈ ${offered * ROOM_SIZE}/s expected); publishes sent per second ${window.map((t) => t.sent).join(', ')}`,
      }),
      figure({
        id: 'signaling-cluster-pair-latency',
        label: `signaling cluster: an honest pair's publish → receive across instances while ${CLIENTS} clients publish`,
        unit: 'ms',
        hearth: loadedLatency,
        baselineLabel: 'same pair, idle cluster',
        baseline: idleLatency,
        note: `p95 ${summarize(loadedLatency).p95.toFixed(2)} ms loaded vs ${summarize(idleLatency).p95.toFixed(2)} ms idle; ${loadedLatency.length} samples, one every ${PAIR_EVERY_MS} ms, ${lost} lost; machine load average ${loadAverage}`,
      }),
      ...servers.map((_, i) =>
        figure({
          id: `signaling-cluster-memory-${i === 0 ? 'east' : 'west'}`,
          label: `signaling cluster: resident memory of instance ${i + 1} holding ${Math.round(stillOpen / 2) + 1} clients under load`,
          unit: 'MB',
          hearth: [loadedMemory[i]!],
          baselineLabel: 'same instance, idle',
          baseline: [idleMemory[i]!],
          note: `${cpuShare[i]!.toFixed(0)} % of one core during the window${i === 0 ? `; redis-server ${redisMemory.toFixed(1)} MB` : ''}`,
        }),
      ),
    ]
  } finally {
    await stopSignalingBench()
  }
}
