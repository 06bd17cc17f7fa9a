import { scryptAsync } from '@noble/hashes/scrypt.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'

/**
 * The memory-hard key derivation behind the device lock: scrypt (RFC 7914).
 * N = 2^15, r = 8, p = 1 needs 128·N·r = 32 MiB and took 0.2–0.4 s in Node
 * and Chromium on the development machine (see docs/THREAT_MODEL.md), about
 * 0.5–1 s on a mid-range phone: slow enough that guessing passphrases from a
 * copied profile costs real money per guess, fast enough to unlock.
 */
export interface ScryptParams {
  readonly alg: 'scrypt'
  /** log2 of the cost N. */
  readonly logN: number
  readonly r: number
  readonly p: number
  /** 16 random bytes, stored beside what the key protects. */
  readonly salt: Uint8Array
}

export const SCRYPT_LOG_N = 15
export const PASSPHRASE_MIN = 8
export const PASSPHRASE_MAX = 1024

export type PassphraseError = 'too_short' | 'too_long'

/** NFKC, so the same passphrase typed on two keyboards (e.g. Arabic presentation forms) gives the same key. */
export function normalizePassphrase(passphrase: string): string {
  return passphrase.normalize('NFKC')
}

/** Checks a new passphrase: at least 8 characters (code points), at most 1024. */
export function checkPassphrase(passphrase: string): PassphraseError | null {
  const length = [...normalizePassphrase(passphrase)].length
  if (length < PASSPHRASE_MIN) return 'too_short'
  if (length > PASSPHRASE_MAX) return 'too_long'
  return null
}

/** Fresh parameters with a random salt (the cost can be lowered only by tests). */
export function newScryptParams(logN: number = SCRYPT_LOG_N): ScryptParams {
  return { alg: 'scrypt', logN, r: 8, p: 1, salt: crypto.getRandomValues(new Uint8Array(16)) }
}

/** scrypt(passphrase, salt) → 32 bytes. Yields to the event loop while it runs. */
export function derivePassphraseBytes(passphrase: string, params: ScryptParams): Promise<Uint8Array> {
  return scryptAsync(utf8ToBytes(normalizePassphrase(passphrase)), params.salt, {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    dkLen: 32,
    maxmem: 2 ** 30,
  })
}

/**
 * Derives the key-encryption key as a non-extractable AES-256-GCM CryptoKey.
 * The derived bytes are zeroed once imported.
 */
export async function derivePassphraseKey(passphrase: string, params: ScryptParams): Promise<CryptoKey> {
  const bytes = await derivePassphraseBytes(passphrase, params)
  try {
    return await crypto.subtle.importKey('raw', bytes as Uint8Array<ArrayBuffer>, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt'])
  } finally {
    bytes.fill(0)
  }
}
