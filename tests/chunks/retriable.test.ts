/**
 * A part of Hearth that could not be fetched (the link dropped) is fetched
 * again when the person tries again, even in a browser that keeps a failed
 * import's failure for the page's life: the try after a failure imports the
 * chunk the browser's message names, under a new URL.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { failedChunk, retriable } from '../../src/chunks/retriable.ts'

const ORIGIN = 'http://hearth.test'
const CHUNK = `${ORIGIN}/assets/fa-t3HU3Q0B.js`

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('failedChunk', () => {
  it('reads the chunk from Chromium’s and Firefox’s messages, without a query', () => {
    expect(failedChunk(new TypeError(`Failed to fetch dynamically imported module: ${CHUNK}`), ORIGIN)).toBe(CHUNK)
    expect(failedChunk(new TypeError(`error loading dynamically imported module: ${CHUNK}?retry=2`), ORIGIN)).toBe(CHUNK)
  })

  it('names nothing for a message without a URL, another origin, or what is not a script', () => {
    expect(failedChunk(new TypeError('Importing a module script failed.'), ORIGIN)).toBeNull()
    expect(failedChunk(new TypeError('Failed to fetch dynamically imported module: https://elsewhere.example/assets/fa-t3HU3Q0B.js'), ORIGIN)).toBeNull()
    expect(failedChunk(new TypeError(`Failed to fetch dynamically imported module: ${ORIGIN}/config.json`), ORIGIN)).toBeNull()
    expect(failedChunk('not an error', ORIGIN)).toBeNull()
  })
})

describe('retriable', () => {
  it('imports as written until it fails; then the failed chunk under a new URL each try, until one comes', async () => {
    vi.stubGlobal('location', { origin: ORIGIN })
    const load = vi.fn(() => Promise.reject(new TypeError(`Failed to fetch dynamically imported module: ${CHUNK}`)))
    const asked: string[] = []
    let linkBack = false
    const importUrl = (url: string) => {
      asked.push(url)
      return linkBack ? Promise.resolve({ fa: 'فارسی' }) : Promise.reject(new TypeError(`Failed to fetch dynamically imported module: ${url}`))
    }
    const chunk = retriable(load, importUrl)
    await expect(chunk()).rejects.toThrow(CHUNK)
    await expect(chunk()).rejects.toThrow(`${CHUNK}?retry=1`)
    linkBack = true
    await expect(chunk()).resolves.toEqual({ fa: 'فارسی' })
    expect(load).toHaveBeenCalledTimes(1)
    expect(asked).toEqual([`${CHUNK}?retry=1`, `${CHUNK}?retry=2`])
  })

  it('tries the import as written again when the failure names no chunk of this origin', async () => {
    vi.stubGlobal('location', { origin: ORIGIN })
    let calls = 0
    const chunk = retriable(() => (++calls === 1 ? Promise.reject(new TypeError('Importing a module script failed.')) : Promise.resolve('loaded')), () => Promise.reject(new Error('not asked')))
    await expect(chunk()).rejects.toThrow('Importing a module script failed.')
    await expect(chunk()).resolves.toBe('loaded')
    expect(calls).toBe(2)
  })
})
