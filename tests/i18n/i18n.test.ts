import { describe, expect, it } from 'vitest'
import { ar } from '../../src/i18n/ar.ts'
import { en } from '../../src/i18n/en.ts'
import { dirOf, fromLocalInput, pickLocale, t, toLocalInput } from '../../src/i18n/index.ts'

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
})
