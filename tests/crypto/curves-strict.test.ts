/**
 * Hearth's encoding rules for Ed25519, byte by byte: what strictEd25519 lets
 * through to WebCrypto or the fallback. Eve, a member, crafts keys and
 * signatures at the edges of each rule; a rule that lets one through that it
 * should not leaves two devices free to disagree, and one that refuses an
 * honest encoding loses Alice's posts.
 */
import { describe, expect, it } from 'vitest'
import { strictEd25519 } from '../../src/crypto/curves-strict.ts'

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)))
const cat = (a: Uint8Array, b: Uint8Array) => new Uint8Array([...a, ...b])
/** 32 bytes: `fill` everywhere, then the given bytes at their indices. */
const bytes32 = (fill: number, at: Record<number, number> = {}) => Uint8Array.from({ length: 32 }, (_, i) => at[i] ?? fill)

// RFC 8032 §7.1, TEST 3: an honest key, R and s.
const KEY = hex('fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025')
const SIG = hex('6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a')
const R = SIG.subarray(0, 32)
const S = SIG.subarray(32)

/** Whether the encoding passes both as a key (with the honest signature) and as R (with the honest key). */
const asKeyAndR = (point: Uint8Array) => [strictEd25519(point, SIG), strictEd25519(KEY, cat(point, S))]

describe('strictEd25519', () => {
  it('lets an honest key and signature through, and nothing of another length', () => {
    expect(strictEd25519(KEY, SIG)).toBe(true)
    expect(strictEd25519(KEY.subarray(0, 31), SIG)).toBe(false)
    expect(strictEd25519(cat(KEY, new Uint8Array(1)), SIG)).toBe(false)
    expect(strictEd25519(KEY, SIG.subarray(0, 63))).toBe(false)
    expect(strictEd25519(KEY, cat(SIG, new Uint8Array(1)))).toBe(false)
  })

  it.each([
    ['the identity', '0100000000000000000000000000000000000000000000000000000000000000'],
    ['a point of order 8', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
    ['y = 0, x negative (order 4)', '0000000000000000000000000000000000000000000000000000000000000080'],
    ['another point of order 8', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
    ['y = -1 (order 2)', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'],
    ['its negative', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85'],
    ['y = 0 (order 4)', '0000000000000000000000000000000000000000000000000000000000000000'],
    ['the negative of the first', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa'],
  ])('refuses %s, a point of small order, as a key and as R', (_, point) => {
    expect(asKeyAndR(hex(point))).toEqual([false, false])
  })

  it('refuses y at or past p = 2^255 - 19, with or without the sign bit, as a key and as R', () => {
    expect(asKeyAndR(bytes32(0xff, { 0: 0xed, 31: 0x7f }))).toEqual([false, false]) // y = p
    expect(asKeyAndR(bytes32(0xff, { 0: 0xee, 31: 0x7f }))).toEqual([false, false]) // y = p + 1
    expect(asKeyAndR(bytes32(0xff, { 31: 0x7f }))).toEqual([false, false]) // y = 2^255 - 1
    expect(asKeyAndR(bytes32(0xff, { 0: 0xed }))).toEqual([false, false]) // y = p, sign bit set
  })

  it('lets through y just under p, and encodings that differ from p in any one byte', () => {
    // y = p - 2 (p - 1 is of small order).
    expect(asKeyAndR(bytes32(0xff, { 0: 0xeb, 31: 0x7f }))).toEqual([true, true])
    for (const i of [1, 15, 30]) expect(asKeyAndR(bytes32(0xff, { 0: 0xed, [i]: 0xfe, 31: 0x7f })), `byte ${i}`).toEqual([true, true])
    expect(asKeyAndR(bytes32(0xff, { 0: 0xed, 31: 0x7e }))).toEqual([true, true])
  })

  it('refuses x = 0 with the sign bit set (y = 1 or y = -1), and lets the sign bit through elsewhere', () => {
    expect(asKeyAndR(bytes32(0, { 0: 0x01, 31: 0x80 }))).toEqual([false, false]) // y = 1
    expect(asKeyAndR(bytes32(0xff, { 0: 0xec }))).toEqual([false, false]) // y = -1
    expect(asKeyAndR(bytes32(0, { 0: 0x02, 31: 0x80 }))).toEqual([true, true]) // y = 2
    expect(asKeyAndR(bytes32(0, { 0: 0x01, 31: 0x81 }))).toEqual([true, true]) // y = 1 + 2^248
    expect(asKeyAndR(bytes32(0xff, { 0: 0xec, 31: 0xfe }))).toEqual([true, true]) // y = -1 - 2^248
  })

  it('refuses s at or past the group order L, and lets every s under it through', () => {
    const L = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')
    const withS = (s: Uint8Array) => strictEd25519(KEY, cat(R, s))
    const plus = (n: Uint8Array, byte: number, by: number) => Uint8Array.from(n, (b, i) => (i === byte ? b + by : b))
    expect(withS(L)).toBe(false)
    expect(withS(plus(L, 0, 1))).toBe(false) // L + 1
    expect(withS(plus(L, 15, 1))).toBe(false)
    expect(withS(bytes32(0xff))).toBe(false)
    expect(withS(plus(L, 0, -1))).toBe(true) // L - 1
    expect(withS(plus(L, 15, -1))).toBe(true)
    expect(withS(bytes32(0xff, { 31: 0x0f }))).toBe(true)
    expect(withS(new Uint8Array(32))).toBe(true)
  })
})
