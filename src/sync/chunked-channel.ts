import { encodeFrames, FLAG_FINAL, Reassembler, type FrameError } from './chunk-framing.ts'
import type { ResolvedChunkedOptions } from './chunked-options.ts'
import type { DataChannelLike } from './types.ts'

/**
 * The `protocol` string of channels that carry chunked frames. The side that
 * opens a channel sets it; the other side wraps only channels that carry it,
 * so a peer without chunking is never fed frames it cannot read by accident.
 */
export const CHUNK_PROTOCOL = 'hearth-chunk/1'

type Handler = ((this: ChunkedDataChannel, event: Event) => unknown) | null
const HANDLED_EVENTS = ['open', 'message', 'bufferedamountlow', 'error', 'closing', 'close'] as const
type HandledEvent = (typeof HANDLED_EVENTS)[number]

/**
 * While frames wait, also look at bufferedAmount this often: @roamhq/wrtc
 * never fires "bufferedamountlow" (measured), and a lost event must not stall
 * a sync forever. Browsers fire the event and usually beat the timer.
 */
const STALL_CHECK_MS = 20

/**
 * A message sent whole and no larger than this goes out before the queued
 * frames of larger ones, at the next message boundary (see `send`). 64 KiB
 * holds any live change, a welcome with its lockboxes, an admission or a
 * presence update; a sync's pieces are four times as large.
 */
export const EXPRESS_MAX_BYTES = 64 * 1024

/** Frames waiting for the real channel, first in first out. */
class Lane {
  #frames: (Uint8Array<ArrayBuffer> | undefined)[] = []
  #head = 0

  get waiting(): boolean {
    return this.#head < this.#frames.length
  }

  push(frame: Uint8Array<ArrayBuffer>): void {
    this.#frames.push(frame)
  }

  peek(): Uint8Array<ArrayBuffer> {
    return this.#frames[this.#head]!
  }

  shift(): void {
    this.#frames[this.#head++] = undefined
    if (this.#head === this.#frames.length) this.clear()
  }

  clear(): void {
    this.#frames = []
    this.#head = 0
  }
}

/**
 * An RTCDataChannel look-alike over a real (ordered, reliable) one.
 *
 * `send()` accepts messages of any size up to `maxMessageSize`: it frames them
 * (see `chunk-framing.ts`), queues the frames, and feeds them to the real
 * channel while its `bufferedAmount` stays within `highWaterMark`, resuming on
 * the real channel's "bufferedamountlow". `bufferedAmount` reports the real
 * buffer plus our queue. Incoming frames are reassembled into one "message"
 * event per original message. A malformed or oversized incoming message fires
 * "error" and closes the channel.
 *
 * Small messages overtake large ones: a message sent whole and no larger than
 * `EXPRESS_MAX_BYTES` goes out before the frames still queued of larger
 * messages, once the message being sent is complete (a message's frames are
 * always consecutive on the wire). A device joining a large board gets the
 * board's state as megabytes of pieces; the welcome that holds its keys,
 * written by the inviter's device a moment later, came only after all of them,
 * and nothing could be read before the last byte. Everything on a board's
 * channel is a Yjs update, a sync message or a presence state, which mean the
 * same in any order; the pieces of one large message, and large messages
 * among themselves, keep theirs.
 */
export class ChunkedDataChannel extends EventTarget {
  readonly #inner: DataChannelLike
  readonly #opts: ResolvedChunkedOptions
  readonly #reassembler: Reassembler
  readonly #handlers = new Map<HandledEvent, Handler>()
  readonly #innerListeners: ReadonlyArray<readonly [string, (event: Event) => void]>
  /** Frames not yet handed to the real channel: of small messages sent whole, and of the rest. */
  readonly #express = new Lane()
  readonly #bulk = new Lane()
  /** The lane whose message is partly sent (its next frame goes next), or null between messages. */
  #sending: Lane | null = null
  #queuedBytes = 0
  #binaryType: string
  #threshold = 0
  /** bufferedAmount went above the threshold; fire "bufferedamountlow" when it drops back. */
  #aboveThreshold = false
  /** close() was called: readyState is "closing" while the queue drains. */
  #closeRequested = false
  /** Torn down after a protocol error or a failed send; nothing more goes in or out. */
  #aborted = false
  #stallTimer: ReturnType<typeof setTimeout> | null = null
  /**
   * The real channel's bufferedAmountLowThreshold as last set here (only this
   * class sets it): not read back, since every read of the real channel's
   * state is a call into native code in @roamhq/wrtc, and the pump runs on
   * every message.
   */
  #innerThreshold: number

