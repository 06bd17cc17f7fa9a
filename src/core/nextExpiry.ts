import * as Y from 'yjs'
import { earliestExpiry } from './earliestExpiry.ts'
import { itemsMap } from './layout.ts'
import type { Item } from './types.ts'

/**
 * The earliest expiry still in the future (strictly after `now`), or null if
 * none: core has no timers, so the app schedules one for this moment and then
 * calls `sweepExpired`. From a doc it reads each item's `earliestExpiry`
 * without parsing it: never later than the item's real expiry, at worst a
 * sweep that finds nothing due.
 */
export function nextExpiry(source: Y.Doc | readonly Item[], now: number): number | null {
  let next: number | null = null
  const consider = (expiresAt: number | null) => {
    if (expiresAt !== null && expiresAt > now && (next === null || expiresAt < next)) next = expiresAt
  }
  if (source instanceof Y.Doc) {
    for (const map of itemsMap(source).values()) if (map instanceof Y.Map) consider(earliestExpiry(map))
  } else for (const { expiresAt } of source) consider(expiresAt)
  return next
}
