/**
 * PKCS#8 (RFC 5208 / RFC 8410) for the two curves Hearth uses, so that keys made
 * by WebCrypto and by the fallback are the same bytes in the keyring.
 *
 * Writes the 48-byte version-1 form WebCrypto exports. Reads that form and the
 * version-2 form (OneAsymmetricKey, RFC 5958) that may carry the public key too.
 */

/** The DER of the algorithm identifier's OID: id-Ed25519 (1.3.101.112) or id-X25519 (1.3.101.110). */
export const CURVE_OIDS = { Ed25519: [0x2b, 0x65, 0x70], X25519: [0x2b, 0x65, 0x6e] } as const

export type CurveName = keyof typeof CURVE_OIDS

/** SEQUENCE { INTEGER 0, SEQUENCE { OID }, OCTET STRING { OCTET STRING seed } } */
export function wrapPkcs8(curve: CurveName, seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new Error('wrapPkcs8: a curve25519 private key is 32 bytes')
  return new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, ...CURVE_OIDS[curve], 0x04, 0x22, 0x04, 0x20, ...seed])
}

/** The 32-byte private key inside a PKCS#8 blob of that curve, or null for anything else. */
export function unwrapPkcs8(curve: CurveName, der: Uint8Array): Uint8Array | null {
  const outer = readTlv(der, 0)
  if (!outer || outer.tag !== 0x30 || outer.end !== der.length) return null
  const version = readTlv(der, outer.start)
  if (!version || version.tag !== 0x02 || version.end - version.start !== 1 || der[version.start]! > 1) return null
  const algorithm = readTlv(der, version.end)
  if (!algorithm || algorithm.tag !== 0x30) return null
  const oid = readTlv(der, algorithm.start)
  const expected = CURVE_OIDS[curve]
  // RFC 8410: the parameters are absent, so the OID is the whole algorithm identifier.
  if (!oid || oid.tag !== 0x06 || oid.end !== algorithm.end || oid.end - oid.start !== expected.length) return null
  if (!expected.every((b, i) => der[oid.start + i] === b)) return null
  const wrapped = readTlv(der, algorithm.end)
  if (!wrapped || wrapped.tag !== 0x04) return null
  const key = readTlv(der, wrapped.start)
  if (!key || key.tag !== 0x04 || key.end !== wrapped.end || key.end - key.start !== 32) return null
  return der.slice(key.start, key.end)
}

/** One DER tag-length-value with a short or one/two-byte long length; null if it does not fit. */
function readTlv(der: Uint8Array, at: number): { tag: number; start: number; end: number } | null {
  if (at + 2 > der.length) return null
  const tag = der[at]!
  let length = der[at + 1]!
  let start = at + 2
  if (length & 0x80) {
    const bytes = length & 0x7f
    if (bytes < 1 || bytes > 2 || start + bytes > der.length) return null
    length = 0
    for (let i = 0; i < bytes; i++) length = (length << 8) | der[start + i]!
    start += bytes
  }
  const end = start + length
  return end <= der.length ? { tag, start, end } : null
}