  constructor(inner: DataChannelLike, opts: ResolvedChunkedOptions) {
    super()
    this.#inner = inner
    this.#opts = opts
    this.#reassembler = new Reassembler(opts.maxMessageSize)
    this.#binaryType = inner.binaryType
    inner.binaryType = 'arraybuffer'
    inner.bufferedAmountLowThreshold = opts.lowWaterMark
    this.#innerThreshold = opts.lowWaterMark
    this.#innerListeners = [
      ['message', (e) => this.#onFrame(e as MessageEvent)],
      ['bufferedamountlow', () => this.#pump()],
      ['open', () => this.dispatchEvent(new Event('open'))],
      ['closing', () => this.dispatchEvent(new Event('closing'))],
      ['close', () => this.#onInnerClose()],
      ['error', (e) => this.#dispatchError(e as Event & { error?: unknown; message?: unknown })],
    ]
    for (const [type, listener] of this.#innerListeners) inner.addEventListener(type, listener)
    for (const type of HANDLED_EVENTS) {
      this.addEventListener(type, (event) => this.#handlers.get(type)?.call(this, event))
    }
  }

  get label(): string {
    return this.#inner.label
  }
  get protocol(): string {
    return this.#inner.protocol ?? ''
  }
  get id(): number | null {
    return this.#inner.id ?? null
  }
  get ordered(): boolean {
    return this.#inner.ordered ?? true
  }
  get negotiated(): boolean {
    return this.#inner.negotiated ?? false
  }
  get maxPacketLifeTime(): number | null {
    return this.#inner.maxPacketLifeTime ?? null
  }
  get maxRetransmits(): number | null {
    return this.#inner.maxRetransmits ?? null
  }

  get readyState(): RTCDataChannelState {
    const state = this.#inner.readyState
    return state === 'open' && (this.#closeRequested || this.#aborted) ? 'closing' : state
  }

  /** Bytes accepted by send() and not yet on the wire: the real buffer plus our queue. */
  get bufferedAmount(): number {
    return this.#inner.bufferedAmount + this.#queuedBytes
  }

  get bufferedAmountLowThreshold(): number {
    return this.#threshold
  }
  set bufferedAmountLowThreshold(value: number) {
    this.#threshold = Math.max(0, Math.floor(Number(value)) || 0)
    this.#updateInnerThreshold()
  }

  get binaryType(): string {
    return this.#binaryType
  }
  set binaryType(value: string) {
    if (value === 'arraybuffer' || value === 'blob') this.#binaryType = value
  }

  get onopen(): Handler {
    return this.#handlers.get('open') ?? null
  }
  set onopen(h: Handler) {
    this.#setHandler('open', h)
  }
  get onmessage(): Handler {
    return this.#handlers.get('message') ?? null
  }
  set onmessage(h: Handler) {
    this.#setHandler('message', h)
  }
  get onbufferedamountlow(): Handler {
    return this.#handlers.get('bufferedamountlow') ?? null
  }
  set onbufferedamountlow(h: Handler) {
    this.#setHandler('bufferedamountlow', h)
  }
  get onerror(): Handler {
    return this.#handlers.get('error') ?? null
  }
  set onerror(h: Handler) {
    this.#setHandler('error', h)
  }
  get onclosing(): Handler {
    return this.#handlers.get('closing') ?? null
  }
  set onclosing(h: Handler) {
    this.#setHandler('closing', h)
  }
  get onclose(): Handler {
    return this.#handlers.get('close') ?? null
  }
  set onclose(h: Handler) {
    this.#setHandler('close', h)
  }

  /** Queue one message of any size (up to maxMessageSize). Throws like RTCDataChannel.send. */
  send(data: string | ArrayBuffer | ArrayBufferView | Blob): void {
    if (this.readyState !== 'open') {
      throw new DOMException(`RTCDataChannel.readyState is '${this.readyState}', not 'open'`, 'InvalidStateError')
    }
    const text = typeof data === 'string'
    const whole = toBytes(data)
    const messages = text || !this.#opts.split ? [whole] : this.#opts.split(whole)
    // The pieces of a split message keep their order, and go with the large ones.
    const lane = messages.length === 1 && whole.byteLength <= EXPRESS_MAX_BYTES ? this.#express : this.#bulk
    for (const bytes of messages) {
      if (bytes.byteLength > this.#opts.maxMessageSize) {
        throw new TypeError(`message of ${bytes.byteLength} bytes exceeds maxMessageSize (${this.#opts.maxMessageSize})`)
      }
      for (const frame of encodeFrames(bytes, this.#opts.chunkSize, text)) {
        lane.push(frame)
        this.#queuedBytes += frame.byteLength
      }
    }
    this.#pump(true)
  }

  /** Close after the queued frames have been handed to the real channel. */
  close(): void {
    if (this.#closeRequested) return
    this.#closeRequested = true
    if (this.#queuedBytes === 0 || this.#inner.readyState !== 'open') this.#closeInner()
  }

  /** The lane the next frame comes from: the one of a message partly sent, else small messages first. */
  #nextLane(): Lane | null {
    if (this.#sending) return this.#sending
    if (this.#express.waiting) return this.#express
    return this.#bulk.waiting ? this.#bulk : null
  }

  #setHandler(type: HandledEvent, handler: Handler): void {
    this.#handlers.set(type, typeof handler === 'function' ? handler : null)
  }

  /**
   * Move frames to the real channel while its buffer stays within
   * highWaterMark. `sent`: called by send(), which just queued frames — our
   * bufferedAmount (the real one plus the queue, unchanged by moving frames
   * from one to the other) is compared with the threshold here, from the one
   * read of the real buffer: `send()` adds exactly what it is given to it.
   */
  #pump(sent = false): void {
    this.#clearStallTimer()
    if (this.#aborted) return
    const inner = this.#inner
    let buffered = inner.bufferedAmount
    if (sent && buffered + this.#queuedBytes > this.#threshold) this.#aboveThreshold = true
    for (let lane = this.#nextLane(); lane; lane = this.#nextLane()) {
      if (inner.readyState !== 'open') return
      const frame = lane.peek()
      if (buffered + frame.byteLength > this.#opts.highWaterMark) {
        this.#stallTimer = setTimeout(() => this.#pump(), STALL_CHECK_MS)
        this.#updateInnerThreshold()
        return
      }
      lane.shift()
      this.#sending = (frame[0]! & FLAG_FINAL) !== 0 ? null : lane
      this.#queuedBytes -= frame.byteLength
      try {
        inner.send(frame)
      } catch (err) {
        this.#abort({ code: 'send-failed', message: `could not send a frame: ${String(err)}` })
        return
      }
      buffered += frame.byteLength
      this.#opts.onActivity?.('out', frame.byteLength)
    }
    if (this.#closeRequested) {
      this.#closeInner()
      return
    }
    this.#updateInnerThreshold()
    if (this.#aboveThreshold && inner.bufferedAmount <= this.#threshold) {
      this.#aboveThreshold = false
      this.dispatchEvent(new Event('bufferedamountlow'))
    }
  }

  /**
   * While frames wait, wake up at the low-water mark to refill. With the queue
   * empty, our bufferedAmount is the real one, so the caller's threshold applies.
   */
  #updateInnerThreshold(): void {
    const waiting = this.#express.waiting || this.#bulk.waiting
    const wanted = waiting ? this.#opts.lowWaterMark : this.#threshold
    if (this.#innerThreshold !== wanted) this.#inner.bufferedAmountLowThreshold = this.#innerThreshold = wanted
  }

  #onFrame(event: MessageEvent): void {
    if (this.#aborted) return
    const data: unknown = event.data
    let frame: Uint8Array
    // A frame that came as an ArrayBuffer is this event's alone: kept as it is. A view may share a pooled buffer.
    const owned = data instanceof ArrayBuffer
    if (owned) frame = new Uint8Array(data)
    else if (ArrayBuffer.isView(data)) frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    else {
      this.#abort({ code: 'not-binary', message: 'received a frame that is not binary' })
      return
    }
    this.#opts.onActivity?.('in', frame.byteLength)
    const result = this.#reassembler.push(frame, owned)
    switch (result.kind) {
      case 'partial':
        return
      case 'text':
        this.dispatchEvent(new MessageEvent('message', { data: result.data }))
        return
      case 'binary':
        this.dispatchEvent(new MessageEvent('message', { data: this.#toBinaryType(result.data) }))
        return
      case 'error':
        this.#abort(result.error)
        return
    }
  }

  #toBinaryType(bytes: Uint8Array): ArrayBuffer | Blob {
    const buffer =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
        ? bytes.buffer
        : bytes.slice().buffer
    return this.#binaryType === 'blob' && typeof Blob !== 'undefined' ? new Blob([buffer]) : buffer
  }

  /** The peer broke the protocol (or sending failed): drop everything, report, close. */
  #abort(error: FrameError | { code: string; message: string }): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#dropQueue()
    this.#dispatchError({ error: Object.assign(new Error(error.message), { code: error.code }) })
    this.#closeInner()
  }

  #dispatchError(source: { error?: unknown; message?: unknown }): void {
    const event = new Event('error')
    Object.defineProperties(event, {
      error: { value: source.error, enumerable: true },
      message: { value: source.message ?? (source.error instanceof Error ? source.error.message : ''), enumerable: true },
    })
    this.dispatchEvent(event)
  }

  #onInnerClose(): void {
    this.#dropQueue()
    for (const [type, listener] of this.#innerListeners) this.#inner.removeEventListener(type, listener)
    this.dispatchEvent(new Event('close'))
  }

  #closeInner(): void {
    try {
      this.#inner.close()
    } catch {
      // already closed
    }
  }

  #dropQueue(): void {
    this.#clearStallTimer()
    this.#express.clear()
    this.#bulk.clear()
    this.#sending = null
    this.#queuedBytes = 0
  }

  #clearStallTimer(): void {
    if (this.#stallTimer !== null) clearTimeout(this.#stallTimer)
    this.#stallTimer = null
  }
}

const utf8 = new TextEncoder()

function toBytes(data: string | ArrayBuffer | ArrayBufferView | Blob): Uint8Array {
  if (typeof data === 'string') return utf8.encode(data)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  throw new TypeError('chunked data channels send strings, ArrayBuffers and typed arrays (not Blobs)')
}
