import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { createItem, toIcs, type EventItem, type MeetingItem } from '../../src/core/index.ts'
import { NOW, eventDraft, meetingDraft, unwrap } from './fixtures.ts'

const encoder = new TextEncoder()

function event(overrides: Record<string, unknown> = {}): EventItem {
  return unwrap(createItem(new Y.Doc(), eventDraft(overrides), NOW, 'ev1')) as EventItem
}

/** The unfolded content lines (RFC 5545 §3.1: CRLF followed by one space continues a line). */
function unfold(ics: string): string[] {
  return ics.replace(/\r\n /g, '').split('\r\n').slice(0, -1)
}

describe('toIcs: Bob adds the picnic to his calendar', () => {
  it('writes one VEVENT in a VCALENDAR, in UTC, with CRLF line endings', () => {
    const start = Date.UTC(2025, 5, 2, 14, 30, 0)
    const ics = toIcs(event({ start, end: start + 90 * 60_000, body: '', place: 'Rose Park' }), NOW)
    expect(ics).toBe(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Hearth//EN',
        'CALSCALE:GREGORIAN',
        'BEGIN:VEVENT',
        'UID:ev1@hearth',
        'DTSTAMP:20250601T120000Z',
        'DTSTART:20250602T143000Z',
        'DTEND:20250602T160000Z',
        'SUMMARY:Picnic',
        'LOCATION:Rose Park',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    )
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/)
  })

  it('lasts an hour when there is no end, and leaves out an empty place', () => {
    const start = Date.UTC(2025, 11, 31, 23, 30, 0)
    const lines = unfold(toIcs(event({ start, end: null, place: '' }), NOW))
    expect(lines).toContain('DTSTART:20251231T233000Z')
    expect(lines).toContain('DTEND:20260101T003000Z')
    expect(lines.some((line) => line.startsWith('LOCATION'))).toBe(false)
  })

  it('escapes backslashes, semicolons, commas and line breaks', () => {
    const lines = unfold(toIcs(event({ title: 'Tea; cake, and C:\\talk', body: 'Line one\nLine two\r\nLine three\rend\u0007' }), NOW))
    expect(lines).toContain('SUMMARY:Tea\\; cake\\, and C:\\\\talk')
    expect(lines).toContain('DESCRIPTION:Line one\\nLine two\\nLine three\\nend')
  })

  it('folds long Arabic lines at 75 octets without splitting a character', () => {
    const body = 'لقاء الدعم الأسبوعي في المكان المعتاد، الرجاء الحضور قبل الموعد بعشر دقائق. 🏳️‍🌈 '.repeat(6)
    const item = event({ title: 'نزهة', body })
    const ics = toIcs(item, NOW)
    const physical = ics.split('\r\n').slice(0, -1)
    expect(physical.length).toBeGreaterThan(20)
    for (const line of physical) {
      expect(encoder.encode(line).length).toBeLessThanOrEqual(75)
      expect(line).not.toContain('\uFFFD')
      expect(line).not.toMatch(/[\uD800-\uDBFF]$/)
    }
    const folded = physical.filter((line) => line.startsWith(' '))
    expect(folded.length).toBeGreaterThan(5)
    const description = unfold(ics).find((line) => line.startsWith('DESCRIPTION:'))
    expect(description).toBe(`DESCRIPTION:${item.body}`)
  })

  it('fills lines up to exactly 75 octets before folding ASCII', () => {
    const ics = toIcs(event({ body: 'a'.repeat(200) }), NOW)
    const lines = ics.split('\r\n')
    const start = lines.findIndex((line) => line.startsWith('DESCRIPTION:'))
    expect(lines[start]).toHaveLength(75)
    expect(lines[start + 1]).toBe(` ${'a'.repeat(74)}`)
  })
})

describe('toIcs for a safe meeting', () => {
  it('never includes the access code', () => {
    const meeting = unwrap(createItem(new Y.Doc(), meetingDraft({ access: 'Door code 4471' }), NOW, 'm1')) as MeetingItem
    const ics = toIcs(meeting, NOW)
    expect(ics).not.toContain('4471')
    expect(unfold(ics)).toContain('SUMMARY:Support circle')
    expect(unfold(ics)).toContain('LOCATION:Back room\\, 12 Cedar St')
    expect(unfold(ics)).toContain('DESCRIPTION:Newcomers welcome.')
  })
})
