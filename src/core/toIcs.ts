import type { EventItem, MeetingItem } from './types.ts'

const HOUR = 60 * 60 * 1000
const MAX_OCTETS = 75
const encoder = new TextEncoder()

/**
 * An event or safe meeting as an iCalendar file (RFC 5545): one VCALENDAR with
 * one VEVENT, times in UTC, CRLF line endings, lines folded at 75 octets.
 *
 * A meeting's `access` (door code, code word) is deliberately left out: a .ics
 * file leaves the board — into calendar apps that sync to cloud accounts, share
 * with family, and outlive the meeting's expiry — and the access details must
 * stay where they expire. The place still goes in LOCATION; the UI should say so.
 */
export function toIcs(item: EventItem | MeetingItem, now: number): string {
  const end = item.end ?? item.start + HOUR
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Hearth//EN',
    'CALSCALE:GREGORIAN',
    'BEGIN:VEVENT',
    `UID:${item.id}@hearth`,
    `DTSTAMP:${icsTime(now)}`,
    `DTSTART:${icsTime(item.start)}`,
    `DTEND:${icsTime(end)}`,
    `SUMMARY:${escapeText(item.title)}`,
  ]
  if (item.place !== '') lines.push(`LOCATION:${escapeText(item.place)}`)
  if (item.body !== '') lines.push(`DESCRIPTION:${escapeText(item.body)}`)
  lines.push('END:VEVENT', 'END:VCALENDAR')
  return lines.map(foldLine).join('\r\n') + '\r\n'
}

/** UTC date-time form: `YYYYMMDDTHHMMSSZ`. */
function icsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

/**
 * TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon and comma are
 * escaped, every line break becomes `\n`, and other control characters (which
 * TEXT forbids) are dropped.
 */
function escapeText(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, '\n')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')
    .replace(/(?!\t)\p{Cc}/gu, '')
}

/**
 * Folds a content line so no physical line exceeds 75 octets of UTF-8
 * (§3.1); continuation lines start with one space, which counts. Splits only
 * between code points, so no multibyte character is ever cut in two.
 */
function foldLine(line: string): string {
  const out: string[] = []
  let current = ''
  let octets = 0
  for (const char of line) {
    const size = encoder.encode(char).length
    if (octets + size > MAX_OCTETS) {
      out.push(current)
      current = ' '
      octets = 1
    }
    current += char
    octets += size
  }
  out.push(current)
  return out.join('\r\n')
}
