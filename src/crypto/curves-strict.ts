/**
 * Encoding rules every Ed25519 verification in Hearth applies first, whichever
 * implementation runs next (WebCrypto or the fallback).
 *
 * Two honest devices must reach the same verdict on the same signed entry.
 * Implementations disagree on edge cases a malicious signer can craft (RFC 8032
 * leaves them open; see "Taming the many EdDSAs", Chalkias et al. 2020):
 * non-canonical encodings of the key or of R, small-order keys (which make one
 * signature valid for every message) and small-order R. Refusing those here,
 * by their bytes alone, makes such inputs fail everywhere. What is left is the
 * cofactorless equation [s]B = R + [k]A, which both of Hearth's paths check.
 */

/** The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian bytes. */
const L = [
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]

/** The eight points of small order, canonically encoded (y little-endian, x's sign in the top bit). */
const SMALL_ORDER = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
]

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

/** y < p = 2^255 - 19, and x = 0 (y = ±1) never with the sign bit set. */
function canonicalPoint(p: Uint8Array): boolean {
  const top = p[31]! & 0x7f
  let allOnes = top === 0x7f
  for (let i = 1; i < 31 && allOnes; i++) allOnes = p[i] === 0xff
  if (allOnes && p[0]! >= 0xed) return false
  const sign = (p[31]! & 0x80) !== 0
  if (!sign) return true
  const y = hex(p.subarray(0, 31)) + (top).toString(16).padStart(2, '0')
  return y !== '0100000000000000000000000000000000000000000000000000000000000000' && y !== 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
}

/** s < L, compared as 256-bit little-endian numbers. */
function canonicalScalar(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i]! !== L[i]!) return s[i]! < L[i]!
  }
  return false
}

/** Whether a public key and signature pass Hearth's encoding rules (lengths included). */
export function strictEd25519(publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false
  const r = signature.subarray(0, 32)
  if (!canonicalPoint(publicKey) || !canonicalPoint(r) || !canonicalScalar(signature.subarray(32))) return false
  const a = hex(publicKey)
  const rh = hex(r)
  return !SMALL_ORDER.includes(a) && !SMALL_ORDER.includes(rh)
}
