/**
 * The browser refusing to keep data: what IndexedDB, the origin-private file
 * system and the quota throw when this site's data is blocked in the
 * browser's settings, the device is full, or storage is otherwise denied.
 */
const REFUSALS = new Set([
  'SecurityError',
  'UnknownError',
  'QuotaExceededError',
  'NotAllowedError',
  'NotReadableError',
  'NoModificationAllowedError',
  'InvalidStateError',
  // A transaction the browser aborted (past the quota, say): its requests fail with this, its own error says why.
  'AbortError',
])

/** Whether `err`, or an error it was caused by, is such a refusal. */
export function isStorageRefusal(err: unknown): boolean {
  let e: unknown = err
  for (let depth = 0; e && depth < 8; depth++) {
    if (typeof DOMException !== 'undefined' && e instanceof DOMException && REFUSALS.has(e.name)) return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}
