import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../src/crypto/index.ts'
import { decodeContent, decodeGift, decodeRequest, decodeRotate, decodeWelcome, encodeContent, encodeGift, encodeRequest, encodeRotate, encodeWelcome, entryHash, entryHashNative, lockboxContext, requestProofMessage } from '../../src/sealed/payloads.ts'

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

/** JSON text as the bytes an entry carries. */
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))
const b64 = (n: number, fill: number) => toBase64url(new Uint8Array(n).fill(fill))

describe('content payloads: the heads its author had seen, then the Yjs update', () => {
  const head = (fill: number) => new Uint8Array(16).fill(fill)

  it('Bob’s post naming two heads reads back as those heads and the exact update', () => {
    const update = bytes(40, 5)
    const raw = encodeContent([toBase64url(head(1)), toBase64url(head(2))], update)
    expect([...raw]).toEqual([2, ...head(1), ...head(2), ...update])
    expect(decodeContent(raw)).toEqual({ heads: [toBase64url(head(1)), toBase64url(head(2))], update })
  })

  it('a post with no heads and an empty update still reads (one byte: the count)', () => {
    expect(decodeContent(Uint8Array.of(0))).toEqual({ heads: [], update: new Uint8Array(0) })
    expect(decodeContent(new Uint8Array(0)), 'no count at all').toBeNull()
  })

  it('Eve’s post claims more heads than it holds: refused, even one byte short', () => {
    const twoHeads = Uint8Array.from([2, ...head(1), ...head(2)])
    expect(decodeContent(twoHeads)).toEqual({ heads: [toBase64url(head(1)), toBase64url(head(2))], update: new Uint8Array(0) })
    expect(decodeContent(twoHeads.subarray(0, twoHeads.length - 1))).toBeNull()
  })

  it('64 heads are the most a post may name; Eve’s 65 are refused', () => {
    const heads = (n: number) => Uint8Array.from([n, ...Array.from({ length: n }, (_, i) => [...head(i)]).flat()])
    expect(decodeContent(heads(64))?.heads).toHaveLength(64)
    expect(decodeContent(heads(65))).toBeNull()
  })
})

describe('join requests, as Carol’s device writes them and Alice’s reads them', () => {
  const carol = { name: 'Carol', agree: new Uint8Array(32).fill(1), invite: new Uint8Array(16).fill(2), proof: new Uint8Array(64).fill(3) }
  const fields = { v: 1, name: 'Carol', agree: b64(32, 1), invite: b64(16, 2), proof: b64(64, 3) }

  it('reads back what Carol wrote, her name trimmed', () => {
    expect(decodeRequest(encodeRequest(carol))).toEqual(carol)
    expect(decodeRequest(json({ ...fields, name: '  Carol \n' }))?.name).toBe('Carol')
  })

  it('a name of 60 characters (emoji count as one) is kept; 61, or only spaces, is refused', () => {
    expect(decodeRequest(json({ ...fields, name: '🙂'.repeat(60) }))?.name).toBe('🙂'.repeat(60))
    expect(decodeRequest(json({ ...fields, name: '🙂'.repeat(61) }))).toBeNull()
    expect(decodeRequest(json({ ...fields, name: '   ' }))).toBeNull()
    expect(decodeRequest(json({ ...fields, name: 7 }))).toBeNull()
  })

  it('Eve’s requests with a wrong version, key, invitation or proof length are refused', () => {
    expect(decodeRequest(json({ ...fields, v: 2 }))).toBeNull()
    for (const [field, n] of [['agree', 32], ['invite', 16], ['proof', 64]] as const) {
      expect(decodeRequest(json({ ...fields, [field]: b64(n - 1, 1) })), `${field} one byte short`).toBeNull()
      expect(decodeRequest(json({ ...fields, [field]: b64(n + 1, 1) })), `${field} one byte long`).toBeNull()
      expect(decodeRequest(json({ ...fields, [field]: [...new Uint8Array(n)] })), `${field} not a string`).toBeNull()
      expect(decodeRequest(json({ ...fields, [field]: '!' })), `${field} not base64url`).toBeNull()
    }
  })

  it('keys, invitation and proof must be base64url text: the same characters as a list are refused', () => {
    const asList = (text: string) => [...text]
    for (const field of ['agree', 'invite', 'proof'] as const) expect(decodeRequest(json({ ...fields, [field]: asList(fields[field]) })), field).toBeNull()
  })

  it('what the invitation key signs is "hearth/v2/request\\0" ‖ board id ‖ signing key ‖ agreement key: a proof for another purpose or board is no proof', () => {
    const board = bytes(16, 1)
    const sign = bytes(32, 50)
    const agree = bytes(32, 100)
    expect([...requestProofMessage(board, sign, agree)]).toEqual([...new TextEncoder().encode('hearth/v2/request\0'), ...board, ...sign, ...agree])
  })

  it('bytes that are not JSON, not UTF-8, or JSON that is not an object are refused, never thrown', () => {
    expect(decodeRequest(new TextEncoder().encode('{"v":1,'))).toBeNull()
    expect(decodeRequest(Uint8Array.of(0x7b, 0xff, 0x7d))).toBeNull()
    expect(decodeRequest(json(null))).toBeNull()
    expect(decodeRequest(json(1))).toBeNull()
  })
})

