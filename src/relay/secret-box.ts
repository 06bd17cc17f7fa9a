import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * AES-256-GCM for what the relay writes to disk, under its store key:
 * `iv (12) ‖ ciphertext ‖ tag (16)`. The associated data says what a blob is
 * and whose (a board's record, a board's update), so blobs cannot be moved
 * from one place to another on disk unnoticed.
 */
export class SecretBox {
  readonly #key: Buffer

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError('A store key is 32 bytes')
    this.#key = Buffer.from(key)
  }

  seal(plain: Uint8Array, ad: string): Buffer {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    cipher.setAAD(Buffer.from(ad, 'utf8'))
    const body = Buffer.concat([cipher.update(plain), cipher.final()])
    return Buffer.concat([iv, body, cipher.getAuthTag()])
  }

  /** The plaintext, or null if the blob was altered, moved or sealed under another key. */
  open(blob: Uint8Array, ad: string): Uint8Array | null {
    if (blob.length < IV_BYTES + TAG_BYTES) return null
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, blob.subarray(0, IV_BYTES))
      decipher.setAAD(Buffer.from(ad, 'utf8'))
      decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES))
      return new Uint8Array(Buffer.concat([decipher.update(blob.subarray(IV_BYTES, blob.length - TAG_BYTES)), decipher.final()]))
    } catch {
      return null
    }
  }
}
