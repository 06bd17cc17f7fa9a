/**
 * Chromium saves the state of a page's form fields — a read-only field's
 * value included — in the profile's session file, and keeps it there after
 * the field is gone. An invite link once reached that file from the Invite
 * dialog's read-only field (tests/e2e/forensic-linking.test.ts). A field with
 * `autocomplete="off"` is never saved, so every field the app draws says so.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'svelte/compiler'
import { describe, expect, it } from 'vitest'

const UI = join(import.meta.dirname, '../../src/ui')

function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? svelteFiles(join(dir, e.name)) : e.name.endsWith('.svelte') ? [join(dir, e.name)] : []))
}

interface Node {
  readonly type?: string
  readonly name?: string
  readonly attributes?: readonly { readonly type: string; readonly name?: string; readonly value?: unknown }[]
  readonly start?: number
}

/** Every input, select and textarea in a component, with whether it says autocomplete="off" (or passes an `autocomplete` prop through). */
function fieldsOf(source: string): { line: number; tag: string; off: boolean }[] {
  const found: { line: number; tag: string; off: boolean }[] = []
  const walk = (n: unknown): void => {
    if (!n || typeof n !== 'object') return
    if (Array.isArray(n)) return n.forEach(walk)
    const node = n as Node
    if (node.type === 'RegularElement' && ['input', 'select', 'textarea'].includes(node.name ?? '')) {
      const attr = node.attributes?.find((a) => a.name === 'autocomplete')
      const value = attr?.value
      const text = Array.isArray(value) && value.length === 1 ? (value[0] as { data?: string }).data : undefined
      const type = node.attributes?.find((a) => a.name === 'type')?.value
      const password = Array.isArray(type) && (type[0] as { data?: string }).data === 'password'
      // A password field is never saved; it names its purpose for password managers instead.
      const off = text === 'off' || (attr?.type === 'Attribute' && !Array.isArray(value) && value !== true) || (password && attr !== undefined)
      found.push({ line: source.slice(0, node.start).split('\n').length, tag: node.name!, off })
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'parent') walk(value)
  }
  walk(parse(source, { modern: true }).fragment)
  return found
}

describe('form fields', () => {
  const files = svelteFiles(UI)

  it('the scan sees the fields it must judge', () => {
    const all = files.flatMap((f) => fieldsOf(readFileSync(f, 'utf8')))
    expect(all.length).toBeGreaterThan(30)
    expect(fieldsOf('<input value={x} />')).toEqual([{ line: 1, tag: 'input', off: false }])
    expect(fieldsOf('<p>\n<select autocomplete="on"></select></p>')).toEqual([{ line: 2, tag: 'select', off: false }])
    expect(fieldsOf('<textarea autocomplete="off"></textarea>')).toEqual([{ line: 1, tag: 'textarea', off: true }])
  })

  it('none is kept in the browser’s session file', () => {
    const kept = files.flatMap((f) => fieldsOf(readFileSync(f, 'utf8')).filter((x) => !x.off).map((x) => `${f.slice(UI.length + 1)}:${x.line} <${x.tag}>`))
    expect(kept).toEqual([])
  })
})
