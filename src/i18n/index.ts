import { ar } from './ar.ts'
import { en } from './en.ts'
import type { MessageKey, Messages } from './messages.ts'
import { format, formatParts, type Params, type Part } from './translate.ts'

export type { MessageKey, Messages } from './messages.ts'
export type { Params, Part } from './translate.ts'
export { formatDate, formatDateTime, formatDateTimeFull, formatTime, formatRange, formatRelative, formatNumber, toLocalInput, fromLocalInput } from './dates.ts'

export const LOCALES = ['en', 'ar'] as const
export type Locale = (typeof LOCALES)[number]

const catalogs: Record<Locale, Messages> = { en, ar }
const RTL = new Set<string>(['ar', 'fa', 'he', 'ur'])

export const isLocale = (value: string): value is Locale => (LOCALES as readonly string[]).includes(value)
export const dirOf = (locale: string): 'rtl' | 'ltr' => (RTL.has(locale.split('-')[0]!) ? 'rtl' : 'ltr')

/** The saved choice if valid, else the first browser language we have, else English. */
export function pickLocale(saved: string | null, preferred: readonly string[]): Locale {
  if (saved && isLocale(saved)) return saved
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0]!
    if (isLocale(base)) return base
  }
  return 'en'
}

export function t(locale: Locale, key: MessageKey, params?: Params): string {
  return format(locale, catalogs[locale][key] ?? en[key], params)
}

/** The message in parts, so that a component can isolate each text parameter with <bdi>. */
export function parts(locale: Locale, key: MessageKey, params?: Params): Part[] {
  return formatParts(locale, catalogs[locale][key] ?? en[key], params)
}
