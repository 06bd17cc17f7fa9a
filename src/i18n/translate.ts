/**
 * Message lookup with named parameters and CLDR plural rules (Arabic has six
 * plural forms, so "N peers" cannot be built from singular/plural alone).
 */
export type Plural = { readonly other: string } & Partial<Record<Intl.LDMLPluralRule, string>>
export type Message = string | Plural
export type Params = Readonly<Record<string, string | number>>

/** One piece of a formatted message: the message's own text, or a parameter's value. */
export interface Part {
  readonly text: string
  /** Set for text parameters (names, titles, dates): they are shown bidi-isolated. */
  readonly isolate: boolean
}

/** U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE. */
const FSI = '\u2068'
const PDI = '\u2069'

const pluralRules = new Map<string, Intl.PluralRules>()
const numberFormats = new Map<string, Intl.NumberFormat>()

/** The language's plural rules, made once (their first use loads the language's plural data). */
export function pluralRulesFor(locale: string): Intl.PluralRules {
  let rules = pluralRules.get(locale)
  if (!rules) {
    rules = new Intl.PluralRules(locale)
    pluralRules.set(locale, rules)
  }
  return rules
}

function pluralFor(locale: string, count: number, message: Plural): string {
  return message[pluralRulesFor(locale).select(count)] ?? message.other
}

/**
 * Hearth's languages whose numbers CLDR writes in ASCII digits by default
 * (numbering system `latn`; Arabic and Persian have digits of their own). In
 * these, a whole count from 0 to 999 is its digits, with no grouping: it is
 * written without making an `Intl.NumberFormat`, whose first use loads the
 * language's number data (about 170 ms of a cheap phone's CPU in a first
 * visit's first screen, for "at least 12 characters"). `tests/i18n/i18n.test.ts`
 * checks every such count against `Intl.NumberFormat` in each language.
 */
export const ASCII_DIGIT_LOCALES: ReadonlySet<string> = new Set(['en', 'es', 'fr', 'id', 'pt', 'ru', 'tr'])

export function formatCount(locale: string, n: number): string {
  if (Number.isInteger(n) && n >= 0 && n < 1000 && ASCII_DIGIT_LOCALES.has(locale)) return String(n)
  let f = numberFormats.get(locale)
  if (!f) {
    f = new Intl.NumberFormat(locale)
    numberFormats.set(locale, f)
  }
  return f.format(n)
}

/**
 * The message split into its own text and its parameters. Numbers go
 * through Intl, so every digit in a locale comes from one numbering system.
 */
export function formatParts(locale: string, message: Message, params: Params = {}): Part[] {
  // Plural messages choose their form by `count`, or by `limit` for limit errors.
  const n = typeof params.count === 'number' ? params.count : typeof params.limit === 'number' ? params.limit : 0
  const text = typeof message === 'string' ? message : pluralFor(locale, n, message)
  const parts: Part[] = []
  let at = 0
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    const value = params[match[1]!]
    if (value === undefined) continue
    if (match.index > at) parts.push({ text: text.slice(at, match.index), isolate: false })
    parts.push(typeof value === 'number' ? { text: formatCount(locale, value), isolate: false } : { text: value, isolate: true })
    at = match.index + match[0].length
  }
  if (at < text.length) parts.push({ text: text.slice(at), isolate: false })
  return parts
}

/**
 * The message as one string. Text parameters are wrapped in Unicode isolates
 * (FSI … PDI): a member's name or a post's title written right to left, or
 * holding a U+202E RIGHT-TO-LEFT OVERRIDE, cannot reorder the app's own words
 * around it. Components that render a message with text parameters use
 * <Msg>, which isolates them with <bdi> instead.
 */
export function format(locale: string, message: Message, params: Params = {}): string {
  return formatParts(locale, message, params)
    .map((p) => (p.isolate ? FSI + p.text + PDI : p.text))
    .join('')
}
