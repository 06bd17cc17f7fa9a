import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'

export const KEY_ID_BYTES = 8
const LABEL = utf8ToBytes('hearth/v2/key-id\0')

/**
 * Names a symmetric key in entry headers without revealing it: the first 8
 * bytes of SHA-256(label ‖ key). A device picks the key to open an entry by
 * this id (content keys of every epoch, invitation request keys, the room's
 * public-entry key), so epochs need no numbering that two concurrent
 * rotations could both claim.
 */
export function keyId(rawKey: Uint8Array): Uint8Array {
  const input = new Uint8Array(LABEL.length + rawKey.length)
  input.set(LABEL)
  input.set(rawKey, LABEL.length)
  return sha256(input).subarray(0, KEY_ID_BYTES)
}

/** The id written by version 1 entries, which all used the board's first content key. */
export const FIRST_KEY_ID: Uint8Array = new Uint8Array(KEY_ID_BYTES)

export const keyIdHex = (id: Uint8Array): string => [...id].map((b) => b.toString(16).padStart(2, '0')).join('')
