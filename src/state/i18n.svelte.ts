import { LOCALES, dirOf, isLocale, parts, pickLocale, t as translate, type Locale, type MessageKey, type Params, type Part } from '../i18n/index.ts'

/** The person's language, reactive. Reading `t(...)` in a component re-renders it on a switch. */
class LocaleState {
  current = $state<Locale>('en')
  readonly dir = $derived(dirOf(this.current))
  readonly locales = LOCALES

  t = (key: MessageKey, params?: Params): string => translate(this.current, key, params)

  /** The message in parts, for <Msg> (which isolates text parameters with <bdi>). */
  parts = (key: MessageKey, params?: Params): Part[] => parts(this.current, key, params)

  set(locale: string): void {
    if (isLocale(locale)) this.current = locale
  }

  /** Chooses the saved language, else the best match of the browser's languages. */
  init(saved: string | null, preferred: readonly string[]): void {
    this.current = pickLocale(saved, preferred)
  }
}

export const i18n = new LocaleState()
