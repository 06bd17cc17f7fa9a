/**
 * Framing of large data-channel messages into small frames, and reassembly.
 *
 * Pure: no timers, no network. Used by `chunked-channel.ts`.
 *
 * Wire format (one frame = one underlying RTCDataChannel message, always binary):
 *
 * ```
 *   byte 0      header flags
 *                 bit 0  FINAL  1 = last frame of this message, 0 = more frames follow
 *                 bit 1  TEXT   the message was a string; payload is UTF-8
 *                 bits 2-7      reserved, must be 0
 *   bytes 1..   payload (0 .. chunkSize - 1 bytes)
 * ```
 *
 * A message is the concatenation of the payloads of consecutive frames up to
 * and including the first FINAL frame. The empty message is one FINAL frame
 * with no payload. Every frame of a message carries the same TEXT bit. This
 * needs an ordered, reliable channel (the WebRTC default), which is why there
 * is no sequence number or message id.
 */

export const FLAG_FINAL = 0b01
export const FLAG_TEXT = 0b10
const RESERVED_BITS = 0xff & ~(FLAG_FINAL | FLAG_TEXT)

/** Smallest frame that can carry payload: the header byte plus one byte. */
export const MIN_CHUNK_SIZE = 2

/**
 * Split `message` into frames of at most `chunkSize` bytes each (header included).
 * The frames are fresh copies: later changes to `message` do not affect them.
 */
export function encodeFrames(message: Uint8Array, chunkSize: number, text = false): Uint8Array<ArrayBuffer>[] {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE) {
    throw new RangeError(`chunkSize must be an integer >= ${MIN_CHUNK_SIZE}, got ${chunkSize}`)
  }
  const payloadSize = chunkSize - 1
  const textFlag = text ? FLAG_TEXT : 0
  const frames: Uint8Array<ArrayBuffer>[] = []
  let offset = 0
  do {
    const end = Math.min(offset + payloadSize, message.byteLength)
    const frame = new Uint8Array(1 + end - offset)
    frame[0] = textFlag | (end === message.byteLength ? FLAG_FINAL : 0)
    frame.set(message.subarray(offset, end), 1)
    frames.push(frame)
    offset = end
  } while (offset < message.byteLength)
  return frames
}

export type FrameErrorCode = 'empty-frame' | 'reserved-bits' | 'text-flag-changed' | 'too-large' | 'invalid-utf8'

/** Why a frame was rejected. The channel that carried it should be closed. */
export interface FrameError {
  readonly code: FrameErrorCode
  readonly message: string
}

/** Result of feeding one frame to a {@link Reassembler}. */
export type PushResult =
  | { readonly kind: 'partial' }
  | { readonly kind: 'binary'; readonly data: Uint8Array }
  | { readonly kind: 'text'; readonly data: string }
  | { readonly kind: 'error'; readonly error: FrameError }

const PARTIAL: PushResult = { kind: 'partial' }

/**
 * Reassembles messages from frames. Holds at most `maxMessageSize` payload
 * bytes: a message that would grow beyond it is rejected as soon as the frame
 * that crosses the limit arrives, before anything is copied.
 *
 * After an error the reassembler is poisoned: every later push returns the
 * same error (the stream position is lost, nothing after it can be trusted).
 */
export class Reassembler {
  readonly #maxMessageSize: number
  #parts: Uint8Array[] = []
  #size = 0
  #text: boolean | null = null
  #error: FrameError | null = null
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true })

  constructor(maxMessageSize: number) {
    if (!(maxMessageSize >= 0)) throw new RangeError(`maxMessageSize must be >= 0, got ${maxMessageSize}`)
    this.#maxMessageSize = maxMessageSize
  }

  /** Payload bytes held for the message in progress. */
  get pendingBytes(): number {
    return this.#size
  }

  /**
   * `owned`: the frame's bytes are the reassembler's to keep (a buffer of its
   * own that nobody writes to again), so its payload is kept as a view
   * instead of a copy.
   */
  push(frame: Uint8Array, owned = false): PushResult {
    if (this.#error) return { kind: 'error', error: this.#error }
    const header = frame[0]
    if (header === undefined) return this.#fail('empty-frame', 'frame has no header byte')
    if ((header & RESERVED_BITS) !== 0) {
      return this.#fail('reserved-bits', `frame header 0x${header.toString(16)} sets reserved bits`)
    }
    const text = (header & FLAG_TEXT) !== 0
    if (this.#text !== null && this.#text !== text) {
      return this.#fail('text-flag-changed', 'TEXT flag changed in the middle of a message')
    }
    const payloadLength = frame.byteLength - 1
    if (this.#size + payloadLength > this.#maxMessageSize) {
      return this.#fail('too-large', `message exceeds maxMessageSize (${this.#maxMessageSize} bytes)`)
    }
    if (payloadLength > 0) this.#parts.push(owned ? frame.subarray(1) : frame.slice(1))
    this.#size += payloadLength
    this.#text = text
    if ((header & FLAG_FINAL) === 0) return PARTIAL

    const data = concat(this.#parts, this.#size)
    this.#parts = []
    this.#size = 0
    this.#text = null
    if (!text) return { kind: 'binary', data }
    try {
      return { kind: 'text', data: this.#utf8.decode(data) }
    } catch {
      return this.#fail('invalid-utf8', 'TEXT message is not valid UTF-8')
    }
  }

  #fail(code: FrameErrorCode, message: string): PushResult {
    this.#parts = []
    this.#size = 0
    this.#error = { code, message }
    return { kind: 'error', error: this.#error }
  }
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0]
  const out = new Uint8Array(size)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}
