import type { Environment } from 'vitest/environments'

/**
 * Node, with modules transformed as for the browser: Svelte's runes compile
 * to their client code (effects run), as in the app. No DOM.
 */
export default {
  name: 'client-node',
  viteEnvironment: 'client',
  setup: () => ({ teardown: () => undefined }),
} satisfies Environment
