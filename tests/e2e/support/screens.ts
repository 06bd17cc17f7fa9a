/** Screenshots for humans reviewing a run; saved under test-results/ (gitignored). */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { repoRoot } from './build.ts'

export const SCREENS_DIR = join(repoRoot, 'test-results/screens')

/** Saves a full-page PNG as test-results/screens/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENS_DIR, { recursive: true })
  const path = join(SCREENS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}
