/**
 * Dates and times for people, always through Intl in the person's language.
 *
 * Each language gets Intl's own defaults for it, on purpose. For Persian
 * ('fa') they are Persian digits (۱۴۰۵) and the Solar Hijri calendar: what an
 * Iranian phone set to Persian shows, and the calendar Afghans use too, so a
 * meeting on "21 Esfand" needs no conversion in anyone's head. For Arabic
 * they are Western digits (as most Arabic apps and phones show them today).
 * The date inputs are not affected: `toLocalInput`/`fromLocalInput` speak the
 * ISO 8601 values of `<input type="datetime-local">` (Gregorian, Western
 * digits) through `Date` alone, never through Intl; the field writes the
 * chosen moment under it with `formatDateTimeFull`, in the person's calendar.
 * tests/i18n pins these defaults, so a browser that changes them is noticed.
 */
import { pluralRulesFor } from './translate.ts'

const cache = new Map<string, Intl.DateTimeFormat>()

function dtf(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(options)
  let f = cache.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options)
    cache.set(key, f)
  }
  return f
}

export const formatDateTime = (locale: string, ms: number): string =>
  dtf(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(ms)

/** With the weekday and the month's name: "Saturday, 12 March 2027 at 18:00" — no day/month order to guess. */
export const formatDateTimeFull = (locale: string, ms: number): string =>
  dtf(locale, { dateStyle: 'full', timeStyle: 'short' }).format(ms)

export const formatDate = (locale: string, ms: number): string => dtf(locale, { dateStyle: 'medium' }).format(ms)

export const formatTime = (locale: string, ms: number): string => dtf(locale, { timeStyle: 'short' }).format(ms)

/** A time range, e.g. "12 Mar 2027, 18:00 – 20:00". */
export function formatRange(locale: string, start: number, end: number | null): string {
  if (end === null || end === start) return formatDateTime(locale, start)
  return dtf(locale, { dateStyle: 'medium', timeStyle: 'short' }).formatRange(start, end)
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600e3],
  ['month', 30 * 24 * 3600e3],
  ['week', 7 * 24 * 3600e3],
  ['day', 24 * 3600e3],
  ['hour', 3600e3],
  ['minute', 60e3],
]

const relative = new Map<string, Intl.RelativeTimeFormat>()

/** "3 minutes ago", "in 2 days"; "now" under a minute. */
export function formatRelative(locale: string, ms: number, now: number): string {
  const diff = ms - now
  // One formatter per language: making one is far dearer than using it, and every card shows a time.
  let rtf = relative.get(locale)
  if (!rtf) relative.set(locale, (rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })))
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size) return rtf.format(Math.trunc(diff / size), unit)
  }
  return rtf.format(0, 'second')
}

/** Value for <input type="datetime-local"> in the device's time zone. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** Parses a datetime-local value (device time zone); null when empty or invalid. */
export function fromLocalInput(value: string): number | null {
  if (!value) return null
  const ms = new Date(value).getTime()
  return Number.isFinite(ms) ? ms : null
}

const numbers = new Map<string, Intl.NumberFormat>()

/** A count in the person's language ("10,001", "١٠٬٠٠١"). */
export function formatNumber(locale: string, n: number): string {
  let f = numbers.get(locale)
  if (!f) {
    f = new Intl.NumberFormat(locale)
    numbers.set(locale, f)
  }
  return f.format(n)
}

/**
 * Makes the language's formatters the cards use, each used once: Intl loads a
 * language's data on first use (about 25 ms for the relative time on the
 * bench's machine, more on a cheap phone). The app calls this in a task of
 * its own before its first render, so that render does not pay it.
 */
export function warmFormatters(locale: string): void {
  const now = Date.now()
  formatRelative(locale, now - 3600e3, now)
  formatRange(locale, now, now + 3600e3)
  formatNumber(locale, 10_001)
  // Counts in the board's first render ("12 posts", "3 new") choose their plural form (up to 17 ms of a joining peer's first render).
  pluralRulesFor(locale).select(2)
}
