import { compareIds } from './compareIds.ts'
import { foldText } from './foldText.ts'
import { isExpired } from './isExpired.ts'
import { normalizeTag } from './normalizeTag.ts'
import type { EventItem, Item, ItemQuery, MeetingItem } from './types.ts'

/**
 * The items a board view shows: filtered by the query, never expired, sorted
 * the same way on every peer.
 *
 * - `text`: every whitespace-separated word must occur (case- and
 *   diacritic-insensitive, see `foldText`) in the title, body, author, place,
 *   access, contact, notes or tags.
 * - `tag`: normalised like a written tag, so `#Housing` finds `housing`.
 * - `category` / `status` / `aidType`: only mutual-aid items can match.
 * - `when`: only events and meetings; upcoming = end (or start when there is
 *   no end) not yet passed, past = the rest.
 *
 * Order: pinned first; then upcoming by start (soonest first), past by start
 * (latest first), anything else newest first; ties by id.
 */
export function queryItems(items: readonly Item[], query: ItemQuery, now: number): Item[] {
  const matches = itemMatcher(query, now)
  const compare = itemComparator(query)
  return items.filter(matches).sort(compare)
}

/** Whether one item belongs in the view of `query` at `now` (see queryItems). */
export function itemMatcher(query: ItemQuery, now: number): (item: Item) => boolean {
  const words = query.text === undefined ? [] : foldText(query.text).split(/\s+/u).filter((w) => w !== '')
  const tag = query.tag === undefined ? undefined : normalizeTag(query.tag)
  // Read once: the app's query is reactive state, and each read of it costs (10,000 items, six fields each).
  const { kind, category, status, aidType, when } = query
  return (item: Item): boolean => {
    if (isExpired(item, now)) return false
    if (kind !== undefined && item.kind !== kind) return false
    if (tag !== undefined && tag !== '' && !item.tags.includes(tag)) return false
    if (category !== undefined && (item.kind !== 'aid' || item.category !== category)) return false
    if (status !== undefined && (item.kind !== 'aid' || item.status !== status)) return false
    if (aidType !== undefined && (item.kind !== 'aid' || item.aidType !== aidType)) return false
    if (when !== undefined) {
      if (item.kind !== 'event' && item.kind !== 'meeting') return false
      if ((when === 'upcoming') !== isUpcoming(item, now)) return false
    }
    if (words.length > 0) {
      const haystack = foldText(searchableText(item))
      if (!words.every((word) => haystack.includes(word))) return false
    }
    return true
  }
}

/** The order of the view of `query` (see queryItems): a total order, the same on every peer. */
export function itemComparator(query: ItemQuery): (a: Item, b: Item) => number {
  const when = query.when
  return (a, b) => compareForQuery(a, b, when)
}

function isUpcoming(item: EventItem | MeetingItem, now: number): boolean {
  return (item.end ?? item.start) >= now
}

/** Every text a person may search for, one field per line so words never join across fields. */
function searchableText(item: Item): string {
  const parts = [item.title, item.body, item.author, item.tags.join('\n')]
  if (item.kind === 'event') parts.push(item.place)
  if (item.kind === 'meeting') parts.push(item.place, item.access)
  if (item.kind === 'resource') parts.push(item.contact, item.notes)
  return parts.join('\n')
}

function compareForQuery(a: Item, b: Item, when: ItemQuery['when']): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1
  const byTime =
    when !== undefined && 'start' in a && 'start' in b
      ? when === 'upcoming'
        ? a.start - b.start
        : b.start - a.start
      : b.createdAt - a.createdAt
  return byTime || compareIds(a.id, b.id)
}
