import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ChildEnd } from '../../support/child-processes.ts'

const SCRIPT = fileURLToPath(new URL('./device.ts', import.meta.url))

type Reply = { id?: number; ok?: boolean; error?: string; event?: string } & Record<string, unknown>

export interface DeviceState {
  standing: 'member' | 'waiting' | 'removed'
  me: string
  boardName: string
  items: { id: string; title: string; body: string; pinned: boolean }[]
  titles: string[]
  members: { id: string; name: string; role: string; removed: boolean; equivocated: boolean; devices: string[]; admittedBy: string | null }[]
  requests: { hash: string; name: string }[]
  epoch: string | null
  heldKeys: number
  status: { state: string; peers: number; members: number; relays: number; unverified: number }
  counts: Record<string, number>
  events: { reason: string; key: string; author: string | null }[]
  suspects: string[]
  sealedBytes: number
  entryKeys: string[]
  sealedText: string
  failure: string | null
}

const live = new Set<Device>()

/** Kills every device still running (afterAll, and after a timed-out test). */
export async function killAllDevices(): Promise<void> {
  await Promise.all([...live].map((d) => d.kill()))
}

/** A person's device in a child process running the app layer (`device.ts`). */
export class Device {
  readonly name: string
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (reply: Reply) => void>()
  readonly #exited: Promise<void>
  readonly #ready: Promise<void>
  /** How the process ended, once it has: what it was asked fails with that at once. */
  readonly #end: ChildEnd
  #nextId = 1

  constructor(name: string) {
    this.name = name
    this.#child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, HEARTH_PEER: name } })
    live.add(this)
    this.#exited = new Promise((resolve) => this.#child.once('exit', () => resolve()))
    this.#end = new ChildEnd(this.#child)
    void this.#exited.then(() => live.delete(this))
    let markReady!: () => void
    this.#ready = new Promise((resolve) => (markReady = resolve))
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      let reply: Reply
      try {
        reply = JSON.parse(line) as Reply
      } catch {
        return
      }
      if (reply.event === 'ready') markReady()
      else if (typeof reply.id === 'number') this.#pending.get(reply.id)?.(reply)
    })
  }

  async request<T = Record<string, unknown>>(command: Record<string, unknown>, timeoutMs = 60_000): Promise<T> {
    const ended = (how: string) => new Error(`${this.name} did not answer ${String(command.cmd)}: ${how}`)
    await this.#end.before(this.#ready, ended)
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        forget()
        reject(new Error(`${this.name} did not answer ${String(command.cmd)} in ${timeoutMs} ms (${this.#whatItDoes()})`))
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
        else reject(new Error(`${this.name}: ${reply.error ?? 'error'}`))
      })
      this.#child.stdin!.write(JSON.stringify({ ...command, id }) + '\n')
    })
  }

  /**
   * What the process is doing, for a request it did not answer: ended (and
   * how), or each of its threads' state and the kernel call it waits in
   * (Linux's /proc). A JavaScript thread that is running (R) is busy in a
   * loop; one asleep in a futex while no other thread runs is stuck in
   * native code (a deadlock inside @roamhq/wrtc, say), not awaiting a promise.
   */
  #whatItDoes(): string {
    const { exitCode, signalCode, pid } = this.#child
    if (exitCode !== null || signalCode !== null) return `it ended: code ${exitCode}, signal ${signalCode}`
    try {
      let main = '?'
      const others = new Map<string, number>()
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
        // The fields after the command's closing parenthesis: the state first.
        const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?'
        let wchan = ''
        try {
          wchan = readFileSync(`/proc/${pid}/task/${tid}/wchan`, 'utf8')
        } catch {
          // Not readable here.
        }
        const what = `${state}${wchan && wchan !== '0' ? ` in ${wchan}` : ''}`
        if (tid === String(pid)) main = what
        else others.set(what, (others.get(what) ?? 0) + 1)
      }
      return `running; its JavaScript thread ${main}; other threads: ${[...others].map(([what, n]) => `${n} ${what}`).join(', ')}`
    } catch {
      return 'running'
    }
  }

  /** Whether the process has ended (killed, or crashed). */
  get ended(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null || !live.has(this)
  }

  state(boardId: string, timeoutMs?: number): Promise<DeviceState> {
    return this.request<DeviceState>({ cmd: 'state', boardId }, timeoutMs)
  }

  /** Ends the process: asked nicely, then killed after a second. */
  async kill(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    this.#child.stdin?.end()
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 1000)
    await this.#exited
    clearTimeout(timer)
  }
}

/** Polls until `check` holds, or fails with `what` and what `explain` says. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string, explain?: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${explain ? `: ${JSON.stringify(await explain())}` : ''}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
