/**
 * Every size limit the board enforces, in one place so the UI can show the same
 * numbers (e.g. as `maxlength` attributes) that validation and peers enforce.
 *
 * Lengths count UTF-16 code units, exactly like the HTML `maxlength` attribute,
 * so a field the browser accepts is a field validation accepts.
 */
export const LIMITS = {
  title: 200,
  body: 5000,
  author: 60,
  place: 300,
  access: 500,
  contact: 500,
  notes: 2000,
  /** Most tags one item may carry. */
  tags: 10,
  /** Longest single tag. */
  tag: 32,
  boardName: 80,
  boardDescription: 500,
} as const

/**
 * The latest time (ms since epoch) a date field may hold: the last millisecond of
 * year 9999. Beyond it iCalendar's four-digit years break, and nothing real
 * happens there; rejecting it keeps a hostile peer from planting absurd dates.
 */
export const MAX_TIME = 253_402_300_799_999
