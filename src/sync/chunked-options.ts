import { MIN_CHUNK_SIZE } from './chunk-framing.ts'
import type { ActivityListener } from './types.ts'

/** Options of {@link chunkedWrtc}. */
export interface ChunkedOptions {
  /** Largest frame put on the underlying channel, header included. Default 16 KiB (safe in every browser). */
  chunkSize?: number
  /** Largest message accepted from a peer; a bigger one closes the channel. Default 64 MiB. */
  maxMessageSize?: number
  /** Most bytes kept in the underlying channel's buffer; the rest waits in our queue. Default 1 MiB. */
  highWaterMark?: number
  /** Told about every frame sent or received (wire bytes). */
  onActivity?: ActivityListener
  /** Turns one outgoing message into several (see sync-pieces.ts); each is then sent as its own message. */
  split?: (message: Uint8Array) => Uint8Array[]
}

export interface ResolvedChunkedOptions {
  readonly chunkSize: number
  readonly maxMessageSize: number
  readonly highWaterMark: number
  /** The underlying buffer is refilled when it drains to this. */
  readonly lowWaterMark: number
  readonly onActivity: ActivityListener | undefined
  readonly split: ((message: Uint8Array) => Uint8Array[]) | undefined
}

export const DEFAULT_CHUNK_SIZE = 16 * 1024
export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024

/** Fill in defaults and reject settings that could stall the queue. */
export function resolveChunkedOptions(options: ChunkedOptions = {}): ResolvedChunkedOptions {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE
  const highWaterMark = options.highWaterMark ?? Math.max(DEFAULT_HIGH_WATER_MARK, 2 * chunkSize)
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE) {
    throw new RangeError(`chunkSize must be an integer >= ${MIN_CHUNK_SIZE}`)
  }
  if (!Number.isInteger(maxMessageSize) || maxMessageSize < 0) {
    throw new RangeError('maxMessageSize must be a non-negative integer')
  }
  // The queue stops when the underlying buffer holds more than
  // highWaterMark - chunkSize bytes; that must be above the low-water mark, or
  // the "bufferedamountlow" event that restarts it would never fire.
  if (!Number.isInteger(highWaterMark) || highWaterMark < 2 * chunkSize) {
    throw new RangeError('highWaterMark must be an integer >= 2 * chunkSize')
  }
  return {
    chunkSize,
    maxMessageSize,
    highWaterMark,
    lowWaterMark: Math.floor(highWaterMark / 2),
    onActivity: options.onActivity,
    split: options.split,
  }
}
