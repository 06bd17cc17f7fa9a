import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import type { TransportSecret } from './board-secret.ts'
import { NONCE_BYTES } from './aes-gcm.ts'
import { inlineCrypto, type EntryCrypto } from './entry-crypto.ts'

export { NONCE_BYTES }
export const CONTENT_KEY_BYTES = 32

/** AES-256-GCM with the board's content key. Nonces are random (96 bits); AD binds the entry header. */
export interface ContentCipher {
  /**
   * The key itself, non-extractable (scripts use it, never read it): an
   * entry's check and its decryption go to the crypto worker in one request
   * with it (entry.ts, `checkAndOpenEntry`).
   */
  readonly key: CryptoKey
  encrypt(plaintext: Uint8Array, associatedData: Uint8Array): Promise<{ nonce: Uint8Array; ciphertext: Uint8Array }>
  /** Returns null if the ciphertext or associated data was altered, or the key is wrong. */
  decrypt(nonce: Uint8Array, ciphertext: Uint8Array, associatedData: Uint8Array): Promise<Uint8Array | null>
}

const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

export function generateContentKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(CONTENT_KEY_BYTES))
}

/**
 * The content key of a board made before sealed boards existed, derived from
 * its only secret so that every member migrates to the same key on their own.
 * (Weaker than a random key: the transport secret then reveals it.)
 */
export function legacyContentKey(secret: TransportSecret): Uint8Array {
  return hkdf(sha256, secret, utf8ToBytes('hearth/v1'), utf8ToBytes('legacy-content-key'), CONTENT_KEY_BYTES)
}

export interface ContentKeyOptions {
  /** Default: crypto.getRandomValues. */
  readonly random?: (n: number) => Uint8Array
  /** Where decryption runs (entry-crypto.ts). Default: this thread. */
  readonly crypto?: EntryCrypto
}

/** Imports a content key for use (non-extractable: a worker it is handed to can use it, never read it). */
export async function importContentKey(raw: Uint8Array, opts: ContentKeyOptions = {}): Promise<ContentCipher> {
  if (raw.length !== CONTENT_KEY_BYTES) throw new Error('A content key is 32 bytes')
  const random = opts.random ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)))
  const work = opts.crypto ?? inlineCrypto
  const key = await crypto.subtle.importKey('raw', buf(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
  return {
    key,
    async encrypt(plaintext, associatedData) {
      const nonce = random(NONCE_BYTES)
      const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: buf(nonce), additionalData: buf(associatedData) }, key, buf(plaintext))
      return { nonce, ciphertext: new Uint8Array(ct) }
    },
    decrypt: (nonce, ciphertext, associatedData) => work.decrypt(key, nonce, ciphertext, associatedData),
  }
}
