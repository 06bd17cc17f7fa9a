import js from '@eslint/js'
import ts from 'typescript-eslint'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'

/**
 * Layers (see docs/ARCHITECTURE.md): imports point down only.
 * Each entry lists the folders a layer must NOT import from.
 */
const forbidden = {
  // A leaf every layer may use: how the browser loads a chunk (src/chunks/retriable.ts).
  chunks: ['core', 'crypto', 'sealed', 'sync', 'storage', 'app', 'state', 'ui', 'i18n', 'server', 'relay'],
  core: ['crypto', 'sealed', 'sync', 'storage', 'app', 'state', 'ui', 'i18n', 'server', 'relay'],
  crypto: ['core', 'sealed', 'sync', 'storage', 'app', 'state', 'ui', 'i18n', 'server', 'relay'],
  sealed: ['core', 'sync', 'storage', 'app', 'state', 'ui', 'i18n', 'server', 'relay'],
  sync: ['sealed', 'storage', 'app', 'state', 'ui', 'i18n', 'server', 'relay'],
  storage: ['sealed', 'sync', 'app', 'state', 'ui', 'i18n', 'server', 'relay'],
  app: ['state', 'ui', 'i18n', 'server', 'relay'],
  state: ['ui', 'server', 'sealed', 'sync', 'storage', 'crypto', 'relay'],
  i18n: ['core', 'crypto', 'sealed', 'sync', 'storage', 'app', 'state', 'ui', 'server', 'relay'],
  ui: ['core', 'crypto', 'sealed', 'sync', 'storage', 'app', 'server', 'relay'],
  server: ['core', 'sealed', 'sync', 'storage', 'app', 'state', 'ui', 'i18n', 'relay'],
  // The relay is a Node composition beside the app: it runs boards through app/, never the UI.
  relay: ['state', 'ui', 'i18n', 'server'],
}

const layerRules = Object.entries(forbidden).map(([layer, banned]) => ({
  files: [`src/${layer}/**/*.{ts,svelte}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: banned.flatMap((b) => [`../${b}`, `../${b}/*`, `../../${b}/*`, `../../../${b}/*`]),
            message: `src/${layer} may not import from that layer (imports point down only).`,
          },
          ...(layer === 'ui'
            ? [{ group: ['yjs', 'y-webrtc', 'y-indexeddb', '@noble/*', 'lib0', 'lib0/*'], message: 'Components stay thin: go through src/state.' }]
            : []),
          ...(layer === 'core' || layer === 'crypto' || layer === 'sealed'
            ? [{ group: ['y-webrtc', 'y-indexeddb', 'ws'], message: 'core/, crypto/ and sealed/ are pure: no network or storage.' }]
            : []),
        ],
      },
    ],
  },
}))

export default ts.config(
  // src/sync/vendor/ is third-party code kept byte for byte (tests/sync/vendored-y-webrtc.test.ts checks it).
  { ignores: ['.tmp/', '.stryker-tmp/', 'reports/', 'tests/bench/.cache/', 'tests/bench/pages/dist/', 'dist/', 'dev-dist/', 'node_modules/', 'tests/bench/results.json', 'test-results/', 'src/sync/vendor/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['src/server/**', 'src/relay/**', 'tests/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['src/**'],
    rules: { 'svelte/no-at-html-tags': 'error', 'no-eval': 'error', 'no-implied-eval': 'error' },
  },
  ...layerRules,
)
