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
/** With WCAG 2.2 AA, whose target-size rule (2.5.8, at least 24 × 24 px) matters on phones. */
export const AXE_TAGS_22 = [...AXE_TAGS, 'wcag22aa']

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

/**
 * Throws a readable error if axe finds any violation of `tags` (by default
 * WCAG 2.1 A/AA and best practices). With `mustRun`, also throws unless
 * those rules were applied to something on the page (so a rule cannot pass
 * by never running).
 */
export async function expectNoAxeViolations(page: Page, context?: string, tags: readonly string[] = AXE_TAGS, mustRun: readonly string[] = []): Promise<void> {
  const loaded = await page.evaluate(() => 'axe' in globalThis)
  if (!loaded) await page.evaluate(await loadAxe())
  const { violations, applied } = await page.evaluate(async (tags) => {
    type Rule = { id: string }
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[]; passes: Rule[]; incomplete: Rule[] }> } }).axe
    const result = await axe.run(document, { runOnly: tags, resultTypes: ['violations'] })
    // Only plain data crosses back to Node.
    return {
      violations: JSON.parse(JSON.stringify(result.violations)) as AxeViolation[],
      applied: [...result.passes, ...result.incomplete, ...(result.violations as Rule[])].map((r) => r.id),
    }
  }, tags)
  const where = context ? ` in ${context}` : ''
  const missing = mustRun.filter((id) => !applied.includes(id))
  if (missing.length > 0) throw new Error(`axe did not apply ${missing.join(', ')}${where}`)
  if (violations.length === 0) return
  throw new Error(`axe found ${violations.length} accessibility violation(s)${where} (${page.url()}):\n${formatViolations(violations)}`)
}
