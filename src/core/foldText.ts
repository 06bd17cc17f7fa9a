/** Combining marks (accents, Arabic harakat and tashkeel, Hebrew points…) and the Arabic tatweel. */
const MARKS = /[\p{M}\u0640]/gu

/**
 * Folds text for searching: lower-cased, compatibility-decomposed (NFKD, so
 * "ﬁ" is "fi" and "é" is "e" + accent), marks stripped. "Café" finds "cafe",
 * and "مَدْرَسَة" finds "مدرسة": Arabic is usually written without harakat but
 * not always, and a search must not depend on it. Lower-casing comes first
 * because lower-casing "İ" adds a mark of its own; `toLowerCase` (not the
 * locale variant) keeps results the same on every device.
 */
export function foldText(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(MARKS, '')
}
