/** The machine a run measured: figures only compare within one run, but readers need the context. */
import { execFile } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import { promisify } from 'node:util'
import { CHROMIUM } from '../../e2e/support/browser.ts'

export interface Machine {
  cpu: string
  cores: number
  memoryGB: number
  node: string
  chromium: string
  os: string
  date: string
}

export async function collectMachine(): Promise<Machine> {
  const chromium = await promisify(execFile)(CHROMIUM, ['--version'], { timeout: 10_000 })
    .then(({ stdout }) => stdout.trim().split('\n')[0]!.replace(/\s+built on.*$/, ''))
    .catch(() => 'unknown')
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    chromium,
    os: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  }
}
