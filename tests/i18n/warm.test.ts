import { afterEach, describe, expect, it } from 'vitest'
import { formatNumber, formatRange, formatRelative, warmFormatters } from '../../src/i18n/index.ts'
import { formatParts } from '../../src/i18n/translate.ts'

/**
 * The app makes the language's formatters before its first render
 * (src/main.ts): Intl loads a language's data when its first formatter is
 * made, and that cost belongs in a task of its own, not in the render's.
 */
describe('warmFormatters', () => {
  const made = { relative: 0, dates: 0, numbers: 0, plurals: 0 }
  const real = { RelativeTimeFormat: Intl.RelativeTimeFormat, DateTimeFormat: Intl.DateTimeFormat, NumberFormat: Intl.NumberFormat, PluralRules: Intl.PluralRules }
  const count = () =>
    Object.assign(Intl, {
      RelativeTimeFormat: class extends real.RelativeTimeFormat {
        constructor(...args: ConstructorParameters<typeof Intl.RelativeTimeFormat>) {
          super(...args)
          made.relative++
        }
      },
      DateTimeFormat: class extends real.DateTimeFormat {
        constructor(...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
          super(...args)
          made.dates++
        }
      },
      NumberFormat: class extends real.NumberFormat {
        constructor(...args: ConstructorParameters<typeof Intl.NumberFormat>) {
          super(...args)
          made.numbers++
        }
      },
      PluralRules: class extends real.PluralRules {
        constructor(...args: ConstructorParameters<typeof Intl.PluralRules>) {
          super(...args)
          made.plurals++
        }
      },
    })
  afterEach(() => Object.assign(Intl, real))

  it('makes every formatter a card needs, so the first render makes none', () => {
    count()
    // A language no other test in this file formats in (each formatter is kept per language).
    warmFormatters('pt')
    expect(made).toEqual({ relative: 1, dates: 1, numbers: 1, plurals: 1 })

    // What a card shows: when it was posted, an event's range, a count; the filter bar's counts, in words.
    const now = Date.UTC(2027, 2, 12, 18)
    formatRelative('pt', now - 3 * 3600e3, now)
    formatRelative('pt', now + 2 * 24 * 3600e3, now)
    formatRange('pt', now, now + 2 * 3600e3)
    formatRange('pt', now, null)
    formatNumber('pt', 42)
    formatParts('pt', { one: '{count} post', other: '{count} posts' }, { count: 3 })
    expect(made).toEqual({ relative: 1, dates: 1, numbers: 1, plurals: 1 })
  })
})
