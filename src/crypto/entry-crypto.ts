import { arrayBufferView as buf, NONCE_BYTES } from './aes-gcm.ts'
import { verifySignature } from './device.ts'

/**
 * The costly part of reading entries: checking Ed25519 signatures and
 * decrypting AES-256-GCM. Chromium does both inside the WebCrypto call, on
 * the calling thread (measured: a 1 MB verify spends 4.88 of its 4.90 ms
 * there), so a board of megabytes freezes the page while it opens unless
 * they run elsewhere: `inlineCrypto` runs them here, `WorkerCrypto`
 * (worker-crypto.ts) in a worker. Both give the same answers, so no device
 * reaches another verdict for running them elsewhere.
 */
export interface EntryCrypto {
  /** verifySignature (device.ts): false for a bad or malformed signature, never throws. */
  verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean>
  /** AES-256-GCM under a content key (content-key.ts); null when the ciphertext, its associated data or the key is wrong. */
  decrypt(key: CryptoKey, nonce: Uint8Array, ciphertext: Uint8Array, associatedData: Uint8Array): Promise<Uint8Array | null>
  /**
   * An entry's two checks in one: its signature (the last SIGNATURE_BYTES of
   * `entry`, by `publicKey`, over `context` ‖ the bytes before them) as
   * `verify` gives it, and the SHA-256 of the whole entry. Optional (the
   * page's own checks have none): without it, `verify` and a digest on this
   * thread are used (entry.ts, `checkEntry`). A worker's (worker-crypto.ts)
   * takes the entry's bytes over once, where `verify` needs them joined to
   * the context first and the digest copies them again, both on the page.
   */
  checkEntry?(publicKey: Uint8Array, context: Uint8Array, entry: Uint8Array): Promise<EntryCheck>
  /**
   * `checkEntry`, and the entry's decryption under `key` begun alongside:
   * the header (its first `headerEnd` bytes) is the associated data, the
   * nonce follows it, and the ciphertext runs to the signature. Optional: a
   * worker's takes the entry's bytes over once for both, where `checkEntry`
   * and `decrypt` would each take a copy (the whole board, on a joining
   * peer). What it decrypts is for an entry whose check is valid only.
   */
  checkAndDecrypt?(publicKey: Uint8Array, context: Uint8Array, entry: Uint8Array, key: CryptoKey, headerEnd: number): Promise<CheckedEntry>
  /**
   * AES-256-GCM encryption (the board store's records: storage/board-records.ts),
   * where the checks run. Optional: the page's own checks have none (the
   * store then encrypts on the page).
   */
  encrypt?(key: CryptoKey, iv: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): Promise<Uint8Array>
}

/** What `checkEntry` finds. */
export interface EntryCheck {
  readonly valid: boolean
  /** SHA-256 of the whole entry, signature included. */
  readonly digest: Uint8Array
}

/** What `checkAndDecrypt` finds. */
export interface CheckedEntry extends EntryCheck {
  /** The payload, or null if the entry does not decrypt under the key. Not to be used unless `valid`. */
  readonly plain: Uint8Array | null
}

/** An Ed25519 signature's length: the last bytes of every entry. */
export const SIGNATURE_BYTES = 64

/** The checks run on this thread. */
export const inlineCrypto: EntryCrypto = {
  verify: verifySignature,

  async decrypt(key, nonce, ciphertext, associatedData) {
    try {
      return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: buf(nonce), additionalData: buf(associatedData) }, key, buf(ciphertext)))
    } catch {
      return null
    }
  },
}

/** An entry's check by `work`: its own `checkEntry`, or `verify` and a digest. */
export async function checkEntryWith(work: EntryCrypto, publicKey: Uint8Array, context: Uint8Array, entry: Uint8Array): Promise<EntryCheck> {
  if (work.checkEntry) return work.checkEntry(publicKey, context, entry)
  const at = Math.max(0, entry.length - SIGNATURE_BYTES)
  const message = new Uint8Array(context.length + at)
  message.set(context)
  message.set(entry.subarray(0, at), context.length)
  const [valid, digest] = await Promise.all([work.verify(publicKey, entry.subarray(at), message), crypto.subtle.digest('SHA-256', entry as Uint8Array<ArrayBuffer>)])
  return { valid, digest: new Uint8Array(digest) }
}

/** An entry's check and its decryption (see `checkAndDecrypt`) by `work`: its own `checkAndDecrypt`, or its check and `decrypt` at once. */
export async function checkAndDecryptWith(work: EntryCrypto, publicKey: Uint8Array, context: Uint8Array, entry: Uint8Array, key: CryptoKey, headerEnd: number): Promise<CheckedEntry> {
  if (work.checkAndDecrypt) return work.checkAndDecrypt(publicKey, context, entry, key, headerEnd)
  const at = headerEnd + NONCE_BYTES
  const end = Math.max(at, entry.length - SIGNATURE_BYTES)
  const [check, plain] = await Promise.all([checkEntryWith(work, publicKey, context, entry), work.decrypt(key, entry.subarray(headerEnd, at), entry.subarray(at, end), entry.subarray(0, headerEnd))])
  return { valid: check.valid, digest: check.digest, plain }
}
