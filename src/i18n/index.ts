import { retriable } from '../chunks/retriable.ts'
import { en } from './en.ts'
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

/**
 * Every other language's messages, each a chunk of its own fetched when first
 * chosen: a first visit over a slow link fetches one language, not nine
 * (about 8 KB each, brotli). English is always here: it is every message's
 * fallback, and what a page shows while nothing else is loaded.
 */
const messagesOf = <L extends Exclude<Locale, 'en'>>(locale: L, load: () => Promise<Record<L, Messages>>): (() => Promise<Messages>) => {
  // Tried again after a failure under a URL of its own (chunks/retriable.ts): a browser may keep the failure.
  const chunk = retriable(load)
  return () => chunk().then((m) => m[locale])
}
const LOADERS: Readonly<Record<Exclude<Locale, 'en'>, () => Promise<Messages>>> = {
  ar: messagesOf('ar', () => import('./ar.ts')),
  es: messagesOf('es', () => import('./es.ts')),
  fa: messagesOf('fa', () => import('./fa.ts')),
  fr: messagesOf('fr', () => import('./fr.ts')),
  id: messagesOf('id', () => import('./id.ts')),
  pt: messagesOf('pt', () => import('./pt.ts')),
  ru: messagesOf('ru', () => import('./ru.ts')),
  tr: messagesOf('tr', () => import('./tr.ts')),
}
const catalogs: Partial<Record<Locale, Messages>> = { en }
const loading = new Map<Locale, Promise<void>>()

/**
 * Loads a language's messages (once; at once for English or one already
 * here). Rejects when its chunk cannot be fetched (offline before the app was
 * ever cached); a later call tries again.
 */
export function loadLocale(locale: Locale): Promise<void> {
  if (catalogs[locale]) return Promise.resolve()
  let load = loading.get(locale)
  if (!load) {
    load = LOADERS[locale as Exclude<Locale, 'en'>]().then(
      (messages) => {
        catalogs[locale] = messages
      },
      (err: unknown) => {
        loading.delete(locale)
        throw err
      },
    )
    loading.set(locale, load)
  }
  return load
}

/** Whether a language's messages are here (`t` gives English for one that is not). */
export const isLoaded = (locale: Locale): boolean => catalogs[locale] !== undefined

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

/** The message in `locale`, or in English if that language is not loaded (`loadLocale`) or lacks it. */
export function t(locale: Locale, key: MessageKey, params?: Params): string {
  const catalog = catalogs[locale]
  return catalog ? format(locale, catalog[key] ?? en[key], params) : format('en', en[key], params)
}

/** The message in parts, so that a component can isolate each text parameter with <bdi>. */
export function parts(locale: Locale, key: MessageKey, params?: Params): Part[] {
  const catalog = catalogs[locale]
  return catalog ? formatParts(locale, catalog[key] ?? en[key], params) : formatParts('en', en[key], params)
}
