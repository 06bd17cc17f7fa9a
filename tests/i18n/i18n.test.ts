import { describe, expect, it } from 'vitest'
import { ar } from '../../src/i18n/ar.ts'
import { en } from '../../src/i18n/en.ts'
import { dirOf, fromLocalInput, parts, pickLocale, t, toLocalInput } from '../../src/i18n/index.ts'

describe('translations', () => {
  it('Arabic has every English message, with the same placeholders', () => {
    expect(Object.keys(ar).sort()).toEqual(Object.keys(en).sort())
    const placeholders = (m: unknown) => [...new Set(JSON.stringify(m).match(/\{\w+\}/g) ?? [])].sort()
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const arPh = placeholders(ar[key])
      for (const p of arPh) expect(placeholders(en[key]), `${key} uses ${p}`).toContain(p)
    }
  })

  it('chooses Arabic plural forms by CLDR rules', () => {
    expect(t('ar', 'sync.synced', { count: 1 })).toBe('محدّث مع جهاز عضو واحد')
    expect(t('ar', 'sync.synced', { count: 2 })).toBe('محدّث مع جهازَي عضوين')
    expect(t('ar', 'board.showing', { count: 3 })).toContain('عناصر')
    expect(t('ar', 'board.showing', { count: 11 })).toContain('عنصرًا')
    expect(t('en', 'board.showing', { count: 1 })).toBe('1 item')
    expect(t('en', 'board.showing', { count: 10000 })).toBe('10,000 items')
    expect(t('en', 'error.too_long', { limit: 200 })).toBe('Too long: at most 200 characters.')
  })

  it('picks the saved language, else the browser’s, else English; Arabic is right-to-left', () => {
    expect(pickLocale('ar', ['en-US'])).toBe('ar')
    expect(pickLocale(null, ['fr-FR', 'ar-EG'])).toBe('ar')
    expect(pickLocale('xx', ['fr'])).toBe('en')
    expect(dirOf('ar')).toBe('rtl')
    expect(dirOf('en')).toBe('ltr')
  })

  it('round-trips datetime-local values in the device time zone', () => {
    const ms = new Date(2027, 2, 12, 18, 30).getTime()
    expect(toLocalInput(ms)).toBe('2027-03-12T18:30')
    expect(fromLocalInput('2027-03-12T18:30')).toBe(ms)
    expect(fromLocalInput('')).toBeNull()
    expect(fromLocalInput('garbage')).toBeNull()
  })

  it("isolates text parameters, so Eve's U+202E cannot reverse the app's own words", () => {
    const eve = 'Eve\u202E'
    // As a string (attributes, titles): each text parameter between FSI and PDI.
    expect(t('en', 'item.byline', { author: eve, when: 'now' })).toBe('Posted by \u2068Eve\u202E\u2069 \u2068now\u2069')
    // In parts, for <Msg>, which isolates them with <bdi>.
    expect(parts('en', 'item.byline', { author: eve, when: 'now' })).toEqual([
      { text: 'Posted by ', isolate: false },
      { text: eve, isolate: true },
      { text: ' ', isolate: false },
      { text: 'now', isolate: true },
    ])
    // Numbers are formatted, not isolated.
    expect(parts('ar', 'board.showing', { count: 3 })).toEqual([
      { text: new Intl.NumberFormat('ar').format(3), isolate: false },
      { text: ' عناصر', isolate: false },
    ])
  })

  it('writes every number through Intl: no message hard-codes digits of its own', () => {
    for (const [name, catalog] of [['en', en], ['ar', ar]] as const) {
      for (const [key, message] of Object.entries(catalog)) {
        const text = JSON.stringify(message)
        // Arabic-Indic and Persian digits would disagree with what Intl writes elsewhere.
        expect(text, `${name} ${key}`).not.toMatch(/[\u0660-\u0669\u06F0-\u06F9]/)
        // Western digits only in technical examples shared with English (like stun:host:3478).
        for (const digits of text.match(/\d+/g) ?? []) expect(JSON.stringify(en[key as keyof typeof en]), `${name} ${key}: ${digits}`).toContain(digits)
      }
    }
    const limit = new Intl.NumberFormat('ar').format(1024)
    expect(t('ar', 'passphrase.error.too_long', { limit: 1024 })).toContain(limit)
    expect(t('en', 'passphrase.error.too_long', { limit: 1024 })).toBe('That is too long: use at most 1,024 characters.')
  })

  it('Arabic never uses one word for both Wipe and Scan', () => {
    const wipe = Object.entries(ar).filter(([key]) => key.startsWith('wipe.'))
    const scan = Object.entries(ar).filter(([key]) => key.startsWith('scan.') || key === 'join.intro' || key === 'invite.empty')
    for (const [key, message] of wipe) expect(JSON.stringify(message), key).not.toMatch(/مسح|امسح/)
    expect(ar['wipe.now']).toContain('امحُ')
    expect(ar['wipe.title']).toContain('محو')
    expect(ar['scan.start']).toContain('مسح ضوئي')
    for (const [key, message] of scan) {
      const text = JSON.stringify(message)
      if (/مسح|امسح/.test(text)) expect(text, key).toMatch(/ضوئي/)
    }
  })
})
