/**
 * The language on screen changes only once its messages are here (each
 * language but English is a chunk of its own), and the last choice wins:
 * Noor picks Russian, then Persian before Russian has arrived; Persian stays.
 * A language whose chunk cannot be fetched (offline before the app was ever
 * cached) leaves the language on screen as it was.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'

/** Each language's load, answered by the test. */
const pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>()
vi.mock('../../src/i18n/index.ts', async (original) => {
  const real = await original<typeof import('../../src/i18n/index.ts')>()
  return {
    ...real,
    loadLocale: (locale: string) =>
      locale === 'en'
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            pending.set(locale, { resolve, reject })
          }),
  }
})

const { i18n } = await import('../../src/state/i18n.svelte.ts')
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('choosing a language', () => {
  beforeEach(async () => {
    pending.clear()
    await i18n.set('en')
  })

  it('switches once its messages are loaded, not before', async () => {
    const switching = i18n.set('ru')
    await settle()
    expect(i18n.current).toBe('en')
    pending.get('ru')!.resolve()
    await expect(switching).resolves.toBe('switched')
    expect(i18n.current).toBe('ru')
    expect(i18n.dir).toBe('ltr')
  })

  it('keeps the last choice when an earlier one arrives after it', async () => {
    const russian = i18n.set('ru')
    const persian = i18n.set('fa')
    pending.get('fa')!.resolve()
    await expect(persian).resolves.toBe('switched')
    pending.get('ru')!.resolve()
    await expect(russian).resolves.toBe('superseded')
    expect(i18n.current).toBe('fa')
    expect(i18n.dir).toBe('rtl')
  })

  it('leaves the language on screen when the chosen one cannot be fetched', async () => {
    const russian = i18n.set('ru')
    pending.get('ru')!.reject(new Error('Failed to fetch dynamically imported module'))
    await expect(russian).resolves.toBe('unavailable')
    expect(i18n.current).toBe('en')
    await expect(i18n.set('klingon')).resolves.toBe('unavailable')
    expect(i18n.current).toBe('en')
  })

  it('starts in English when the saved language cannot be fetched, and in it when it can', async () => {
    const start = i18n.init('tr', ['ru-RU'])
    pending.get('tr')!.reject(new Error('offline'))
    await start
    expect(i18n.current).toBe('en')
    const again = i18n.init('tr', ['ru-RU'])
    pending.get('tr')!.resolve()
    await again
    expect(i18n.current).toBe('tr')
  })
})
