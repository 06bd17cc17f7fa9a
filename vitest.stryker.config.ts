import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import base from './vite.config.ts'

/**
 * The tests Stryker runs: the unit and integration projects (those the scope
 * names in HEARTH_MUTATE_PROJECTS, set by stryker.config.mjs), never e2e (it
 * drives Chromium against a built app, which would not even contain the
 * mutant). Include globs and timeouts come from vite.config.ts, so the two
 * stay in step; the app's build plugins are left out.
 */
const wanted = (process.env.HEARTH_MUTATE_PROJECTS ?? 'unit,integration').split(',')
const projects = ((base.test?.projects ?? []) as TestProjectInlineConfiguration[]).filter((p) => p.test?.name !== 'e2e' && wanted.includes(p.test?.name ?? ''))
/**
 * HEARTH_MUTATE_TESTS (see stryker.config.mjs): only these test folders or
 * files (comma-separated), each in the one project it belongs to — given to
 * both, a unit folder would run twice for every mutant.
 */
const only = process.env.HEARTH_MUTATE_TESTS?.split(',').map((t) => (t.endsWith('.test.ts') ? t : `${t.replace(/\/+$/, '')}/**/*.test.ts`))
const onlyFor = (name: string | undefined): string[] | undefined => only?.filter((t) => t.startsWith('tests/integration') === (name === 'integration'))

/**
 * A mutant stops at its first failing test, so the fast tests go first: unit
 * before integration (Vitest would otherwise run projects by name, and slow
 * files first within one).
 */
class FastFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const slowFirst = await super.sort(files)
    const groups = new Map<number, TestSpecification[]>()
    for (const file of slowFirst) {
      const order = file.project.config.sequence.groupOrder
      groups.set(order, [...(groups.get(order) ?? []), file])
    }
    return [...groups.keys()].sort((a, b) => a - b).flatMap((order) => groups.get(order)!.reverse())
  }
}

export default defineConfig({
  test: {
    sequence: { sequencer: FastFirst },
    projects: projects
      .filter((p) => onlyFor(p.test?.name)?.length !== 0)
      .map((p) => ({
        ...p,
        extends: undefined,
        test: { ...p.test, ...(only ? { include: onlyFor(p.test?.name) } : {}), sequence: { groupOrder: p.test?.name === 'unit' ? 0 : 1 } },
      })),
  },
})
