/**
 * The fallback for browsers without WebCrypto Ed25519/X25519: @noble/curves
 * (audited, no dependencies beyond @noble/hashes), in its own chunk that only
 * such browsers load. Private keys are plain bytes in memory here, unlike
 * WebCrypto's non-extractable keys: a script running in the page could read
 * them while the app is unlocked.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { concatBytes, randomBytes } from '@noble/hashes/utils.js'
import type { Ed25519Impl, X25519Impl } from './curves.ts'
import { unwrapPkcs8, wrapPkcs8 } from './curves-pkcs8.ts'
import { strictEd25519 } from './curves-strict.ts'

const { Point } = ed25519
const ORDER = Point.Fn.ORDER

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

function seedOf(curve: 'Ed25519' | 'X25519', pkcs8: Uint8Array): Uint8Array {
  const seed = unwrapPkcs8(curve, pkcs8)
  if (!seed) throw new Error(`not a PKCS#8 ${curve} private key`)
  return seed
}

/**
 * Checks [s]B = R + [k]A without the cofactor, comparing encodings, as
 * BoringSSL (Chromium's WebCrypto) and OpenSSL do. noble's own verify is
 * cofactored, which accepts some crafted signatures those refuse.
 */
function verifyCofactorless(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean {
  const r = signature.subarray(0, 32)
  const s = littleEndian(signature.subarray(32))
  const A = Point.fromBytes(publicKey)
  const k = littleEndian(sha512(concatBytes(r, publicKey, message))) % ORDER
  const check = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k)).toBytes()
  return check.every((b, i) => b === r[i])
}

export const nobleEd25519: Ed25519Impl = {
  source: 'noble',
  async generate() {
    const seed = randomBytes(32)
    return { pkcs8: wrapPkcs8('Ed25519', seed), publicKey: ed25519.getPublicKey(seed) }
  },
  async signer(pkcs8) {
    const seed = seedOf('Ed25519', pkcs8)
    return async (message) => ed25519.sign(message, seed)
  },
  async publicKey(pkcs8) {
    return ed25519.getPublicKey(seedOf('Ed25519', pkcs8))
  },
  async verify(publicKey, signature, message) {
    if (!strictEd25519(publicKey, signature)) return false
    try {
      return verifyCofactorless(publicKey, signature, message)
    } catch {
      return false
    }
  },
}

export const nobleX25519: X25519Impl = {
  source: 'noble',
  async generate() {
    const seed = randomBytes(32)
    return { pkcs8: wrapPkcs8('X25519', seed), publicKey: x25519.getPublicKey(seed) }
  },
  async agree(pkcs8, peerPublic) {
    if (peerPublic.length !== 32) return null
    const seed = seedOf('X25519', pkcs8)
    try {
      // Throws on an all-zero result (a small-order peer key), as WebCrypto does.
      return x25519.getSharedSecret(seed, peerPublic)
    } catch {
      return null
    }
  },
}