describe('key gifts in lockboxes', () => {
  const gift = { contentKeys: [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)], transport: new Uint8Array(32).fill(3) }

  it('Bob’s welcome gives him every content key, oldest first, and the transport secret', () => {
    expect(decodeGift(encodeGift(gift))).toEqual(gift)
    expect(decodeGift(encodeGift({ contentKeys: [], transport: gift.transport })), 'a relay’s gift').toEqual({ contentKeys: [], transport: gift.transport })
  })

  it('a gift of 10,000 keys is read; Eve’s 10,001 are refused', () => {
    const keys = (n: number) => Array.from({ length: n }, () => b64(32, 4))
    expect(decodeGift(json({ v: 1, k: keys(10_000), t: b64(32, 3) }))?.contentKeys).toHaveLength(10_000)
    expect(decodeGift(json({ v: 1, k: keys(10_001), t: b64(32, 3) }))).toBeNull()
  })

  it('a gift with a wrong version, a key of the wrong length or type, or a transport secret of the wrong length or type is refused', () => {
    const good = { v: 1, k: [b64(32, 1)], t: b64(32, 3) }
    expect(decodeGift(json(good))).not.toBeNull()
    expect(decodeGift(json({ ...good, v: 2 }))).toBeNull()
    expect(decodeGift(json({ ...good, k: b64(32, 1) }))).toBeNull()
    expect(decodeGift(json({ ...good, k: [b64(31, 1)] }))).toBeNull()
    expect(decodeGift(json({ ...good, k: [b64(32, 1), 5] }))).toBeNull()
    expect(decodeGift(json({ ...good, t: b64(31, 3) }))).toBeNull()
    expect(decodeGift(json({ ...good, t: [...new Uint8Array(32)] }))).toBeNull()
    expect(decodeGift(Uint8Array.of(0xff))).toBeNull()
    // The same characters as a list are not text.
    expect(decodeGift(json({ ...good, k: [[...b64(32, 1)]] }))).toBeNull()
    expect(decodeGift(json({ ...good, t: [...b64(32, 3)] }))).toBeNull()
  })
})

describe('welcome and rotation payloads that are too short', () => {
  it('a welcome must hold more than its 16-byte request hash; a rotation more than its 32-byte header', () => {
    expect(decodeWelcome(bytes(16, 1))).toBeNull()
    expect(decodeWelcome(bytes(17, 1))).toEqual({ request: toBase64url(bytes(16, 1)), lockboxes: Uint8Array.of(17) })
    expect(decodeRotate(bytes(32, 1))).toBeNull()
    expect(decodeRotate(bytes(33, 1))?.lockboxes).toEqual(Uint8Array.of(33))
  })
})

describe('an entry’s hash', () => {
  it('is the same by the platform’s SHA-256 as by the one in the code, for views into a larger buffer too', async () => {
    const buffer = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31 + (i >> 7)) & 0xff)
    for (const [from, to] of [[0, 0], [0, 1], [5, 69], [1000, 70_000], [3, 64_003]] as const) {
      const view = buffer.subarray(from, to)
      expect(await entryHashNative(view)).toBe(entryHash(view))
    }
    // The first 16 bytes of SHA-256("abc"), base64url.
    expect(await entryHashNative(new TextEncoder().encode('abc'))).toBe(toBase64url(Uint8Array.from([0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23])))
  })
})
