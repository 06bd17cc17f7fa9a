/**
 * Seeds a board with many items without clicking: a Node peer in a child
 * process (`seed-peer.ts`) joins the sealed board as a member device, builds
 * the items with `createItem` (sealed as signed, encrypted entries) and
 * replicates them over real WebRTC (y-webrtc + @roamhq/wrtc) through the
 * app's signaling server, like any member device would.
 */
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { SyncStatus } from '../../../src/sync/index.ts'
import { spawnChild, stopChild } from '../../support/child-processes.ts'

const SEED_PEER = fileURLToPath(new URL('./seed-peer.ts', import.meta.url))

export type SeedOptions = {
  /** The board's invite link (as Alice's Invite dialog shows it). */
  invite: string
  /** The app's signaling URL (`App.signalingUrl`). */
  signalingUrl: string
  /** How many items to create. */
  count: number
  /** PRNG seed: the same seed gives the same items (titles, texts, kinds, ids). */
  seed?: number
}

export type SeedBuilt = { items: number; bytes: number; entries: number; ms: number }

export type Seeder = {
  /** Resolves when the items are built and sealed: their number, the sealed doc's size and entry count. */
  readonly built: Promise<SeedBuilt>
  /** The seeder's latest sync status. */
  readonly status: SyncStatus | null
  /** Resolves once the seeder reports being synced with at least one peer. */
  synced(timeoutMs?: number): Promise<void>
  /** Disconnects and ends the child process. */
  stop(): Promise<void>
}

export function startSeeder(opts: SeedOptions): Seeder {
  const child: ChildProcess = spawnChild(process.execPath, ['--import', 'tsx', SEED_PEER], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      HEARTH_SEED_INVITE: opts.invite,
      HEARTH_SEED_SIGNALING: opts.signalingUrl,
      HEARTH_SEED_COUNT: String(opts.count),
      HEARTH_SEED: String(opts.seed ?? 1),
    },
  })
  let status: SyncStatus | null = null
  let failure: Error | null = null
  const waiters = new Set<() => void>()
  const notify = () => waiters.forEach((w) => w())

  let resolveBuilt!: (v: SeedBuilt) => void
  let rejectBuilt!: (e: Error) => void
  const built = new Promise<SeedBuilt>((res, rej) => {
    resolveBuilt = res
    rejectBuilt = rej
  })
  built.catch(() => undefined) // reported through synced()/the test instead

  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: { event?: string; status?: SyncStatus; error?: string; items?: number; bytes?: number; entries?: number; ms?: number }
    try {
      msg = JSON.parse(line)
    } catch {
      return // stray output
    }
    if (msg.event === 'built') resolveBuilt({ items: msg.items!, bytes: msg.bytes!, entries: msg.entries!, ms: msg.ms! })
    else if (msg.event === 'status' && msg.status) status = msg.status
    else if (msg.event === 'error') failure = new Error(`seeder: ${msg.error}`)
    notify()
  })
  child.on('exit', (code, signal) => {
    if (code !== 0 && !failure) failure = new Error(`seeder exited (code ${code}, signal ${signal})`)
    rejectBuilt(failure ?? new Error('seeder exited before building'))
    notify()
  })

  return {
    built,
    get status() {
      return status
    },
    async synced(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs
      while (!(status?.state === 'synced' && status.peers > 0)) {
        if (failure) throw failure
        if (Date.now() > deadline) throw new Error(`seeder not synced after ${timeoutMs} ms (status ${JSON.stringify(status)})`)
        await new Promise<void>((resolve) => {
          const done = () => {
            waiters.delete(done)
            clearTimeout(timer)
            resolve()
          }
          const timer = setTimeout(done, 250)
          waiters.add(done)
        })
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.stdin!.write('exit\n')
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
      }
      await stopChild(child, { signal: 'SIGKILL' })
    },
  }
}
