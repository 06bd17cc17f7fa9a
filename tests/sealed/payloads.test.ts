import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../src/crypto/index.ts'
import { decodeRotate, decodeWelcome, encodeRotate, encodeWelcome, entryHash, entryHashNative, lockboxContext } from '../../src/sealed/payloads.ts'

const bytes = (n: number, from: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff)
/** Byte equality of large arrays (toEqual compares 150,000 elements one by one through its matchers: seconds on a loaded machine). */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))

describe('welcome and rotation payloads, byte for byte', () => {
  it('Ana’s rotation for a circle of a thousand (150 KB of lockboxes) is key id ‖ parent id ‖ control hash ‖ lockboxes, and reads back', () => {
    const key = bytes(8, 1)
    const parent = bytes(8, 20)
    const control = bytes(16, 40)
    const lockboxes = bytes(150_000, 7)
    const raw = encodeRotate(key, parent, toBase64url(control), lockboxes)
    expect(raw.length).toBe(32 + 150_000)
    expect([...raw.subarray(0, 32)]).toEqual([...key, ...parent, ...control])
    expect(same(raw.subarray(32), lockboxes)).toBe(true)
    const read = decodeRotate(raw)!
    expect(read.key).toEqual(key)
    expect(read.parent).toEqual(parent)
    expect(read.control).toBe(toBase64url(control))
    expect(read.lockboxes.length).toBe(150_000)
    expect(same(read.lockboxes, lockboxes)).toBe(true)
  })

  it('Bob’s welcome is his request hash ‖ the lockbox set, and reads back', () => {
    const request = bytes(16, 90)
    const lockboxes = bytes(120, 3)
    const raw = encodeWelcome(toBase64url(request), lockboxes)
    expect([...raw]).toEqual([...request, ...lockboxes])
    expect(decodeWelcome(raw)).toEqual({ request: toBase64url(request), lockboxes })
  })

  it('a lockbox context is "hearth/v2/<purpose>\\0" ‖ board id ‖ what it is bound to', () => {
    const board = bytes(16, 200)
    const binding = bytes(8, 9)
    expect([...lockboxContext('rotate', board, binding)]).toEqual([...new TextEncoder().encode('hearth/v2/rotate\0'), ...board, ...binding])
    expect([...lockboxContext('welcome', board, binding)]).toEqual([...new TextEncoder().encode('hearth/v2/welcome\0'), ...board, ...binding])
  })
})

describe('an entry’s hash', () => {
  it('is the same by the platform’s SHA-256 as by the one in the code, for views into a larger buffer too', async () => {
    const buffer = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31 + (i >> 7)) & 0xff)
    for (const [from, to] of [[0, 0], [0, 1], [5, 69], [1000, 70_000], [3, 64_003]] as const) {
      const bytes = buffer.subarray(from, to)
      expect(await entryHashNative(bytes)).toBe(entryHash(bytes))
    }
    // The first 16 bytes of SHA-256("abc"), base64url.
    expect(await entryHashNative(new TextEncoder().encode('abc'))).toBe(toBase64url(Uint8Array.from([0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23])))
  })
})
