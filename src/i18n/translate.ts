/**
 * Message lookup with named parameters and CLDR plural rules (Arabic has six
 * plural forms, so "N peers" cannot be built from singular/plural alone).
 */
export type Plural = { readonly other: string } & Partial<Record<Intl.LDMLPluralRule, string>>
export type Message = string | Plural
export type Params = Readonly<Record<string, string | number>>

const pluralRules = new Map<string, Intl.PluralRules>()

function pluralFor(locale: string, count: number, message: Plural): string {
  let rules = pluralRules.get(locale)
  if (!rules) {
    rules = new Intl.PluralRules(locale)
    pluralRules.set(locale, rules)
  }
  return message[rules.select(count)] ?? message.other
}

export function format(locale: string, message: Message, params: Params = {}): string {
  // Plural messages choose their form by `count`, or by `limit` for limit errors.
  const n = typeof params.count === 'number' ? params.count : typeof params.limit === 'number' ? params.limit : 0
  const text = typeof message === 'string' ? message : pluralFor(locale, n, message)
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name]
    if (value === undefined) return whole
    return typeof value === 'number' ? new Intl.NumberFormat(locale).format(value) : value
  })
}
