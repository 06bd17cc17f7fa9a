import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { toBase64url } from './base64url.ts'
import { curves } from './curves.ts'

/**
 * A device's identity on every board: an Ed25519 signing key (signs every entry
 * it writes) and an X25519 key-agreement key (for lockboxes: key rotation and
 * in-person pairing). Private keys are used through WebCrypto as non-extractable
 * CryptoKeys where the browser has these curves (else through the fallback,
 * see curves.ts); their PKCS#8 bytes exist only inside the encrypted keyring.
 */
export interface DeviceKeyMaterial {
  readonly signPkcs8: Uint8Array
  readonly signPublic: Uint8Array
  readonly agreePkcs8: Uint8Array
  readonly agreePublic: Uint8Array
}

/** Signs bytes as this device. */
export interface DeviceSigner {
  readonly publicKey: Uint8Array
  readonly agreePublic: Uint8Array
  sign(message: Uint8Array): Promise<Uint8Array>
}

/**
 * Creates a new device identity (Ed25519 + X25519), through WebCrypto or the
 * fallback (see curves.ts). Never one whose bound client id falls below
 * BOUND_CLIENT_IDS_FROM (once in about 2^21 keys): there, on a board that
 * still accepts entries from before sealed boards, such entries may write,
 * and they could write under this device's id.
 */
export async function generateDeviceKeys(): Promise<DeviceKeyMaterial> {
  const { ed25519, x25519 } = await curves()
  const [first, agree] = await Promise.all([ed25519.generate(), x25519.generate()])
  let sign = first
  while (boundClientId(sign.publicKey) < BOUND_CLIENT_IDS_FROM) sign = await ed25519.generate()
  return { signPkcs8: sign.pkcs8, signPublic: sign.publicKey, agreePkcs8: agree.pkcs8, agreePublic: agree.publicKey }
}

/** Imports the signing key; through WebCrypto it is a non-extractable CryptoKey: scripts can sign with it but never read it. */
export async function importDeviceSigner(material: DeviceKeyMaterial): Promise<DeviceSigner> {
  const sign = await (await curves()).ed25519.signer(material.signPkcs8)
  return { publicKey: material.signPublic, agreePublic: material.agreePublic, sign }
}

/**
 * Verifies an Ed25519 signature. Returns false (never throws) for malformed keys
 * or signatures, and for encodings some implementations would accept and others
 * not (curves-strict.ts), so every device reaches the same verdict.
 */
export async function verifySignature(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false
  return (await curves()).ed25519.verify(publicKey, signature, message)
}

/**
 * X25519 between this device and another device's agreement key: the 32-byte
 * shared secret (to be put through a KDF, never used as a key directly), or
 * null when the other key is malformed or of small order.
 */
export async function agreeWithDevice(material: DeviceKeyMaterial, peerAgreePublic: Uint8Array): Promise<Uint8Array | null> {
  return (await curves()).x25519.agree(material.agreePkcs8, peerAgreePublic)
}

/** Short, stable id of a device for map keys and people: base64url of SHA-256(public key)[0..8]. */
export function deviceTag(publicKey: Uint8Array): string {
  return toBase64url(sha256(publicKey).subarray(0, 8))
}

/**
 * A fingerprint people can compare aloud: 4 groups of 4 hex digits of
 * SHA-256(public key). Shown beside display names, so a name typed by someone
 * else cannot pass for a member.
 */
export function fingerprint(publicKey: Uint8Array): string {
  const hex = [...sha256(publicKey).subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('')
  return hex.toUpperCase().match(/.{4}/g)!.join(' ')
}

/**
 * The Yjs client id a device writes the readable board with, derived from its
 * signing key. Entries are checked to contain only their author's client id,
 * so every item's creator can be traced to a signature.
 *
 * 53 bits (the most a JavaScript number holds exactly, and what Yjs's varuint
 * encoding carries): finding another key with the same id costs about 2^53
 * key generations, where 32 bits cost a few hundred core-hours. Never 0.
 */
export function boundClientId(publicKey: Uint8Array): number {
  const h = sha256(new Uint8Array([...utf8ToBytes('hearth/v2/yjs-client'), ...publicKey]))
  let id = h[0]! & 0x1f
  for (let i = 1; i < 7; i++) id = id * 256 + h[i]!
  return id || 1
}

/**
 * Client ids from here on can only be `boundClientId`s: every id Yjs or
 * `legacyBoundClientId` makes is below. A bound id falls below it too, once
 * in about 2^21 keys; `generateDeviceKeys` never makes such a key (since
 * December 2026: a device made before may have one, with that chance).
 */
export const BOUND_CLIENT_IDS_FROM = 2 ** 32

/** The 32-bit client id of version 1 entries (before membership); only such entries may use it. */
export function legacyBoundClientId(publicKey: Uint8Array): number {
  const h = sha256(new Uint8Array([...utf8ToBytes('hearth/v1/yjs-client'), ...publicKey]))
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0 || 1
}
