import { describe, expect, it } from 'vitest'
import { encodeFrames, FLAG_FINAL, FLAG_TEXT, Reassembler, type PushResult } from '../../src/sync/chunk-framing.ts'

function reassemble(frames: Uint8Array[], max = 1 << 20): PushResult[] {
  const r = new Reassembler(max)
  return frames.map((f) => r.push(f))
}

function bytes(n: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
}

describe('encodeFrames', () => {
  it('sends the empty message as one FINAL frame with no payload', () => {
    expect(encodeFrames(new Uint8Array(0), 16)).toEqual([Uint8Array.of(FLAG_FINAL)])
  })

  it('fills frames exactly when the message is a multiple of the payload size', () => {
    const frames = encodeFrames(bytes(12), 5) // 4 payload bytes per frame
    expect(frames.map((f) => f.byteLength)).toEqual([5, 5, 5])
    expect(frames.map((f) => f[0])).toEqual([0, 0, FLAG_FINAL])
  })

  it('adds a one-byte frame when the message is one byte over', () => {
    const frames = encodeFrames(bytes(13), 5)
    expect(frames.map((f) => f.byteLength)).toEqual([5, 5, 5, 2])
    expect(frames.at(-1)).toEqual(Uint8Array.of(FLAG_FINAL, 12 * 31 + 1))
  })

  it('never makes a frame bigger than chunkSize and copies the input', () => {
    const message = bytes(40_000)
    const frames = encodeFrames(message, 16 * 1024)
    expect(Math.max(...frames.map((f) => f.byteLength))).toBeLessThanOrEqual(16 * 1024)
    message.fill(0)
    const result = reassemble(frames).at(-1)
    expect(result).toEqual({ kind: 'binary', data: bytes(40_000) })
  })

  it('marks every frame of a string as TEXT', () => {
    const frames = encodeFrames(new TextEncoder().encode('x'.repeat(10)), 4, true)
    expect(frames.every((f) => ((f[0] as number) & FLAG_TEXT) !== 0)).toBe(true)
  })

  it('rejects a chunk size that cannot carry payload', () => {
    expect(() => encodeFrames(bytes(3), 1)).toThrow(RangeError)
  })
})

describe('Reassembler', () => {
  it.each([0, 1, 4, 5, 8, 9, 1000])('round-trips %i bytes through 5-byte frames', (n) => {
    const results = reassemble(encodeFrames(bytes(n, n), 5))
    expect(results.slice(0, -1).every((r) => r.kind === 'partial')).toBe(true)
    expect(results.at(-1)).toEqual({ kind: 'binary', data: bytes(n, n) })
  })

  it('round-trips text with multi-byte characters split across frames', () => {
    const text = 'مرحبا — Привет — Merhaba — سلام 🏳️‍🌈'
    const results = reassemble(encodeFrames(new TextEncoder().encode(text), 3, true))
    expect(results.at(-1)).toEqual({ kind: 'text', data: text })
  })

  it('delivers consecutive messages separately', () => {
    const r = new Reassembler(100)
    const out = [...encodeFrames(bytes(7, 1), 4), ...encodeFrames(bytes(0), 4), ...encodeFrames(bytes(3, 2), 4)]
      .map((f) => r.push(f))
      .filter((x) => x.kind !== 'partial')
    expect(out).toEqual([
      { kind: 'binary', data: bytes(7, 1) },
      { kind: 'binary', data: new Uint8Array(0) },
      { kind: 'binary', data: bytes(3, 2) },
    ])
  })

  it('accepts a message of exactly maxMessageSize and refuses one byte more', () => {
    expect(reassemble(encodeFrames(bytes(64), 10), 64).at(-1)?.kind).toBe('binary')
    const over = reassemble(encodeFrames(bytes(65), 10), 64)
    expect(over.at(-1)).toMatchObject({ kind: 'error', error: { code: 'too-large' } })
  })

  it('refuses an endless message as soon as it crosses the cap, holding no more than the cap', () => {
    const r = new Reassembler(1000)
    const frame = new Uint8Array(101) // header 0: more follows
    let result: PushResult = { kind: 'partial' }
    let pushed = 0
    while (result.kind === 'partial' && pushed < 1000) {
      result = r.push(frame)
      pushed++
      expect(r.pendingBytes).toBeLessThanOrEqual(1000)
    }
    expect(result).toMatchObject({ kind: 'error', error: { code: 'too-large' } })
    expect(pushed).toBe(11) // ten full frames fit exactly; the eleventh crosses the cap
    expect(r.pendingBytes).toBe(0)
  })

  it.each([
    ['an empty frame', [new Uint8Array(0)], 'empty-frame'],
    ['reserved header bits', [Uint8Array.of(0b100, 1)], 'reserved-bits'],
    ['a TEXT flag that changes mid-message', [Uint8Array.of(FLAG_TEXT, 65), Uint8Array.of(FLAG_FINAL, 66)], 'text-flag-changed'],
    ['invalid UTF-8 in a TEXT message', [Uint8Array.of(FLAG_TEXT | FLAG_FINAL, 0xff, 0xfe)], 'invalid-utf8'],
  ] as const)('rejects %s and stays rejected', (_name, frames, code) => {
    const r = new Reassembler(100)
    const results = frames.map((f) => r.push(f))
    expect(results.at(-1)).toMatchObject({ kind: 'error', error: { code } })
    expect(r.push(Uint8Array.of(FLAG_FINAL, 1))).toMatchObject({ kind: 'error', error: { code } })
  })

  it('keeps a frame that is not its own as a copy, and one that is as it came: the same message either way', () => {
    const frames = () => encodeFrames(bytes(50_000), 16 * 1024)
    const copied = new Reassembler(1 << 20)
    const borrowed = frames()
    const fromBorrowed = borrowed.map((f) => copied.push(f)).at(-1)
    for (const f of borrowed) f.fill(0) // a pooled buffer written again
    expect(fromBorrowed).toEqual({ kind: 'binary', data: bytes(50_000) })

    const kept = new Reassembler(1 << 20)
    expect(frames().map((f) => kept.push(f, true)).at(-1)).toEqual({ kind: 'binary', data: bytes(50_000) })
  })
})
