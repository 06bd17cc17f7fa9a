/** Whether untrusted input is a plain record we can read fields from. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Reads own properties only, so keys like `constructor` or `__proto__` in
 * untrusted input can never reach inherited values.
 */
export function ownField(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined
}
