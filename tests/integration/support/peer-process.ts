import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ChildEnd, spawnChild, stopChild } from '../../support/child-processes.ts'
import type { SyncStatus } from '../../../src/sync/status.ts'
import type { BoardSummary } from './board-fixture.ts'

const PEER_SCRIPT = fileURLToPath(new URL('./peer.ts', import.meta.url))

type Reply = { id?: number; ok?: boolean; error?: string; event?: string; status?: SyncStatus } & Record<string, unknown>

/** Drives `peer.ts` in a child process: one request, one reply, status events tracked. */
export class PeerProcess {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (reply: Reply) => void>()
  #nextId = 1
  #ready: Promise<void>
  /** How the process ended, once it has: what it was asked fails with that at once. */
  readonly #end: ChildEnd
  status: SyncStatus | null = null
  /** Signaling messages this peer could not decrypt (sealed with another password). */
  decryptFailures = 0

  constructor(name: string) {
    this.#child = spawnChild(process.execPath, ['--import', 'tsx', PEER_SCRIPT], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, HEARTH_PEER: name },
    })
    this.#end = new ChildEnd(this.#child)
    let markReady!: () => void
    this.#ready = new Promise((resolve) => (markReady = resolve))
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      let reply: Reply
      try {
        reply = JSON.parse(line) as Reply
      } catch {
        return // stray output
      }
      if (reply.event === 'ready') markReady()
      else if (reply.event === 'status' && reply.status) this.status = reply.status
      else if (reply.event === 'decrypt-failure') this.decryptFailures++
      else if (typeof reply.id === 'number') this.#pending.get(reply.id)?.(reply)
    })
  }

  async request<T = Record<string, unknown>>(command: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    const ended = (how: string) => new Error(`peer did not answer ${String(command.cmd)}: ${how}`)
    await this.#end.before(this.#ready, ended)
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        forget()
        reject(new Error(`peer did not answer ${String(command.cmd)}`))
      }, timeoutMs)
      const forget = this.#end.onEnd((how) => {
        clearTimeout(timer)
        this.#pending.delete(id)
        reject(ended(how))
      })
      this.#pending.set(id, (reply) => {
        clearTimeout(timer)
        this.#pending.delete(id)
        forget()
        if (reply.ok) resolve(reply as T)
        else reject(new Error(reply.error ?? 'peer error'))
      })
      this.#child.stdin!.write(JSON.stringify({ ...command, id }) + '\n')
    })
  }

  summary(): Promise<BoardSummary & { keys: string[] }> {
    return this.request({ cmd: 'summary' })
  }

  /** Stops the peer (SIGTERM, then SIGKILL after 2 s) and waits until it is gone. */
  kill(): Promise<void> {
    return stopChild(this.#child)
  }
}

/** Poll `check` until it returns true or `timeoutMs` passes. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}
