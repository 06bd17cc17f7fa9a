/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { VitePWA } from 'vite-plugin-pwa'
import type { Plugin } from 'vite'

/**
 * The app's stylesheet becomes a preload instead of a render-blocking link, so
 * the static shell in index.html (styled by its own inline block, which the
 * server's CSP allows by hash) paints before the app's CSS and scripts have arrived on a slow
 * link; src/main.ts applies the preloaded stylesheet before the app mounts.
 */
function nonBlockingAppCss(): Plugin {
  return {
    name: 'hearth:non-blocking-app-css',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html) => html.replace(/<link rel="stylesheet"( crossorigin)? href="(\/assets\/[^"]+\.css)">/g, '<link rel="preload" as="style"$1 href="$2">'),
    },
  }
}

/**
 * One config for the app build and for the three test projects:
 * - unit: pure logic (core, crypto, sync framing, storage with fake-indexeddb)
 * - integration: real y-webrtc between Node peers through Hearth's own server
 * - e2e: real Chromium profiles driven by playwright-core against `npm start`
 */
export default defineConfig({
  plugins: [
    svelte(),
    nonBlockingAppCss(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      strategies: 'generateSW',
      manifest: false,
      includeAssets: ['icons/*.png', 'icons/*.svg', 'manifest.webmanifest', 'manifest-notes.webmanifest'],
      workbox: {
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/signal/, /^\/config\.json/],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  build: {
    target: 'es2022',
    sourcemap: false,
  },
  // The crypto worker (src/crypto/entry-crypto.worker.ts) loads the noble fallback as a chunk of its own where WebCrypto lacks the curves: a module worker can.
  worker: { format: 'es' },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/{core,crypto,sealed,sync,storage,app,state,i18n,server,relay,chunks}/**/*.test.ts', 'tests/bench/*.test.ts'],
          exclude: ['**/node_modules/**', 'tests/**/*.svelte.test.ts'],
          environment: 'node',
        },
      },
      {
        // State classes with their reactive graph running ($effect): modules compiled and Svelte resolved as for the browser, in Node.
        extends: true,
        resolve: { conditions: ['browser'] },
        test: {
          name: 'runes',
          include: ['tests/state/**/*.svelte.test.ts'],
          environment: './tests/support/client-environment.ts',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          // A Node peer's WebRTC (@roamhq/wrtc) now and then crashes in native code while connections
          // close (node-webrtc issues #35, #391): the peer's process ends by SIGSEGV or SIGBUS, and what it
          // was asked fails saying so (tests/support/child-processes.ts, ChildEnd). Such a test runs once
          // more, from the start; any other failure stands. Browsers' WebRTC is not this addon.
          retry: { count: 1, condition: /\bsignal SIG(?:SEGV|BUS)\b/ },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
