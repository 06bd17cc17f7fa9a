/**
 * The keys that come from the device file's root key (HKDF-SHA-256, one
 * label per use). The keyring's key-encryption key (KEK) always depends on
 * the root key, so once the device file is destroyed no copy of the keyring
 * opens — with the passphrase or without.
 *
 * - device mode: KEK = HKDF(ikm = root key, info "…/device")
 * - passphrase mode: KEK = HKDF(ikm = scrypt(passphrase), salt = root key, info "…/passphrase")
 * - duress verifier: HKDF(ikm = scrypt(duress passphrase), salt = duress salt, info "…/duress")
 *
 * In passphrase mode the scrypt output is kept while unlocked as a
 * non-extractable HKDF key (the "passphrase key"), so the keyring can be
 * re-keyed under a new root key without asking for the passphrase again.
 */
const encoder = new TextEncoder()
const INFO = {
  device: encoder.encode('hearth/v3/keyring/device'),
  passphrase: encoder.encode('hearth/v3/keyring/passphrase'),
  duress: encoder.encode('hearth/v3/keyring/duress'),
}
const EMPTY = new Uint8Array(0)
const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)
const AES = { name: 'AES-GCM', length: 256 } as const

/** Imports raw bytes as a non-extractable HKDF key; the caller zeroes its copy. */
export function hkdfKey(bytes: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', buf(bytes), 'HKDF', false, ['deriveKey', 'deriveBits'])
}

export async function deviceKek(root: Uint8Array): Promise<CryptoKey> {
  const ikm = await hkdfKey(root)
  return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: EMPTY, info: INFO.device }, ikm, AES, false, ['encrypt', 'decrypt'])
}

/** `passphraseKey`: hkdfKey(scrypt output). */
export function passphraseKek(passphraseKey: CryptoKey, root: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: buf(root), info: INFO.passphrase }, passphraseKey, AES, false, ['encrypt', 'decrypt'])
}

/** 32 bytes that prove a passphrase is the duress passphrase, and nothing else about it. */
export async function duressTag(passphraseKey: CryptoKey, salt: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: buf(salt), info: INFO.duress }, passphraseKey, 256))
}

/** Compares without stopping at the first difference. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}
