/**
 * A TURN relay (Debian's coturn) on loopback for one test file: relay-only
 * peers on one machine connect through it. `relay-ip=127.0.0.1` and
 * `allow-loopback-peers` are for this machine only (a real deployment must
 * not have them; see docs/SELF_HOSTING.md). The process is killed in close().
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createConnection, createServer } from 'node:net'
import type { AddressInfo } from 'node:net'

export type Turn = {
  port: number
  username: string
  credential: string
  close(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

export async function startTurn(): Promise<Turn> {
  const port = await freePort()
  // A relay port range of its own, so parallel runs on this machine do not compete.
  const minPort = 30_000 + Math.floor(Math.random() * 300) * 100
  const username = 'hearth-e2e'
  const credential = `pw-${Math.random().toString(36).slice(2)}`
  const child: ChildProcess = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      '--relay-ip=127.0.0.1',
      '--allow-loopback-peers',
      `--min-port=${minPort}`,
      `--max-port=${minPort + 99}`,
      '--lt-cred-mech',
      `--user=${username}:${credential}`,
      '--realm=hearth.test',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--no-software-attribute',
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let exited = false
  let failed: Error | null = null
  child.once('exit', () => (exited = true))
  // No turnserver to start (ENOENT): say so at once, rather than wait for the hook's timeout.
  child.once('error', (e) => (failed = e))
  const close = async () => {
    if (exited || failed) return
    const done = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
    await done
    clearTimeout(timer)
  }
  const deadline = Date.now() + 10_000
  while (!(await listening(port))) {
    if (failed) throw new Error(`turnserver could not be started (${(failed as Error).message}): install Debian's coturn (.ci/run does)`)
    if (exited || Date.now() > deadline) {
      await close()
      throw new Error(`turnserver did not start on 127.0.0.1:${port}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { port, username, credential, close }
}
