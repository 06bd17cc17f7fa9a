/**
 * The worker that checks signatures and decrypts for the page
 * (worker-crypto.ts). It keeps nothing between requests.
 */
import { curves } from './curves.ts'
import { serveEntryCrypto } from './worker-crypto.ts'

// Which curves this browser's WebCrypto has is found before the first request needs it.
void curves().catch(() => undefined)
serveEntryCrypto(globalThis as unknown as Parameters<typeof serveEntryCrypto>[0])
