import { afterAll, afterEach, expect } from 'vitest'
import { childrenLeft, stopAllChildren } from './child-processes.ts'

/**
 * Registers hooks that stop every child process (see child-processes.ts)
 * still running after each test, or after the file for children shared by
 * its tests, then check that no process of theirs is left. Hooks run even
 * when a test timed out, unlike the test's own `finally`.
 */
export function cleanUpChildProcesses(when: 'each' | 'all' = 'each'): void {
  const cleanUp = async () => {
    await stopAllChildren()
    expect(childrenLeft(), 'child processes still running').toEqual([])
  }
  if (when === 'each') afterEach(cleanUp)
  afterAll(cleanUp)
}
