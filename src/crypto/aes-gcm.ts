/** WebCrypto takes views of an ArrayBuffer (it copies what it reads): copy only a view of anything else. */
export const arrayBufferView = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b))

/**
 * AES-256-GCM encryption with WebCrypto on this thread (Chromium encrypts
 * inside the call, on the calling thread), the nonce first: `iv ‖
 * ciphertext` in one buffer, as a stored record holds it. Joining the two
 * copies the ciphertext, so it is done where the encryption runs: in the
 * crypto worker, off the page (a sync writes megabytes). Unlike a
 * decryption, a failure is an error: a key that cannot encrypt.
 */
export async function sealHere(key: CryptoKey, iv: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): Promise<Uint8Array> {
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: arrayBufferView(iv), additionalData: arrayBufferView(associatedData) }, key, arrayBufferView(plaintext)))
  const out = new Uint8Array(iv.length + ct.length)
  out.set(iv)
  out.set(ct, iv.length)
  return out
}
