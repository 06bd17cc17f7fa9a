import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'

/**
 * Child processes that tests and their support code start (servers, Node
 * peers, builds). Each runs in its own process group, so stopping it stops
 * whatever it started in turn (npx → node), and each is remembered until
 * its whole group is gone, so that:
 *
 * - `stopAllChildren` (called by the hooks of `cleanUpChildProcesses`) ends
 *   every one still running when a test or a file ends, even when the test
 *   timed out and its own `finally` never ran;
 * - `childrenLeft` can check that nothing is left;
 * - if the test worker itself is torn down first (Vitest stops a worker
 *   with SIGTERM, Ctrl-C sends SIGINT), every group is killed on the way out.
 *
 * No Vitest import here: the benchmark scripts use it outside Vitest too.
 */
const groups = new Set<number>()

/** `spawn`, in a new process group that is killed when the worker goes, whatever happens to the test. */
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  killOnTeardown()
  const child = spawn(command, args, { ...options, detached: true })
  if (child.pid !== undefined) groups.add(child.pid)
  return child
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

/**
 * How a child the tests talk to ended ("it ended: code 1, signal null"),
 * so that what it was asked fails with that at once, rather than when the
 * request times out. A signal of SIGSEGV or SIGBUS is a crash in native
 * code: @roamhq/wrtc, the Node peers' WebRTC, now and then crashes while
 * connections close (node-webrtc issues #35 and #391); the integration tests
 * retry a test once for that, and for nothing else (vite.config.ts).
 */
export class ChildEnd {
  #how: string | null = null
  readonly #ended: Promise<string>
  readonly #waiting = new Set<(how: string) => void>()

  constructor(child: ChildProcess) {
    const how = () => `it ended: code ${child.exitCode}, signal ${child.signalCode}`
    this.#ended = exited(child) ? Promise.resolve(how()) : new Promise((resolve) => child.once('exit', () => resolve(how())))
    void this.#ended.then((h) => {
      this.#how = h
      for (const fail of this.#waiting) fail(h)
    })
  }

  /** `ready`, unless the child ends first (or has ended): then `error(how)`. */
  async before<T>(ready: Promise<T>, error: (how: string) => Error): Promise<T> {
    const value = await Promise.race([ready, this.#ended.then((h) => Promise.reject(error(h)))])
    if (this.#how !== null) throw error(this.#how)
    return value
  }

  /** Calls `fail(how)` when the child ends; returns what forgets it (call it once the request is answered). */
  onEnd(fail: (how: string) => void): () => void {
    const how = this.#how
    if (how !== null) queueMicrotask(() => fail(how))
    else this.#waiting.add(fail)
    return () => this.#waiting.delete(fail)
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // The group is already gone.
  }
}

/**
 * Stops a child and everything in its group: `signal` first, SIGKILL after
 * `graceMs`. Resolves once no process of the group is left.
 */
export async function stopChild(child: ChildProcess, { signal = 'SIGTERM', graceMs = 2000 }: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
  const pgid = child.pid
  if (pgid === undefined) return
  await stopGroup(pgid, signal, graceMs, exited(child) ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve())))
}

async function stopGroup(pgid: number, signal: NodeJS.Signals, graceMs: number, leaderExit: Promise<void>): Promise<void> {
  if (groupAlive(pgid)) signalGroup(pgid, signal)
  const deadline = Date.now() + graceMs
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(25)
  if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL')
  // SIGKILL cannot be ignored; the group empties as soon as the kernel reaps it.
  while (groupAlive(pgid) && Date.now() < deadline + 5000) await sleep(25)
  await Promise.race([leaderExit, sleep(1000)])
  if (!groupAlive(pgid)) groups.delete(pgid)
}

/** Stops every child process group still running. */
export async function stopAllChildren(graceMs = 2000): Promise<void> {
  await Promise.all([...groups].map((pgid) => stopGroup(pgid, 'SIGTERM', graceMs, Promise.resolve())))
}

/** Process groups started here that still have a live process. */
export function childrenLeft(): number[] {
  for (const pgid of groups) if (!groupAlive(pgid)) groups.delete(pgid)
  return [...groups]
}

function killAllNow(): void {
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL')
}

let installed = false
/** The last resort: when this process ends, its children end too. */
function killOnTeardown(): void {
  if (installed) return
  installed = true
  process.once('exit', killAllNow)
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    // First in line, so any other handler is still registered when this one asks.
    process.prependOnceListener(signal, () => {
      killAllNow()
      // Then what the signal would have done: end this process, unless another handler takes care of it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    })
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
