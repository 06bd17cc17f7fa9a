import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const FIXTURE = fileURLToPath(new URL('./fixtures/failing-parts.ts', import.meta.url))

interface FixtureOutput {
  figures: { id: string; failed: string | null }[]
  outcomes: { name: string; failed: string | null; strays: string[] }[]
  cleanups: number
}

describe('the bench runner survives its own figures', () => {
  it('reports a part that throws, one that hangs and one that leaves unhandled errors, and still runs the rest', () => {
    // Alice runs the bench while the machine is busy: the mesh part throws,
    // another part hangs, a peer library rejects a promise nobody awaits.
    const child = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], { encoding: 'utf8', timeout: 60_000 })
    expect(child.status, child.stderr).toBe(0)
    const out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as FixtureOutput

    // Every part ran, and the one after all the trouble too.
    expect(out.outcomes.map((o) => o.name)).toEqual(['steady', 'throws', 'hangs', 'rejects', 'after'])
    expect(out.cleanups).toBe(5)

    // The throw is a failed row with its reason; the row measured before it is kept.
    expect(out.figures.find((f) => f.id === 'throws-first-row')?.failed).toBeNull()
    expect(out.figures.find((f) => f.id === 'throws-failed')?.failed).toBe('the 20-peer mesh did not converge')

    // The hang is stopped at its timeout.
    expect(out.figures.find((f) => f.id === 'hangs-failed')?.failed).toBe('timed out after 300 ms')

    // The unhandled rejection and the throwing timer are reported against the part, which kept its row.
    const rejects = out.outcomes.find((o) => o.name === 'rejects')!
    expect(rejects.failed).toBeNull()
    expect(rejects.strays).toEqual(["unhandled rejection: Cannot set properties of undefined (setting 'glareToken')", 'uncaught exception: a stray timer threw'])
    expect(out.figures.find((f) => f.id === 'rejects-row')?.failed).toBeNull()
    expect(out.figures.find((f) => f.id === 'rejects-unhandled')?.failed).toContain('glareToken')

    expect(out.figures.map((f) => f.id)).toEqual(['steady-row', 'throws-first-row', 'throws-failed', 'hangs-failed', 'rejects-row', 'rejects-unhandled', 'after-row'])
  })
})
