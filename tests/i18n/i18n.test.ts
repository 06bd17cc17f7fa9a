import { beforeAll, describe, expect, it } from 'vitest'
import { ar } from '../../src/i18n/ar.ts'
import { en } from '../../src/i18n/en.ts'
import { es } from '../../src/i18n/es.ts'
import { fa } from '../../src/i18n/fa.ts'
import { fr } from '../../src/i18n/fr.ts'
import { id } from '../../src/i18n/id.ts'
import { LOCALES, dirOf, formatDate, formatDateTimeFull, fromLocalInput, loadLocale, parts, pickLocale, t, toLocalInput, type Locale, type Messages } from '../../src/i18n/index.ts'
import { pt } from '../../src/i18n/pt.ts'
import { ASCII_DIGIT_LOCALES, formatCount } from '../../src/i18n/translate.ts'
import { ru } from '../../src/i18n/ru.ts'
import { tr } from '../../src/i18n/tr.ts'

const catalogs: Record<Locale, Messages> = { en, ar, fa, tr, ru, fr, es, pt, id }

// Every language at hand, as a person who chose it has it (load.test.ts: how one loads).
beforeAll(() => Promise.all(LOCALES.map(loadLocale)))

describe('translations', () => {
  it('chooses Arabic plural forms by CLDR rules', () => {
    expect(t('ar', 'sync.synced', { count: 1 })).toBe('محدّث مع جهاز عضو واحد')
    expect(t('ar', 'sync.synced', { count: 2 })).toBe('محدّث مع جهازَي عضوين')
    expect(t('ar', 'board.showing', { count: 3 })).toContain('عناصر')
    expect(t('ar', 'board.showing', { count: 11 })).toContain('عنصرًا')
    expect(t('en', 'board.showing', { count: 1 })).toBe('1 item')
    expect(t('en', 'board.showing', { count: 10000 })).toBe('10,000 items')
    expect(t('en', 'error.too_long', { limit: 200 })).toBe('Too long: at most 200 characters.')
  })

  it('picks the saved language, else the first browser language Hearth speaks, else English', () => {
    expect(pickLocale('ar', ['en-US'])).toBe('ar')
    expect(pickLocale('fa', ['ru-RU'])).toBe('fa')
    expect(pickLocale(null, ['de-DE', 'fr-FR', 'ar-EG'])).toBe('fr')
    expect(pickLocale('xx', ['de'])).toBe('en')
    expect(pickLocale(null, [])).toBe('en')
    // Regions and scripts do not matter: the language does.
    expect(pickLocale(null, ['pt-BR'])).toBe('pt')
    expect(pickLocale(null, ['pt-PT'])).toBe('pt')
    expect(pickLocale(null, ['fa-IR'])).toBe('fa')
    expect(pickLocale(null, ['fa-AF'])).toBe('fa')
    expect(pickLocale(null, ['es-419'])).toBe('es')
    expect(pickLocale(null, ['tr-TR'])).toBe('tr')
    expect(pickLocale(null, ['ru-UA'])).toBe('ru')
    expect(pickLocale(null, ['id-ID'])).toBe('id')
    expect(pickLocale(null, ['TR'])).toBe('tr')
    // Older Android WebViews report Indonesian under its old code, sometimes with an underscore.
    expect(pickLocale(null, ['in-ID'])).toBe('id')
    expect(pickLocale(null, ['in'])).toBe('id')
    expect(pickLocale(null, ['id_ID'])).toBe('id')
    // A saved choice that is no longer offered falls back to the browser's.
    expect(pickLocale('in', ['ru'])).toBe('ru')
  })

  it('writes Arabic and Persian right to left, every other language left to right', () => {
    expect(dirOf('ar')).toBe('rtl')
    expect(dirOf('fa')).toBe('rtl')
    expect(dirOf('fa-IR')).toBe('rtl')
    expect(dirOf('FA')).toBe('rtl')
    for (const locale of ['en', 'tr', 'ru', 'fr', 'es', 'pt', 'id', 'pt-BR']) expect(dirOf(locale), locale).toBe('ltr')
    expect(LOCALES.filter((l) => dirOf(l) === 'rtl')).toEqual(['ar', 'fa'])
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
    for (const name of LOCALES) {
      for (const [key, message] of Object.entries(catalogs[name])) {
        const text = JSON.stringify(message)
        // Arabic-Indic and Persian digits would disagree with what Intl writes elsewhere.
        expect(text, `${name} ${key}`).not.toMatch(/[\u0660-\u0669\u06F0-\u06F9]/)
        // Western digits only in technical examples shared with English (like stun:host:3478).
        for (const digits of text.match(/\d+/g) ?? []) expect(JSON.stringify(en[key as keyof typeof en]), `${name} ${key}: ${digits}`).toContain(digits)
      }
    }
    // Arabic is written with Western digits on purpose (dates.ts): Intl's default for 'ar'.
    expect(new Intl.NumberFormat('ar').resolvedOptions().numberingSystem).toBe('latn')
    const limit = new Intl.NumberFormat('ar').format(1024)
    expect(t('ar', 'passphrase.error.too_long', { limit: 1024 })).toContain(limit)
    expect(t('en', 'passphrase.error.too_long', { limit: 1024 })).toBe('That is too long: use at most 1,024 characters.')
    expect(t('ru', 'passphrase.error.too_long', { limit: 1024 })).toBe(`Слишком длинно: максимум ${new Intl.NumberFormat('ru').format(1024)} символа.`)
  })

  it('writes a count without Intl only where Intl writes the same digits, and leaves Arabic and Persian to Intl', () => {
    for (const name of LOCALES) {
      const intl = new Intl.NumberFormat(name)
      const fast = ASCII_DIGIT_LOCALES.has(name)
      for (let n = 0; n < 1000; n++) expect(formatCount(name, n), `${name} ${n}`).toBe(intl.format(n))
      // Past the fast path: grouping (1,000 / 1 000 / 1.000) and fractions, from Intl.
      for (const n of [1000, 12345, 1.5, -3]) expect(formatCount(name, n), `${name} ${n}`).toBe(intl.format(n))
      expect(fast, name).toBe(!['ar', 'fa'].includes(name))
    }
    // Persian digits come from Intl: the fast path would have written "12".
    expect(formatCount('fa', 12)).toBe('۱۲')
  })

  it('shows Dariush, who reads Persian, Persian digits and the Solar Hijri calendar, as his phone does', () => {
    // The choice rests on Intl's own defaults for 'fa' (see dates.ts); if a browser ever changes them, this says so.
    expect(new Intl.NumberFormat('fa').resolvedOptions().numberingSystem).toBe('arabext')
    expect(new Intl.DateTimeFormat('fa').resolvedOptions().calendar).toBe('persian')
    expect(t('fa', 'board.members', { count: 12 })).toBe('۱۲ عضو')
    expect(t('fa', 'form.counter', { count: 180, limit: 200 })).toBe('۱۸۰ / ۲۰۰')
    // 12 March 2027 is 21 Esfand 1405.
    const nowruzEve = new Date(2027, 2, 12, 18, 30).getTime()
    expect(formatDate('fa', nowruzEve)).toContain('اسفند ۱۴۰۵')
    expect(formatDateTimeFull('fa', nowruzEve)).toMatch(/۲۱.*اسفند|اسفند.*۲۱/)
    expect(formatDateTimeFull('fa', nowruzEve)).not.toMatch(/[0-9]/)
  })

  it("keeps the date field's value Gregorian and Western whatever the language, so Dariush's meeting lands at the moment he picked", () => {
    // <input type=datetime-local> speaks ISO 8601 only; no Intl output ever goes into it or is parsed back.
    const ms = new Date(2027, 2, 12, 18, 30).getTime()
    const value = toLocalInput(ms)
    expect(value).toBe('2027-03-12T18:30')
    expect(fromLocalInput(value)).toBe(ms)
    // What the field shows under it, in Persian, is the same moment in his calendar.
    expect(formatDateTimeFull('fa', fromLocalInput(value)!)).toBe(new Intl.DateTimeFormat('fa', { dateStyle: 'full', timeStyle: 'short' }).format(ms))
  })

  it('keeps addresses whole in right-to-left text: "wss://" is isolated left to right, never shown as "//:wss"', () => {
    for (const [name, catalog] of [['ar', ar], ['fa', fa]] as const) {
      for (const [key, message] of Object.entries(catalog)) {
        // Trailing "://" sits between a Latin letter and right-to-left text, so without an isolate (U+2066 … U+2069) it is drawn on the wrong side.
        for (const m of JSON.stringify(message).matchAll(/wss?:\/\/…?/g)) {
          const text = JSON.stringify(message)
          expect(text[m.index - 1], `${name} ${key}`).toBe('\u2066')
          expect(text[m.index + m[0].length], `${name} ${key}`).toBe('\u2069')
        }
      }
    }
  })

  it('writes Persian with Persian letters, not their Arabic look-alikes', () => {
    // ي (U+064A) and ك (U+0643) look alike but are other letters: search and sorting would miss them.
    for (const [key, message] of Object.entries(fa)) expect(JSON.stringify(message), key).not.toMatch(/[\u064A\u0643]/)
  })

  it('keeps French punctuation on its line: a no-break space before : ; ! ? and inside « »', () => {
    for (const [key, message] of Object.entries(fr)) {
      const text = JSON.stringify(message)
      // An ordinary space there lets the mark wrap alone onto the next line; no space at all is not French.
      expect(text, key).not.toMatch(/ [:;!?»]|« /)
      expect(text, key).not.toMatch(/[^\s\u00a0\u202f:/][;!?»](?!\w)|[^\s\u00a0\u202f][:](?=\s|$)/)
    }
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
