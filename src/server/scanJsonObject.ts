/** Where one member's value sits in the scanned text: `text.slice(start, end)`. */
export interface JsonSpan {
  start: number
  end: number
}

export type JsonObjectScan =
  | { ok: true; members: Map<string, JsonSpan> }
  | { ok: false; error: 'too-deep' | 'not-object' | 'malformed' }

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d])
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const COMMA = 0x2c

function trimSpan(text: string, start: number, end: number): JsonSpan {
  while (start < end && WHITESPACE.has(text.charCodeAt(start))) start++
  while (end > start && WHITESPACE.has(text.charCodeAt(end - 1))) end--
  return { start, end }
}

/**
 * One pass over a JSON text that must be an object: refuses nesting deeper
 * than `maxDepth` (the top-level object is depth 1) and records where each
 * top-level member's value starts and ends, so a value can be forwarded as the
 * exact text the sender wrote instead of being re-serialised. Iterative, so no
 * input can exhaust the stack. It only tracks brackets and strings; the caller
 * must still `JSON.parse` the text to know it is valid JSON. Duplicate keys
 * keep the last value, as `JSON.parse` does.
 */
export function scanJsonObject(text: string, maxDepth: number): JsonObjectScan {
  const members = new Map<string, JsonSpan>()
  let depth = 0
  let sawObject = false
  let key: string | null = null
  let valueStart = -1

  const closeValue = (end: number): boolean => {
    if (key === null || valueStart < 0) return false
    members.set(key, trimSpan(text, valueStart, end))
    key = null
    valueStart = -1
    return true
  }

  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      if (depth === 0) return { ok: false, error: sawObject ? 'malformed' : 'not-object' }
      const start = i
      // The closing quote is the next one not escaped by an odd run of backslashes;
      // indexOf keeps long strings (encrypted SDP) out of a per-character JS loop.
      for (;;) {
        i = text.indexOf('"', i + 1)
        if (i < 0) return { ok: false, error: 'malformed' }
        let slashes = 0
        while (text.charCodeAt(i - 1 - slashes) === BACKSLASH) slashes++
        if (slashes % 2 === 0) break
      }
      if (depth === 1 && key === null && valueStart < 0) {
        try {
          key = JSON.parse(text.slice(start, i + 1)) as string
        } catch {
          return { ok: false, error: 'malformed' }
        }
      }
      continue
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth === 0) {
        if (c !== 0x7b || sawObject) return { ok: false, error: sawObject ? 'malformed' : 'not-object' }
        sawObject = true
      }
      depth++
      if (depth > maxDepth) return { ok: false, error: 'too-deep' }
      continue
    }
    if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (depth === 1 && key !== null && !closeValue(i)) return { ok: false, error: 'malformed' }
      depth--
      if (depth < 0) return { ok: false, error: 'malformed' }
      continue
    }
    if (depth === 1 && c === COLON && key !== null && valueStart < 0) valueStart = i + 1
    else if (depth === 1 && c === COMMA && !closeValue(i)) return { ok: false, error: 'malformed' }
    else if (depth === 0 && !WHITESPACE.has(c)) return { ok: false, error: sawObject ? 'malformed' : 'not-object' }
  }
  if (!sawObject) return { ok: false, error: 'not-object' }
  if (depth !== 0) return { ok: false, error: 'malformed' }
  return { ok: true, members }
}
