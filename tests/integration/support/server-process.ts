import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** `npm start` (src/server/cli.ts) running as its own process, as an operator runs it. */
export interface ServerProcess {
  child: ChildProcess
  url: string
  signalingUrl: string
  /** Everything the process printed so far. */
  stdout(): string
  stderr(): string
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string | null>
  alive(): boolean
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  kill(graceMs?: number): Promise<void>
}

/**
 * Starts the CLI on a free loopback port and waits for its one startup line.
 * Always `kill()` it in a finally/afterAll: the kill escalates to SIGKILL so
 * no server outlives its test, even one that stopped answering.
 */
export async function startServerProcess(opts: { dist: string; env?: Record<string, string>; startTimeoutMs?: number }): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'src/server/cli.ts'), '--port', '0', '--dist', opts.dist], {
    cwd: projectRoot,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)))
  const alive = (): boolean => child.exitCode === null && child.signalCode === null
  const kill = async (graceMs = 3000): Promise<void> => {
    if (!alive()) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await exited
    clearTimeout(timer)
  }

  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000)
  while (!out.includes('\n') && alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25))
  const match = /^Hearth is running at http:\/\/127\.0\.0\.1:(\d+)\n/.exec(out)
  if (!match) {
    await kill()
    throw new Error(`the server did not start: stdout ${JSON.stringify(out)} stderr ${JSON.stringify(err.slice(0, 2000))}`)
  }
  const port = match[1]
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    signalingUrl: `ws://127.0.0.1:${port}/signal`,
    stdout: () => out,
    stderr: () => err,
    exited,
    alive,
    kill,
  }
}
