/**
 * A part of Hearth that could not be fetched (the link dropped) is fetched
 * again when the person tries again, even in a browser that keeps a failed
 * import's failure for the page's life: a failed import is followed at once
 * by the chunk the browser's message names, under a new URL. Once it came,
 * it is the one module every later call gets.
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
  it('imports as written; when that fails, the failed chunk at once under a new URL; each try again both, until one comes', async () => {
    vi.stubGlobal('location', { origin: ORIGIN })
    const load = vi.fn(() => Promise.reject(new TypeError(`Failed to fetch dynamically imported module: ${CHUNK}`)))
    const asked: string[] = []
    let linkBack = false
    const importUrl = (url: string) => {
      asked.push(url)
      return linkBack ? Promise.resolve({ fa: 'فارسی' }) : Promise.reject(new TypeError(`Failed to fetch dynamically imported module: ${url}`))
    }
    const chunk = retriable(load, importUrl)
    await expect(chunk()).rejects.toThrow(`${CHUNK}?retry=1`)
    await expect(chunk()).rejects.toThrow(`${CHUNK}?retry=2`)
    linkBack = true
    await expect(chunk()).resolves.toEqual({ fa: 'فارسی' })
    expect(load).toHaveBeenCalledTimes(3)
    expect(asked).toEqual([`${CHUNK}?retry=1`, `${CHUNK}?retry=2`, `${CHUNK}?retry=3`])
  })

  it('gives every later call the module that came, not a new instance under another URL', async () => {
    vi.stubGlobal('location', { origin: ORIGIN })
    let linkBack = false
    const load = vi.fn(() => (linkBack ? Promise.resolve({ instance: 'as written' }) : Promise.reject(new TypeError(`Failed to fetch dynamically imported module: ${CHUNK}`))))
    const importUrl = vi.fn((url: string) => (linkBack ? Promise.resolve({ instance: url }) : Promise.reject(new TypeError(`Failed to fetch dynamically imported module: ${url}`))))
    const chunk = retriable(load, importUrl)
    await expect(chunk()).rejects.toThrow()
    // A browser that keeps the failure: the import as written still fails, the new URL comes.
    load.mockImplementation(() => Promise.reject(new TypeError(`Failed to fetch dynamically imported module: ${CHUNK}`)))
    linkBack = true
    const first = await chunk()
    expect(first).toEqual({ instance: `${CHUNK}?retry=2` })
    expect(await chunk()).toBe(first)
    expect(await chunk()).toBe(first)
    expect(load).toHaveBeenCalledTimes(2)
    expect(importUrl).toHaveBeenCalledTimes(2)
  })

  it('fetches once for calls made while the chunk is on the way', async () => {
    let resolve: (m: { ok: true }) => void = () => {}
    const load = vi.fn(() => new Promise<{ ok: true }>((r) => (resolve = r)))
    const chunk = retriable(load, () => Promise.reject(new Error('not asked')))
    const both = Promise.all([chunk(), chunk()])
    resolve({ ok: true })
    const [a, b] = await both
    expect(a).toBe(b)
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('lets the failure stand when it names no chunk of this origin, and tries as written again on the next call', async () => {
    vi.stubGlobal('location', { origin: ORIGIN })
    let calls = 0
    const importUrl = vi.fn(() => Promise.reject(new Error('not asked')))
    const chunk = retriable(() => (++calls === 1 ? Promise.reject(new TypeError('Importing a module script failed.')) : Promise.resolve('loaded')), importUrl)
    await expect(chunk()).rejects.toThrow('Importing a module script failed.')
    await expect(chunk()).resolves.toBe('loaded')
    expect(calls).toBe(2)
    expect(importUrl).not.toHaveBeenCalled()
  })
})
