/**
 * Reading a PKCS#8 private key (curves-pkcs8.ts): the keyring's keys come in
 * WebCrypto's 48-byte form or OneAsymmetricKey's version 2; anything else,
 * a damaged blob or a key of the other curve, reads as nothing rather than
 * as some other 32 bytes to sign with.
 */
import { describe, expect, it } from 'vitest'
import { unwrapPkcs8, wrapPkcs8 } from '../../src/crypto/curves-pkcs8.ts'

const seed = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i)
const ED_OID = [0x2b, 0x65, 0x70]
const good = () => wrapPkcs8('Ed25519', seed)
/** The 48-byte form with the byte at `at` replaced. */
const patch = (at: number, value: number) => Uint8Array.from(good(), (b, i) => (i === at ? value : b))
const der = (...parts: (number | Uint8Array | readonly number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p])))
const read = (blob: Uint8Array) => unwrapPkcs8('Ed25519', blob)

describe('unwrapPkcs8', () => {
  it('reads the 48-byte form it writes, byte for byte, and version 1 of the same form', () => {
    expect(good()).toEqual(der(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, ED_OID, 0x04, 0x22, 0x04, 0x20, seed))
    expect(read(good())).toEqual(seed)
    expect(read(patch(4, 0x01))).toEqual(seed)
    expect(unwrapPkcs8('X25519', wrapPkcs8('X25519', seed))).toEqual(seed)
  })

  it('reads lengths in the long form, of one or two bytes, and no longer', () => {
    const body = good().subarray(2)
    expect(read(der(0x30, 0x81, 0x2e, body))).toEqual(seed)
    expect(read(der(0x30, 0x82, 0x00, 0x2e, body))).toEqual(seed)
    expect(read(der(0x30, 0x83, 0x00, 0x00, 0x2e, body))).toBeNull()
    // 0x80 alone: BER's indefinite length.
    expect(read(der(0x30, 0x80, body))).toBeNull()
  })

  it('refuses a blob cut short or run on', () => {
    expect(read(new Uint8Array(0))).toBeNull()
    expect(read(der(0x30))).toBeNull()
    expect(read(der(0x30, 0x82, 0x00))).toBeNull()
    expect(read(good().subarray(0, 47))).toBeNull()
    expect(read(der(good(), 0x00))).toBeNull()
    // The outer length fits a key one byte short; the inner lengths claim the byte that is not there.
    expect(read(der(0x30, 0x2d, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, ED_OID, 0x04, 0x22, 0x04, 0x20, seed.subarray(0, 31)))).toBeNull()
  })

  it.each([
    ['the outer tag is not a SEQUENCE', 0, 0x31],
    ['the version is not an INTEGER', 2, 0x04],
    ['the version is 2', 4, 0x02],
    ['the algorithm is not a SEQUENCE', 5, 0x31],
    ['the algorithm is not an OID', 7, 0x05],
    ['the OID’s first byte differs', 9, 0x2a],
    ['the OID’s middle byte differs', 10, 0x64],
    ['the key is not in an OCTET STRING', 12, 0x03],
    ['the key itself is not an OCTET STRING', 14, 0x03],
  ])('refuses it when %s', (_, at, value) => {
    expect(read(patch(at, value))).toBeNull()
  })

  it('refuses a version of two bytes, algorithm parameters, a longer OID, a short key, or bytes after the key', () => {
    const key = der(0x04, 0x22, 0x04, 0x20, seed)
    expect(read(der(0x30, 0x2f, 0x02, 0x02, 0x00, 0x00, 0x30, 0x05, 0x06, 0x03, ED_OID, key))).toBeNull()
    expect(read(der(0x30, 0x30, 0x02, 0x01, 0x00, 0x30, 0x07, 0x06, 0x03, ED_OID, 0x05, 0x00, key))).toBeNull()
    expect(read(der(0x30, 0x2f, 0x02, 0x01, 0x00, 0x30, 0x06, 0x06, 0x04, ED_OID, 0x01, key))).toBeNull()
    expect(read(der(0x30, 0x2d, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, ED_OID, 0x04, 0x21, 0x04, 0x1f, seed.subarray(0, 31)))).toBeNull()
    expect(read(der(0x30, 0x2f, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, ED_OID, 0x04, 0x23, 0x04, 0x20, seed, 0x00))).toBeNull()
  })

  it('gives a copy: changing it leaves the blob as it was', () => {
    const blob = good()
    read(blob)!.fill(0)
    expect(read(blob)).toEqual(seed)
  })
})

describe('wrapPkcs8', () => {
  it('takes only a 32-byte private key', () => {
    expect(() => wrapPkcs8('Ed25519', seed.subarray(0, 31))).toThrow('32 bytes')
    expect(() => wrapPkcs8('X25519', new Uint8Array(33))).toThrow('32 bytes')
  })
})
