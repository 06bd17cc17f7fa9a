/**
 * Each language but English is a chunk of its own, fetched when first
 * chosen (a first visit over a slow link fetches one language, not nine).
 * Until it is here, a message is English as English says it.
 */
import { describe, expect, it } from 'vitest'
import { isLoaded, loadLocale, parts, t } from '../../src/i18n/index.ts'
import { tr } from '../../src/i18n/tr.ts'

describe('a language loads when first chosen', () => {
  it('is English, in English throughout, until loaded; then the language', async () => {
    expect(isLoaded('en')).toBe(true)
    expect(isLoaded('ru')).toBe(false)
    // Not English words under Russian plural rules: "2 members", as English says it.
    expect(t('ru', 'board.members', { count: 2 })).toBe('2 members')
    expect(parts('ru', 'board.members', { count: 2 })).toEqual(parts('en', 'board.members', { count: 2 }))
    await loadLocale('ru')
    expect(isLoaded('ru')).toBe(true)
    expect(t('ru', 'board.members', { count: 2 })).toBe('2 участника')
    expect(t('ru', 'board.members', { count: 5 })).toBe('5 участников')
  })

  it('is fetched once however many ask at the same time', async () => {
    const [a, b] = [loadLocale('tr'), loadLocale('tr')]
    expect(a).toBe(b)
    await a
    expect(t('tr', 'common.cancel')).toBe(tr['common.cancel'])
    // Once here, at once.
    await expect(loadLocale('tr')).resolves.toBeUndefined()
  })
})
