import { LOCALES, LOCALE_NAMES, dirOf, separatorOf, isLocale, loadLocale, parts, pickLocale, t as translate, type Locale, type MessageKey, type Params, type Part } from '../i18n/index.ts'

/** The person's language, reactive. Reading `t(...)` in a component re-renders it on a switch. */
class LocaleState {
  current = $state<Locale>('en')
  readonly dir = $derived(dirOf(this.current))
  /** What separates the pieces of one line. */
  readonly sep = $derived(separatorOf(this.current))
  readonly locales = LOCALES
  /** Each language in itself, for the language choice. */
  readonly names = LOCALE_NAMES

  t = (key: MessageKey, params?: Params): string => translate(this.current, key, params)

  /** The message in parts, for <Msg> (which isolates text parameters with <bdi>). */
  parts = (key: MessageKey, params?: Params): Part[] => parts(this.current, key, params)

  /** The language last asked for: a slower load of an earlier choice does not win over it. */
  #wanted: Locale = 'en'

  /**
   * Switches to `locale` once its messages are loaded (a chunk of their own).
   * 'unavailable' if they could not be (offline before the app was ever
   * cached), 'superseded' if another language was asked for meanwhile: the
   * language on screen stays.
   */
  async set(locale: string): Promise<'switched' | 'unavailable' | 'superseded'> {
    if (!isLocale(locale)) return 'unavailable'
    this.#wanted = locale
    try {
      await loadLocale(locale)
    } catch {
      return this.#wanted === locale ? 'unavailable' : 'superseded'
    }
    if (this.#wanted !== locale) return 'superseded'
    this.current = locale
    return 'switched'
  }

  /** Chooses the saved language, else the best match of the browser's languages (English if it cannot be loaded). */
  async init(saved: string | null, preferred: readonly string[]): Promise<void> {
    const locale = pickLocale(saved, preferred)
    // Its messages could not be fetched: English, which is always here.
    if ((await this.set(locale)) === 'unavailable') {
      this.#wanted = 'en'
      this.current = 'en'
    }
  }
}

export const i18n = new LocaleState()
