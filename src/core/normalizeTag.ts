/**
 * A tag as people mean it: `#Housing `, `housing` and `HOUSING` are one tag.
 * Trims, strips leading `#`, lower-cases with `toLocaleLowerCase` so scripts
 * with locale rules (Turkish İ/ı) lower-case the way their readers expect.
 *
 * Locale rules differ between devices, so this runs once, on the author's
 * device, when an item is written; readers show stored tags as they are and
 * never re-normalise them, so every peer shows the same tags.
 */
export function normalizeTag(tag: string): string {
  return tag.trim().replace(/^#+/, '').trim().toLocaleLowerCase()
}
