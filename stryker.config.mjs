// @ts-check
/**
 * Mutation testing (StrykerJS): `npm run mutate` — see docs/TESTING.md.
 *
 * Scoped to the code that guards safety, one scope at a time, because a run
 * on 2 cores is slow: `HEARTH_MUTATE=crypto npm run mutate`. Without
 * HEARTH_MUTATE every scope is mutated at once (hours).
 *
 * Each scope keeps its own incremental file under reports/ (not committed:
 * it is a per-machine cache that goes stale with every merge), so a re-run
 * after a small change only tests the mutants that the change touched.
 */

/**
 * What each scope mutates, and which test projects can kill its mutants.
 * Integration tests run the crypto and the sealed engine inside child
 * processes, which never activate a mutant (only this process's test worker
 * does): for those scopes they could not kill anything, and would cost
 * minutes for every surviving mutant.
 */
const SCOPES = {
  crypto: { mutate: ['src/crypto/**/*.ts', '!src/crypto/index.ts'], projects: ['unit'] },
  sealed: { mutate: ['src/sealed/**/*.ts', '!src/sealed/index.ts'], projects: ['unit'] },
  session: { mutate: ['src/app/board-session.ts'], projects: ['unit', 'integration'] },
  storage: { mutate: ['src/storage/board-store.ts', 'src/storage/keyring*.ts', 'src/storage/wipe.ts'], projects: ['unit', 'integration'] },
  server: { mutate: ['src/server/limits.ts', 'src/server/tokenBucket.ts', 'src/server/parseSignalingMessage.ts'], projects: ['unit', 'integration'] },
}

const scope = process.env.HEARTH_MUTATE ?? 'all'
if (scope !== 'all' && !(scope in SCOPES)) {
  throw new Error(`HEARTH_MUTATE must be one of: ${Object.keys(SCOPES).join(', ')} (or unset for all)`)
}
const chosen = scope === 'all' ? Object.values(SCOPES) : [SCOPES[/** @type {keyof typeof SCOPES} */ (scope)]]
const mutate = chosen.flatMap((s) => s.mutate)
/**
 * HEARTH_MUTATE_TESTS=tests/crypto: only the tests under that folder (or
 * these files, comma-separated) try to kill the mutants (the layer's own
 * tests). Far quicker than every test that imports the layer (the sealed
 * engine's and the app's tests import crypto), and a lower bound of the full
 * score. Its own incremental file and report.
 */
// Read by vitest.stryker.config.ts, like HEARTH_MUTATE_PROJECTS below.
const testDir = process.env.HEARTH_MUTATE_TESTS
const runName = testDir ? `${scope}-${testDir.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 80)}` : scope
// Read by vitest.stryker.config.ts in Stryker's test runner processes (they inherit the environment).
process.env.HEARTH_MUTATE_PROJECTS = [...new Set(chosen.flatMap((s) => s.projects))].join(',')

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: true },
  // Each test records which mutants it reaches, so a mutant runs only the tests that cover it.
  coverageAnalysis: 'perTest',
  mutate,
  // Not copied to the sandbox: nothing Stryker runs reads them.
  ignorePatterns: ['dist', 'dev-dist', 'test-results', 'reports', 'tests/bench', 'tests/e2e'],
  incremental: true,
  incrementalFile: `reports/stryker-incremental-${runName}.json`,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${runName}.html` },
  jsonReporter: { fileName: `reports/mutation/${runName}.json` },
  // The machine has 2 cores shared with other work.
  concurrency: 1,
  timeoutMS: 10_000,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
}
