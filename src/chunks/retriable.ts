/**
 * A dynamic import that can be tried again after it failed.
 *
 * A browser that follows the older module-loading rule keeps a failed
 * `import()`'s failure for as long as the page lives: the same import fails
 * again at once, link back or not (Chromium did until version 15x; whatwg/html
 * #6768 and #10327 changed the rule). A person whose link dropped while a part
 * of Hearth was fetched (the board engine, a screen, a language) would have
 * to reload the app to get it. So when the import as written fails, the
 * failed chunk, named in the browser's message, is imported again at once
 * under a query of its own: a new URL, fetched anew. Only a script of this
 * origin is imported that way; where the message names none (some browsers
 * say no URL), the failure stands, and the next call tries as written.
 *
 * Once the chunk has come, every later call gets that same module: a module
 * imported again under another URL would be a second instance, with its own
 * state. For the same reason, only chunks that nothing imports statically are
 * loaded through this, and only Hearth's own modules: the try under a new URL
 * gets the module's namespace as it is, without the interop a bundler adds
 * around a CommonJS package (wrap such a package in a module of Hearth's).
 */
export function retriable<T>(load: () => Promise<T>, importUrl: (url: string) => Promise<unknown> = (url) => import(/* @vite-ignore */ url)): () => Promise<T> {
  let loaded: Promise<T> | null = null
  let tries = 0
  return () => {
    loaded ??= load()
      .catch((err: unknown) => {
        const chunk = failedChunk(err)
        if (chunk === null) throw err
        return importUrl(`${chunk}?retry=${++tries}`) as Promise<T>
      })
      .catch((err: unknown) => {
        loaded = null
        throw err
      })
    return loaded
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
