/**
 * A dynamic import that can be tried again after it failed.
 *
 * A browser that follows the older module-loading rule keeps a failed
 * `import()`'s failure for as long as the page lives: the same import fails
 * again at once, link back or not (Chromium did until version 15x; whatwg/html
 * #6768 and #10327 changed the rule). A person whose link dropped while a part
 * of Hearth was fetched (the board engine, a screen, a language) would have
 * to reload the app to get it. So a try after a failure imports the failed
 * chunk's URL, named in the browser's message, again under a query of its
 * own: a new URL, fetched anew. Only a script of this origin is imported that
 * way; where the message names none (some browsers say no URL), the import is
 * tried as it was written.
 *
 * Only chunks that nothing imports statically are loaded through this: a
 * second copy of a module under another URL would be a second instance.
 */
export function retriable<T>(load: () => Promise<T>, importUrl: (url: string) => Promise<unknown> = (url) => import(/* @vite-ignore */ url)): () => Promise<T> {
  let failed: string | null = null
  let tries = 0
  return () => {
    const attempt = failed === null ? load() : (importUrl(`${failed}?retry=${++tries}`) as Promise<T>)
    return attempt.catch((err: unknown) => {
      failed = failedChunk(err) ?? failed
      throw err
    })
  }
}

/** The script of this origin a failed import's message names, without its query; null if none. */
export function failedChunk(err: unknown, origin: string = globalThis.location?.origin ?? ''): string | null {
  const message = err instanceof Error ? err.message : String(err)
  for (const [found] of message.matchAll(/https?:\/\/[^\s'"`]+/g)) {
    let url: URL
    try {
      url = new URL(found)
    } catch {
      continue
    }
    if (url.origin !== origin || !/\.(?:js|mjs|ts|svelte)$/.test(url.pathname)) continue
    return url.origin + url.pathname
  }
  return null
}
