import * as Y from 'yjs'

/**
 * The earliest moment an item could expire, read from its map without
 * parsing it: its `expiresAt`, or a meeting's `end` when it has none. Never
 * later than the expiry `parseItem` reads (its only repair moves a meeting's
 * end later, up to its start), so a sweep that parses only the items this
 * says are due misses none. Null when those fields hold no usable time: the
 * item never expires, or is malformed and is never swept.
 *
 * Opening a board sweeps it: parsing every item for that was the longest task
 * on the main thread while a 10,000-item board opened.
 */
export function earliestExpiry(map: Y.Map<unknown>): number | null {
  const raw = map.get('expiresAt') ?? (map.get('kind') === 'meeting' ? map.get('end') : null)
  return typeof raw === 'number' && Number.isFinite(raw) ? raw : null
}
