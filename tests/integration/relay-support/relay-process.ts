import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { RelayStore } from '../../../src/relay/relay-store.ts'

const CLI = fileURLToPath(new URL('../../../src/relay/cli.ts', import.meta.url))

export type RelayLine = { event: string; board?: string; entries?: number; bytes?: number; reason?: string; state?: string; peers?: number; rooms?: number }

/** `npm run relay -- add <link>` as its operator would type it; returns what it printed. */
export function addToRelay(dataDir: string, link: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'add', link, '--data', dataDir], { encoding: 'utf8', env: { ...process.env, ...env } })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The sealed doc of each board as the relay's disk holds it (read with the store key, as the relay does). */
export function relayDisk(dataDir: string): Map<string, Y.Doc> {
  const store = RelayStore.open(dataDir)
  const out = new Map<string, Y.Doc>()
  for (const r of store.boards()) {
    const doc = new Y.Doc()
    for (const u of store.load(r.id)) Y.applyUpdate(doc, u)
    out.set(r.id, doc)
  }
  store.close()
  return out
}

/** `npm run relay` in a child process, with every write logged (`--verbose`); its JSON lines are kept. */
export class RelayProcess {
  readonly lines: RelayLine[] = []
  readonly #child: ChildProcess
  readonly #exited: Promise<void>
  readonly #waiters = new Set<() => void>()

  constructor(dataDir: string, env: Record<string, string> = {}) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', '--data', dataDir, '--verbose'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } })
    this.#exited = new Promise((resolve) => this.#child.once('exit', () => resolve()))
    createInterface({ input: this.#child.stdout! }).on('line', (text) => {
      try {
        this.lines.push(JSON.parse(text) as RelayLine)
      } catch {
        return
      }
      for (const w of this.#waiters) w()
    })
  }

  get pid(): number {
    return this.#child.pid!
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Waits for a logged line that matches. */
  async waitFor(match: (l: RelayLine) => boolean, timeoutMs: number, what: string): Promise<RelayLine> {
    const found = () => this.lines.find(match)
    const deadline = Date.now() + timeoutMs
    while (!found()) {
      if (Date.now() > deadline || !this.alive) throw new Error(`relay: timed out waiting for ${what}; last lines: ${JSON.stringify(this.lines.slice(-5))}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200)
        this.#waiters.add(() => {
          clearTimeout(timer)
          resolve()
        })
      })
      this.#waiters.clear()
    }
    return found()!
  }

  /** The last 'stored' line: what the relay had acknowledged writing. */
  lastStored(board: string): RelayLine | undefined {
    return this.lines.filter((l) => l.event === 'stored' && l.board === board).at(-1)
  }

  /** Asks it to stop (SIGTERM), as systemd does. */
  async stop(): Promise<void> {
    if (!this.alive) return
    this.#child.kill('SIGTERM')
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000)
    await this.#exited
    clearTimeout(timer)
  }

  /** Kills it at once (SIGKILL): no chance to flush or close anything. */
  async kill9(): Promise<void> {
    if (!this.alive) return
    this.#child.kill('SIGKILL')
    await this.#exited
  }
}
