/**
 * The forensic scan's snappy reader meets whatever bytes a profile holds:
 * anything that is not valid snappy must come back as null, never throw
 * (a thrown error ends the whole scan, as it once did in CI on one block).
 */
import { describe, expect, it } from 'vitest'
import { unsnappy } from './forensic/snappy.ts'

describe("the forensic scan's snappy reader", () => {
  it('reads a literal and a copy', () => {
    // 8 bytes out: literal "abcd" (tag 3<<2), then copy 4 bytes from offset 4 (kind 1: len 4 → 0, offset 4).
    expect(unsnappy(Uint8Array.from([8, 3 << 2, 97, 98, 99, 100, 0b000_000_01, 4]))).toEqual(new TextEncoder().encode('abcdabcd'))
  })

  it('answers null, without throwing, for a literal whose 4-byte length has its top bit set', () => {
    // Tag 63<<2: a literal whose length follows in 4 bytes; 0x80 in the last one made the length negative.
    const input = Uint8Array.from([16, 63 << 2, 0, 0, 0, 0x80, 1, 2, 3, 4, 5])
    expect(() => unsnappy(input)).not.toThrow()
    expect(unsnappy(input)).toBeNull()
  })
})
