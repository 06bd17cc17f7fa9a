import type { Item } from './types.ts'

/** Whether an item's time is up: it has an expiry and `now` has reached it. */
export function isExpired(item: Pick<Item, 'expiresAt'>, now: number): boolean {
  return item.expiresAt !== null && item.expiresAt <= now
}
