import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ChildEnd, spawnChild, stopChild } from '../../support/child-processes.ts'
import type { SyncStatus } from '../../../src/sync/status.ts'
import type { PeerState, RawOp, SealedInit } from './protocol.ts'

const PEER_SCRIPT = fileURLToPath(new URL('./sealed-peer.ts', import.meta.url))

type Reply = { id?: number; ok?: boolean; error?: string; event?: string; status?: SyncStatus } & Record<string, unknown>

/** Drives `sealed-peer.ts` in a child process: one request, one reply; status events tracked. */
export class SealedPeer {
  readonly name: string
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (reply: Reply) => void>()
  readonly #exited: Promise<void>
  /** How the process ended, once it has: what it was asked fails with that at once. */
  readonly #end: ChildEnd
  #nextId = 1
  #ready: Promise<void>
  status: SyncStatus | null = null
  decryptFailures = 0

  constructor(name: string) {
    this.name = name
    this.#child = spawnChild(process.execPath, ['--import', 'tsx', PEER_SCRIPT], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, HEARTH_PEER: name },
    })
    this.#exited = new Promise((resolve) => this.#child.once('exit', () => resolve()))
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

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  async request<T = Record<string, unknown>>(command: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    const ended = (how: string) => new Error(`${this.name} did not answer ${String(command.cmd)}: ${how}`)
    await this.#end.before(this.#ready, ended)
    if (!this.alive) throw new Error(`${this.name} has exited`)
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        forget()
        reject(new Error(`${this.name} did not answer ${String(command.cmd)}`))
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
        else reject(new Error(`${this.name}: ${reply.error ?? 'peer error'}`))
      })
      this.#child.stdin!.write(JSON.stringify({ ...command, id }) + '\n')
    })
  }

  init(opts: SealedInit): Promise<{ tag: string; signPublic: string }> {
    return this.request({ cmd: 'init', ...opts })
  }

  connect(signaling: string): Promise<unknown> {
    return this.request({ cmd: 'connect', signaling: [signaling] })
  }

  post(items: { title: string; body: string }[]): Promise<unknown> {
    return this.request({ cmd: 'post', items })
  }

  state(): Promise<PeerState> {
    return this.request<PeerState>({ cmd: 'state' })
  }

  raw(ops: RawOp[]): Promise<{ keys: string[] }> {
    return this.request({ cmd: 'raw', ops }, 60_000)
  }

  /** Ends the process cleanly (provider destroyed) and waits until it is gone; killed if it has not gone 5 s after. */
  async exit(): Promise<void> {
    if (!this.alive) return
    await this.request({ cmd: 'exit' }).catch(() => undefined)
    await Promise.race([this.#exited, new Promise((resolve) => setTimeout(resolve, 5000))])
    await stopChild(this.#child)
  }

  /** Stops the peer (SIGTERM, then SIGKILL after 2 s) and waits until it is gone. */
  kill(): Promise<void> {
    return stopChild(this.#child)
  }
}

/** Poll `check` until it returns true or `timeoutMs` passes; the error says what was last seen. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, describe?: () => unknown): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const seen = describe ? `; last seen: ${JSON.stringify(await describe())}` : ''
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen}`)
}
