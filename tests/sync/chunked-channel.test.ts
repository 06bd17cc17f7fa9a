import { describe, expect, it, vi } from 'vitest'
import { ChunkedDataChannel, CHUNK_PROTOCOL, EXPRESS_MAX_BYTES } from '../../src/sync/chunked-channel.ts'
import { resolveChunkedOptions, type ChunkedOptions } from '../../src/sync/chunked-options.ts'
import { FLAG_FINAL } from '../../src/sync/chunk-framing.ts'
import { fakePair, FAKE_MAX_MESSAGE, type FakeChannel } from './support/fake-channel.ts'

function chunkedPair(options: ChunkedOptions = {}, remoteOptions: ChunkedOptions = options) {
  const [rawA, rawB] = fakePair(CHUNK_PROTOCOL)
  const a = new ChunkedDataChannel(rawA, resolveChunkedOptions(options))
  const b = new ChunkedDataChannel(rawB, resolveChunkedOptions(remoteOptions))
  b.binaryType = 'arraybuffer' // as simple-peer does
  const received: unknown[] = []
  b.onmessage = (event) => received.push((event as MessageEvent).data)
  return { a, b, rawA, rawB, received }
}

/** Let the fake network move `budget` bytes per round until everything arrived. */
async function drain(raw: FakeChannel, channel: ChunkedDataChannel, budget = 64 * 1024): Promise<void> {
  for (let round = 0; round < 100_000 && channel.bufferedAmount > 0; round++) {
    raw.transmit(budget)
    await Promise.resolve()
  }
}

function message(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i + seed * 7) & 0xff
  return out
}

