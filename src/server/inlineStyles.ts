import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'

/** A `<style>` element's text, exactly as the browser hashes it (raw text: no entities, no comments to strip). */
const STYLE_ELEMENT = /<style(?:\s[^>]*)?>([\s\S]*?)<\/style\s*>/gi

/**
 * CSP source expressions (`'sha256-…'`) for the inline `<style>` blocks of an
 * HTML page, in order, without duplicates. The app shell's style is inline so
 * a first visit paints after one round trip instead of two; the policy
 * allows those exact bytes and nothing else inline (no `'unsafe-inline'`, no
 * style attributes, no script).
 */
export function inlineStyleHashes(html: string): string[] {
  const hashes = new Set<string>()
  for (const match of html.matchAll(STYLE_ELEMENT)) {
    hashes.add(`'sha256-${createHash('sha256').update(match[1]!, 'utf8').digest('base64')}'`)
  }
  return [...hashes]
}

/** The hashes of the built app's `index.html` (none when it is not there: the app then paints unstyled until its CSS loads). */
export async function appStyleHashes(staticDir: string): Promise<string[]> {
  try {
    return inlineStyleHashes(await readFile(path.join(staticDir, 'index.html'), 'utf8'))
  } catch {
    return []
  }
}
