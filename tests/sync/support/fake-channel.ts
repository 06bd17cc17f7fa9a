import type { DataChannelLike } from '../../../src/sync/types.ts'

/** SCTP in browsers rejects messages over about 256 KiB; the fake does too. */
export const FAKE_MAX_MESSAGE = 256 * 1024

/**
 * An in-memory RTCDataChannel with a simulated send buffer: send() only
 * queues, `transmit()` moves bytes to the other end and fires
 * "bufferedamountlow" the way browsers do. It records the largest
 * bufferedAmount it ever held.
 */
export class FakeChannel extends EventTarget implements DataChannelLike {
  readyState: RTCDataChannelState = 'open'
  bufferedAmount = 0
  bufferedAmountLowThreshold = 0
  binaryType = 'blob'
  maxBufferedSeen = 0
  largestMessage = 0
  sent = 0
  remote: FakeChannel | null = null
  readonly #outbox: Uint8Array[] = []

  constructor(
    readonly label = 'fake',
    readonly protocol = '',
  ) {
    super()
  }

  send(data: ArrayBufferView | ArrayBuffer | string): void {
    if (this.readyState !== 'open') throw new DOMException('not open', 'InvalidStateError')
    const bytes =
      typeof data === 'string'
        ? new TextEncoder().encode(data)
        : data instanceof ArrayBuffer
          ? new Uint8Array(data.slice(0))
          : new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
    if (bytes.byteLength > FAKE_MAX_MESSAGE) throw new TypeError('message too large for SCTP')
    this.#outbox.push(bytes)
    this.sent++
    this.largestMessage = Math.max(this.largestMessage, bytes.byteLength)
    this.bufferedAmount += bytes.byteLength
    this.maxBufferedSeen = Math.max(this.maxBufferedSeen, this.bufferedAmount)
  }

  /** Deliver up to `budget` bytes of whole messages to the remote end. Returns bytes moved. */
  transmit(budget = Infinity): number {
    let moved = 0
    while (this.#outbox.length > 0) {
      const next = this.#outbox[0] as Uint8Array
      if (moved > 0 && moved + next.byteLength > budget) break
      this.#outbox.shift()
      moved += next.byteLength
      const before = this.bufferedAmount
      this.bufferedAmount -= next.byteLength
      this.remote?.dispatchEvent(new MessageEvent('message', { data: next.buffer }))
      if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
        this.dispatchEvent(new Event('bufferedamountlow'))
      }
    }
    return moved
  }

  /** Raw bytes from the far side, as a broken or malicious peer would send them. */
  receive(data: ArrayBuffer | string): void {
    this.dispatchEvent(new MessageEvent('message', { data }))
  }

  /** Like SCTP, hand over what was already buffered, then close both ends. */
  close(): void {
    if (this.readyState === 'closed') return
    this.transmit()
    this.readyState = 'closed'
    this.dispatchEvent(new Event('close'))
    this.remote?.close()
  }
}

export function fakePair(protocol = ''): [FakeChannel, FakeChannel] {
  const a = new FakeChannel('fake', protocol)
  const b = new FakeChannel('fake', protocol)
  a.remote = b
  b.remote = a
  return [a, b]
}
