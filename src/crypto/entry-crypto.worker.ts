/**
 * The worker that checks signatures and decrypts for the page
 * (worker-crypto.ts). It keeps nothing between requests.
 */
import { serveEntryCrypto } from './worker-crypto.ts'

serveEntryCrypto(globalThis as unknown as Parameters<typeof serveEntryCrypto>[0])
