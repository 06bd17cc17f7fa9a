/**
 * Every language Hearth offers says everything English says: the same keys
 * in the same order, the plural forms its CLDR rules need, and the same
 * {parameters}. A member who reads Persian or Russian must never meet an
 * English sentence, a "{count}" left in the text, or a number in the wrong
 * grammatical form.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ar } from '../../src/i18n/ar.ts'
import { en } from '../../src/i18n/en.ts'
import { es } from '../../src/i18n/es.ts'
import { fa } from '../../src/i18n/fa.ts'
import { fr } from '../../src/i18n/fr.ts'
import { id } from '../../src/i18n/id.ts'
import { LOCALES, LOCALE_NAMES, loadLocale, t, type Locale } from '../../src/i18n/index.ts'
import { pt } from '../../src/i18n/pt.ts'
import { ru } from '../../src/i18n/ru.ts'
import { tr } from '../../src/i18n/tr.ts'
import type { Plural } from '../../src/i18n/translate.ts'
import { catalogProblems } from './catalog-problems.ts'

/** Each file's catalog, read as plain data (the type system alone would not see a key that English lacks). */
const catalogs: Record<Locale, Parameters<typeof catalogProblems>[1]> = { en, ar, fa, tr, ru, fr, es, pt, id }
const catalogOf = (locale: Locale) => catalogs[locale]

// Every language at hand, as a person who chose it has it (load.test.ts: how one loads).
beforeAll(() => Promise.all(LOCALES.map(loadLocale)))

describe('every language is complete', () => {
  it('offers nine languages, each named in itself', () => {
    expect([...LOCALES].sort()).toEqual(['ar', 'en', 'es', 'fa', 'fr', 'id', 'pt', 'ru', 'tr'])
    expect(LOCALE_NAMES).toMatchObject({ fa: 'فارسی', fr: 'Français', ru: 'Русский', tr: 'Türkçe' })
    expect(new Set(Object.values(LOCALE_NAMES)).size).toBe(LOCALES.length)
  })

  for (const locale of LOCALES) {
    it(`${locale}: every English key, in English's order, with its CLDR plural forms and the same {parameters}`, () => {
      expect(catalogProblems(locale, catalogOf(locale), en)).toEqual([])
    })
  }
})

describe('the completeness check can fail', () => {
  // Eve hands in a French catalog that looks finished; each flaw must be named.
  const broken = (change: (c: Record<string, unknown>) => void) => {
    const copy: Record<string, unknown> = { ...fr }
    change(copy)
    return catalogProblems('fr', copy as Parameters<typeof catalogProblems>[1], en)
  }

  it('names a missing key and a key English lacks', () => {
    expect(broken((c) => delete c['lock.wrong'])).toEqual(['lock.wrong: missing'])
    expect(broken((c) => (c['lock.wrongg'] = 'Mauvaise phrase'))).toEqual(['lock.wrongg: not an English key'])
  })

  it('names a key out of order', () => {
    const { 'common.add': add, ...rest } = fr
    expect(catalogProblems('fr', { ...rest, 'common.add': add }, en)).toEqual(["common.cancel: out of English's order (expected common.add here)"])
  })

  it('names a plural form the language needs, and one it never uses', () => {
    const { many: _, ...noMany } = fr['board.members'] as Plural
    expect(broken((c) => (c['board.members'] = noMany))).toEqual(['board.members: lacks the plural form many (fr uses many, one, other)'])
    expect(broken((c) => (c['board.members'] = { ...(fr['board.members'] as Plural), two: '{count} membres' }))).toEqual(['board.members: has plural form two that fr never uses'])
    expect(catalogProblems('ru', { ...catalogOf('ru'), 'board.members': { one: '{count} участник', other: '{count} участника' } }, en)).toEqual(['board.members: lacks the plural forms few, many (ru uses few, many, one, other)'])
  })

  it('names a renamed, an invented and a dropped parameter', () => {
    expect(broken((c) => (c['item.byline'] = 'Publié par {auteur} {when}'))).toEqual([
      'item.byline: {auteur} is not a parameter of English\'s message (author, when)',
      'item.byline: lacks {author}',
    ])
    expect(broken((c) => (c['boards.opened'] = 'ouvert {when} par {name}'))).toEqual(["boards.opened: {name} is not a parameter of English's message (when)"])
  })

  it('names a form that stands for several numbers but hides the number', () => {
    // French "one" is 0 and 1: "Connexion à un appareil" would be wrong for 0.
    const connecting = { ...(fr['sync.connecting'] as Plural), one: 'Connexion à un appareil de membre…' }
    expect(broken((c) => (c['sync.connecting'] = connecting))).toEqual(['sync.connecting (one): lacks {count} (this form stands for several numbers)'])
  })

  it('names a lost product name and a fingerprint moved before the sentence', () => {
    expect(broken((c) => (c['firstRun.title'] = 'Protégez le Foyer par une phrase secrète'))).toEqual(['firstRun.title: the product name Hearth is missing or translated'])
    expect(broken((c) => (c['waiting.compare'] = '{fingerprint} : montrez cette empreinte'))).toEqual([
      'waiting.compare: must end with {fingerprint} (the UI shows the fingerprint after the sentence)',
    ])
  })
})

describe('numbers take the right form', () => {
  it('Russian counts one, few and many; Persian, French and Portuguese count 0 as one', () => {
    const nf = (locale: string, n: number) => new Intl.NumberFormat(locale).format(n)
    expect(t('ru', 'board.members', { count: 1 })).toBe('1 участник')
    expect(t('ru', 'board.members', { count: 3 })).toBe('3 участника')
    expect(t('ru', 'board.members', { count: 11 })).toBe('11 участников')
    expect(t('ru', 'board.members', { count: 21 })).toBe('21 участник')
    expect(t('fr', 'board.members', { count: 0 })).toBe('0 membre')
    expect(t('fr', 'board.members', { count: 2 })).toBe('2 membres')
    expect(t('pt', 'board.members', { count: 0 })).toBe('0 membro')
    expect(t('fa', 'board.members', { count: 12 })).toBe(`${nf('fa', 12)} عضو`)
    expect(t('tr', 'board.members', { count: 12 })).toBe('12 üye')
    expect(t('id', 'board.members', { count: 1 })).toBe('1 anggota')
    expect(t('es', 'board.members', { count: 10000 })).toBe(`${nf('es', 10000)} miembros`)
  })
})