describe('ChunkedDataChannel', () => {
  it('reads the real channel’s buffer once per small message and never reads its threshold back (each read is a native call in @roamhq/wrtc, on every message)', () => {
    const { a, rawA, received } = chunkedPair()
    // As simple-peer sets it on every channel.
    a.bufferedAmountLowThreshold = 64 * 1024
    let bufferReads = 0
    let thresholdReads = 0
    let thresholdSets = 0
    let buffered = rawA.bufferedAmount
    let threshold = rawA.bufferedAmountLowThreshold
    // The fake's own send reads its buffer too: only the chunked channel's reads count.
    let inFake = false
    const fakeSend = rawA.send.bind(rawA)
    rawA.send = (data) => {
      inFake = true
      try {
        fakeSend(data)
      } finally {
        inFake = false
      }
    }
    Object.defineProperty(rawA, 'bufferedAmount', { get: () => (inFake || bufferReads++, buffered), set: (v: number) => (buffered = v) })
    Object.defineProperty(rawA, 'bufferedAmountLowThreshold', { get: () => (thresholdReads++, threshold), set: (v: number) => (thresholdSets++, (threshold = v)) })
    for (let i = 0; i < 100; i++) a.send(message(200, i))
    expect(bufferReads).toBe(100)
    expect(thresholdReads).toBe(0)
    expect(thresholdSets).toBe(0)
    rawA.transmit()
    expect(received).toHaveLength(100)
  })

  it('carries large and small messages whole without overfilling the real buffer: the large in the order sent, the small in theirs, ahead of the large ones still queued', async () => {
    const highWaterMark = 256 * 1024
    const { a, rawA, received } = chunkedPair({ highWaterMark })
    const sizes = [3_000_000, 0, 1, 16 * 1024 - 1, 700_000, 16 * 1024, 16 * 1024 + 1, EXPRESS_MAX_BYTES, 5, 1_200_000, EXPRESS_MAX_BYTES + 1, 42]
    sizes.forEach((size, seed) => a.send(message(size, seed)))
    a.send('and a string at the end: شكرا')
    expect(a.bufferedAmount).toBeGreaterThan(4_900_000) // queued, not yet on the wire

    await drain(rawA, a, 100_000)

    // The first large message was on its way when the others were sent: it is finished first, then the small
    // ones go, then the large ones still queued, each in the order sent.
    const small = sizes.map((size, seed) => [size, seed] as const).filter(([size]) => size <= EXPRESS_MAX_BYTES)
    const large = sizes.map((size, seed) => [size, seed] as const).filter(([size]) => size > EXPRESS_MAX_BYTES)
    const expected = [large[0]!, ...small, 'text', ...large.slice(1)] as const
    expect(received).toHaveLength(expected.length)
    expected.forEach((want, i) => {
      if (want === 'text') return expect(received[i]).toBe('and a string at the end: شكرا')
      const data = received[i] as ArrayBuffer
      expect(data).toBeInstanceOf(ArrayBuffer)
      expect(Buffer.from(data).equals(Buffer.from(message(want[0], want[1])))).toBe(true)
    })
    expect(rawA.maxBufferedSeen).toBeLessThanOrEqual(highWaterMark)
    expect(rawA.largestMessage).toBeLessThanOrEqual(16 * 1024)
    expect(a.bufferedAmount).toBe(0)
  })

  it('keeps the pieces of a split message in order behind what was queued before them, however small each piece is', async () => {
    // A sync's answer, cut in pieces (sync-pieces.ts): a piece that went ahead would tell the peer "synced" early.
    const split = (m: Uint8Array) => (m.byteLength === 40_000 ? [0, 1, 2, 3].map((i) => m.subarray(i * 10_000, (i + 1) * 10_000)) : [m])
    const { a, rawA, received } = chunkedPair({ highWaterMark: 64 * 1024, split })
    a.send(message(500_000, 1))
    a.send(message(300_000, 2))
    a.send(message(40_000, 3))
    a.send(message(100, 4))
    await drain(rawA, a, 32 * 1024)
    const whole = message(40_000, 3)
    expect(received.map((d) => (d as ArrayBuffer).byteLength)).toEqual([500_000, 100, 300_000, 10_000, 10_000, 10_000, 10_000])
    received.slice(3).forEach((d, i) => expect(Buffer.from(d as ArrayBuffer).equals(Buffer.from(whole.subarray(i * 10_000, (i + 1) * 10_000)))).toBe(true))
  })

  it('never puts a small message inside a large one: its frames go between two messages', async () => {
    const { a, rawA, rawB, received } = chunkedPair({ highWaterMark: 64 * 1024 })
    // Frames on the wire, by the message they belong to.
    const owners: number[] = []
    rawB.addEventListener('message', (e) => owners.push(new Uint8Array((e as MessageEvent).data as ArrayBuffer).byteLength))
    a.send(message(200_000, 1))
    await drain(rawA, a, 20_000)
    a.send(message(200_000, 2))
    rawA.transmit(40_000)
    await Promise.resolve()
    a.send(message(10, 3))
    await drain(rawA, a, 20_000)
    expect(received.map((d) => (d as ArrayBuffer).byteLength)).toEqual([200_000, 200_000, 10])
    expect(owners.at(-1)).toBe(11) // the small one's single frame came last, after every frame of the second
  })

  it('reports real plus queued bytes and fires bufferedamountlow when they drain', async () => {
    const { a, rawA } = chunkedPair({ highWaterMark: 64 * 1024 })
    const low = vi.fn()
    a.bufferedAmountLowThreshold = 10_000
    a.onbufferedamountlow = low
    a.send(new Uint8Array(200_000))
    expect(a.bufferedAmount).toBe(200_000 + Math.ceil(200_000 / (16 * 1024 - 1)))
    expect(rawA.bufferedAmount).toBeLessThanOrEqual(64 * 1024)
    expect(low).not.toHaveBeenCalled()
    await drain(rawA, a)
    expect(low).toHaveBeenCalledTimes(1)
  })

  it('closes the channel when a peer sends a message over maxMessageSize', async () => {
    const { a, b, rawA, received } = chunkedPair({ maxMessageSize: 1_000_000 }, { maxMessageSize: 100_000 })
    const errors: unknown[] = []
    const closed = vi.fn()
    b.onerror = (event) => errors.push((event as Event & { error: unknown }).error)
    b.addEventListener('close', closed)
    a.send(new Uint8Array(500_000))
    await drain(rawA, a)
    expect(received).toEqual([])
    expect(errors).toEqual([expect.objectContaining({ code: 'too-large' })])
    expect(closed).toHaveBeenCalledTimes(1)
    expect(b.readyState).toBe('closed')
  })

  it.each([
    ['a text frame', 'hello'],
    ['a frame with reserved bits', Uint8Array.of(0xf0, 1).buffer],
    ['an empty frame', new ArrayBuffer(0)],
  ])('closes the channel on %s and delivers nothing', (_name, data) => {
    const { b, rawB, received } = chunkedPair()
    const closed = vi.fn()
    b.onclose = closed
    rawB.receive(data)
    rawB.receive(Uint8Array.of(FLAG_FINAL, 1).buffer)
    expect(received).toEqual([])
    expect(closed).toHaveBeenCalledTimes(1)
  })

  it('refuses to send what the far side could not accept, and sending when not open', () => {
    const { a, rawA } = chunkedPair({ maxMessageSize: 1000 })
    expect(() => a.send(new Uint8Array(1001))).toThrow(TypeError)
    rawA.close()
    expect(() => a.send(new Uint8Array(1))).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
  })

  it('drains its queue before close() closes the real channel', async () => {
    const { a, rawA, received } = chunkedPair({ highWaterMark: 64 * 1024 })
    a.send(message(300_000, 3))
    a.close()
    expect(a.readyState).toBe('closing')
    expect(rawA.readyState).toBe('open')
    for (let i = 0; i < 1000 && rawA.readyState === 'open'; i++) {
      rawA.transmit(64 * 1024)
      await Promise.resolve()
    }
    expect(rawA.readyState).toBe('closed')
    expect(Buffer.from(received[0] as ArrayBuffer).equals(Buffer.from(message(300_000, 3)))).toBe(true)
  })

  it('forwards what simple-peer reads and sets', () => {
    const { a, rawA } = chunkedPair()
    const open = vi.fn()
    a.onopen = open
    rawA.dispatchEvent(new Event('open'))
    expect(open).toHaveBeenCalledTimes(1)
    expect(a.label).toBe('fake')
    expect(a.protocol).toBe(CHUNK_PROTOCOL)
    expect(a.binaryType).toBe('blob') // the real channel's default, until the caller changes it
    expect(rawA.binaryType).toBe('arraybuffer')
    a.binaryType = 'arraybuffer'
    expect(a.binaryType).toBe('arraybuffer')
    expect(a.readyState).toBe('open')
    expect(FAKE_MAX_MESSAGE).toBeGreaterThan(16 * 1024)
  })
})
