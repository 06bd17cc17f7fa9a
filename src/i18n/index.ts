import { ar } from './ar.ts'
import { en } from './en.ts'
import { es } from './es.ts'
import { fa } from './fa.ts'
import { fr } from './fr.ts'
import { id } from './id.ts'
import { pt } from './pt.ts'
import { ru } from './ru.ts'
import { tr } from './tr.ts'
import type { MessageKey, Messages } from './messages.ts'
import { format, formatParts, type Params, type Part } from './translate.ts'

export type { MessageKey, Messages } from './messages.ts'
export type { Params, Part } from './translate.ts'
export { formatDate, formatDateTime, formatDateTimeFull, formatTime, formatRange, formatRelative, formatNumber, toLocalInput, fromLocalInput, warmFormatters } from './dates.ts'

/**
 * The languages Hearth speaks, in the order the language choice lists them:
 * by each one's own name, Latin script first, then Cyrillic, then Arabic.
 */
export const LOCALES = ['id', 'en', 'es', 'fr', 'pt', 'tr', 'ru', 'ar', 'fa'] as const
export type Locale = (typeof LOCALES)[number]

/** Each language named in itself, as its speakers look for it in a list. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = {
  id: 'Bahasa Indonesia',
  en: 'English',
  es: 'Español',
  fr: 'Français',
  pt: 'Português',
  tr: 'Türkçe',
  ru: 'Русский',
  ar: 'العربية',
  fa: 'فارسی',
}

const catalogs: Record<Locale, Messages> = { en, ar, fa, tr, ru, fr, es, pt, id }
const RTL = new Set<string>(['ar', 'fa', 'he', 'ur'])
/** Language tags browsers still send under an older name: Java's Locale (older Android WebViews) says 'in' for Indonesian. */
const ALIASES: Readonly<Record<string, Locale>> = { in: 'id' }

/**
 * What separates the pieces of one line ("Posted by Noor · in 4 days"). In
 * Persian the middle dot would read as the digit zero (۰): "اکنون · ۴ روز"
 * looks like "40 days".
 */
export const separatorOf = (locale: Locale): string => (locale === 'fa' ? '|' : '·')

export const isLocale = (value: string): value is Locale => (LOCALES as readonly string[]).includes(value)
export const dirOf = (locale: string): 'rtl' | 'ltr' => (RTL.has(locale.toLowerCase().split(/[-_]/)[0]!) ? 'rtl' : 'ltr')

/** The saved choice if valid, else the first browser language we have, else English. */
export function pickLocale(saved: string | null, preferred: readonly string[]): Locale {
  if (saved && isLocale(saved)) return saved
  for (const tag of preferred) {
    // 'pt-BR', 'fa-IR', 'id_ID' (some WebViews use an underscore): the language is what counts.
    const base = tag.toLowerCase().split(/[-_]/)[0]!
    const locale = ALIASES[base] ?? base
    if (isLocale(locale)) return locale
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
