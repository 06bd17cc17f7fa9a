/** AES-GCM's nonce: 96 bits. */
export const NONCE_BYTES = 12

/** WebCrypto takes views of an ArrayBuffer (it copies what it reads): copy only a view of anything else. */
export const arrayBufferView = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b))

/**
 * AES-256-GCM encryption with WebCrypto on this thread (Chromium encrypts
 * inside the call, on the calling thread). Unlike a decryption, a failure is
 * an error: a key that cannot encrypt.
 */
export async function encryptHere(key: CryptoKey, iv: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: arrayBufferView(iv), additionalData: arrayBufferView(associatedData) }, key, arrayBufferView(plaintext)))
}
