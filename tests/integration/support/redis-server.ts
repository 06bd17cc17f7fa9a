import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createClient } from '@redis/client'

/** A throwaway `redis-server` (Debian's) on a loopback port, persisting nothing. */
export interface RedisProcess {
  port: number
  url: string
  /** Runs one command on a fresh connection (PUBSUB, DBSIZE, PUBLISH…). */
  command(...args: string[]): Promise<unknown>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * Starts `redis-server` bound to 127.0.0.1 (on `port`, or a free one), with
 * no snapshots and no append-only file, in a temp dir, and waits until it
 * answers PING. Always `stop()` it in a finally/afterAll.
 */
export async function startRedis(port?: number): Promise<RedisProcess> {
  const chosen = port ?? (await freePort())
  const dir = mkdtempSync(path.join(tmpdir(), 'hearth-redis-'))
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning', '--daemonize', 'no'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const alive = (): boolean => child.exitCode === null && child.signalCode === null
  const url = `redis://127.0.0.1:${chosen}`

  const command = async (...args: string[]): Promise<unknown> => {
    const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 2000 } })
    client.on('error', () => {})
    try {
      await client.connect()
      return await client.sendCommand(args)
    } finally {
      client.destroy()
    }
  }

  const stop = async (graceMs = 2000): Promise<void> => {
    if (alive()) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }

  const deadline = Date.now() + 10_000
  for (;;) {
    try {
      if ((await command('PING')) === 'PONG') break
    } catch {
      // not listening yet
    }
    if (!alive() || Date.now() > deadline) {
      await stop()
      throw new Error(`redis-server did not start on port ${chosen}: ${stderr.slice(0, 1000)}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { port: chosen, url, command, stop }
}
