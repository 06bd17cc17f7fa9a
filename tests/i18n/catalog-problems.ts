/**
 * What is wrong with a language's messages, compared with English (the
 * source of truth for keys and parameters), as readable lines. Empty when
 * the catalog is complete.
 */
import type { en as English } from '../../src/i18n/en.ts'
import type { Message } from '../../src/i18n/translate.ts'

type Catalog = Readonly<Record<string, Message>>

/** Whole numbers up to 1,000 (every rule works on the last two or three digits), millions (French "many"), and fractions (Russian "other"). */
const SAMPLES = [...Array.from({ length: 1001 }, (_, i) => i), 1_000_000, 2_000_000, 0.5, 1.5, 2.5]
/** The parameter that chooses a plural form (translate.ts): `count`, else `limit`. */
const DRIVERS = ['count', 'limit']
/** Messages the UI shows with the fingerprint appended after them, so it must come last. */
const FINGERPRINT_LAST = ['requests.compare', 'waiting.compare']

const paramsOf = (text: string): Set<string> => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))
const formsOf = (message: Message): [string, string][] => (typeof message === 'string' ? [['', message]] : Object.entries(message))
const union = (message: Message): Set<string> => new Set(formsOf(message).flatMap(([, text]) => [...paramsOf(text)]))
const list = (set: Iterable<string>) => [...set].sort().join(', ') || 'none'

/** How many of the sample numbers each plural category of a language stands for. */
function categorySizes(locale: string): Map<string, number> {
  const rules = new Intl.PluralRules(locale)
  const sizes = new Map<string, number>(rules.resolvedOptions().pluralCategories.map((c) => [c, 0]))
  for (const n of SAMPLES) {
    const c = rules.select(n)
    sizes.set(c, (sizes.get(c) ?? 0) + 1)
  }
  return sizes
}

export function catalogProblems(locale: string, catalog: Catalog, en: typeof English): string[] {
  const problems: string[] = []
  const keys = Object.keys(en) as (keyof typeof en)[]
  const own = Object.keys(catalog)
  for (const key of keys) if (!(key in catalog)) problems.push(`${key}: missing`)
  for (const key of own) if (!(key in en)) problems.push(`${key}: not an English key`)
  const shared = own.filter((k) => k in en)
  const expected = keys.filter((k) => k in catalog)
  const at = expected.findIndex((k, i) => shared[i] !== k)
  if (at >= 0) problems.push(`${shared[at]}: out of English's order (expected ${expected[at]} here)`)

  const sizes = categorySizes(locale)
  const categories = [...sizes.keys()]
  for (const key of keys) {
    const message = catalog[key]
    if (message === undefined) continue
    const source: Message = en[key]
    const wanted = union(source)
    if (typeof source === 'string' !== (typeof message === 'string')) {
      problems.push(`${key}: ${typeof source === 'string' ? 'English has one text, not plural forms' : 'English has plural forms'}`)
      continue
    }
    if (typeof message !== 'string') {
      const forms = Object.keys(message)
      const lacking = categories.filter((c) => !forms.includes(c))
      const extra = forms.filter((f) => !categories.includes(f))
      if (lacking.length > 0) problems.push(`${key}: lacks the plural form${lacking.length > 1 ? 's' : ''} ${lacking.join(', ')} (${locale} uses ${categories.join(', ')})`)
      if (extra.length > 0) problems.push(`${key}: has plural form${extra.length > 1 ? 's' : ''} ${extra.join(', ')} that ${locale} never uses`)
    }
    for (const [form, text] of formsOf(message)) {
      const where = form ? `${key} (${form})` : key
      if (text.trim() === '') problems.push(`${where}: empty`)
      const has = paramsOf(text)
      for (const p of has) if (!wanted.has(p)) problems.push(`${where}: {${p}} is not a parameter of English's message (${list(wanted)})`)
      // A form that stands for one number only (Arabic's "two", English's
      // "one") may spell that number out; a form that stands for several
      // must carry every parameter, the number included.
      if (form && (sizes.get(form) ?? 0) <= 1) continue
      for (const p of wanted) if (!has.has(p)) problems.push(`${where}: lacks {${p}}${form && DRIVERS.includes(p) ? ` (this form stands for several numbers)` : ''}`)
    }
    if (typeof message !== 'string') {
      const got = union(message)
      for (const p of wanted) if (!got.has(p)) problems.push(`${key}: no form has {${p}}`)
    }
    if (formsOf(source).some(([, text]) => text.includes('Hearth')) && formsOf(message).some(([, text]) => !text.includes('Hearth'))) {
      problems.push(`${key}: the product name Hearth is missing or translated`)
    }
  }
  for (const key of FINGERPRINT_LAST) {
    const message = catalog[key]
    if (typeof message === 'string' && !message.endsWith('{fingerprint}')) problems.push(`${key}: must end with {fingerprint} (the UI shows the fingerprint after the sentence)`)
  }
  return problems
}
