import { scanJsonObject } from './scanJsonObject.ts'

/**
 * True when `text` is exactly one JSON value nested no deeper than
 * `maxDepth`, so it can be embedded as a member of a frame without adding or
 * overriding other members (`1,"topic":"x"` is not one value). Never throws,
 * never recurses.
 */
export function isJsonValue(text: string, maxDepth: number): boolean {
  const wrapped = `{"v":${text}}`
  const scan = scanJsonObject(wrapped, maxDepth + 1)
  const span = scan.ok ? scan.members.get('v') : undefined
  // The last "v" must span the whole text: nothing before or after it.
  if (!span || wrapped.slice(5, span.start).trim() !== '' || wrapped.slice(span.end, -1).trim() !== '') return false
  try {
    JSON.parse(wrapped)
    return true
  } catch {
    return false
  }
}
