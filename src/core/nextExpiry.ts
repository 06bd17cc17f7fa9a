import * as Y from 'yjs'
import { readItems } from './readItem.ts'
import type { Item } from './types.ts'

/**
 * The earliest expiry still in the future (strictly after `now`), or null if
 * none: core has no timers, so the app schedules one for this moment and then
 * calls `sweepExpired`.
 */
export function nextExpiry(source: Y.Doc | readonly Item[], now: number): number | null {
  const items = source instanceof Y.Doc ? readItems(source) : source
  let next: number | null = null
  for (const { expiresAt } of items) {
    if (expiresAt !== null && expiresAt > now && (next === null || expiresAt < next)) next = expiresAt
  }
  return next
}
