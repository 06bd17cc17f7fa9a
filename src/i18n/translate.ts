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

function pluralFor(locale: string, count: number, message: Plural): string {
  let rules = pluralRules.get(locale)
  if (!rules) {
    rules = new Intl.PluralRules(locale)
    pluralRules.set(locale, rules)
  }
  return message[rules.select(count)] ?? message.other
}

function formatCount(locale: string, n: number): string {
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
