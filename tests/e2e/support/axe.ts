/**
 * Accessibility check with axe-core inside the page under test.
 *
 * Hearth's CSP (`script-src 'self'`) blocks `page.addScriptTag({ content })`
 * (an inline <script>). Instead axe's source is evaluated through the
 * DevTools protocol (`page.evaluate(source)` → Runtime.evaluate): scripts run
 * by the debugger are not subject to the page's CSP, so the page keeps its
 * real policy during the check (no `bypassCSP`, which would also change what
 * the app itself may do).
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

type AxeNode = { target: unknown[]; failureSummary?: string }
type AxeViolation = { id: string; impact?: string | null; help: string; helpUrl: string; nodes: AxeNode[] }

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']

let axeSource: Promise<string> | undefined

function loadAxe(): Promise<string> {
  const path = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
  axeSource ??= readFile(path, 'utf8')
  return axeSource
}

/** Formats violations as one readable block: rule, impact, help, targets. */
export function formatViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const targets = v.nodes.map((n) => `    - ${n.target.map(String).join(' > ')}`).join('\n')
      return `  ${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n${targets}`
    })
    .join('\n')
}

/** Throws a readable error if axe finds any WCAG 2.1 A/AA or best-practice violation. */
export async function expectNoAxeViolations(page: Page, context?: string): Promise<void> {
  const loaded = await page.evaluate(() => 'axe' in globalThis)
  if (!loaded) await page.evaluate(await loadAxe())
  const violations = await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }).axe
    const result = await axe.run(document, { runOnly: tags, resultTypes: ['violations'] })
    // Only plain data crosses back to Node.
    return JSON.parse(JSON.stringify(result.violations)) as AxeViolation[]
  }, AXE_TAGS)
  if (violations.length === 0) return
  const where = context ? ` in ${context}` : ''
  throw new Error(`axe found ${violations.length} accessibility violation(s)${where} (${page.url()}):\n${formatViolations(violations)}`)
}
