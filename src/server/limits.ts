/**
 * Bounds on what one signaling connection may cost the server. The defaults
 * fit y-webrtc: an encrypted SDP offer is a few KB, a device has a handful of
 * boards (one topic each), and a peer sends a burst of announces/signals when
 * it joins, then almost nothing.
 */
export interface SignalingLimits {
  /** Largest accepted frame in bytes; bigger frames close the socket with 1009. */
  maxPayload: number
  /** Topics one connection may be subscribed to at once. */
  maxTopicsPerConnection: number
  /** Longest accepted topic string (y-webrtc room names are short ids). */
  maxTopicLength: number
  /** Token bucket refill rate, frames per second. */
  messagesPerSecond: number
  /** Token bucket size: frames allowed in one burst. Empty bucket closes with 1008. */
  messageBurst: number
  /** Simultaneous connections; more are refused with 503 at upgrade. */
  maxConnections: number
  /** Malformed frames tolerated per connection before it is closed with 1008. */
  maxMalformedFrames: number
  /** A receiver whose unsent backlog exceeds this is dropped instead of buffered forever. */
  maxBufferedBytes: number
  /** How often the server pings; a client that missed the previous ping is dropped. */
  pingIntervalMs: number
}

export const DEFAULT_SIGNALING_LIMITS: Readonly<SignalingLimits> = Object.freeze({
  maxPayload: 64 * 1024,
  maxTopicsPerConnection: 64,
  maxTopicLength: 128,
  messagesPerSecond: 50,
  messageBurst: 200,
  maxConnections: 5000,
  maxMalformedFrames: 10,
  maxBufferedBytes: 1024 * 1024,
  pingIntervalMs: 30_000,
})

/** Fills unset limits with defaults; rejects nonsense so a typo cannot disable a bound. */
export function resolveLimits(partial: Partial<SignalingLimits> = {}): SignalingLimits {
  const limits = { ...DEFAULT_SIGNALING_LIMITS, ...partial }
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`signaling limit ${name} must be a positive number, got ${String(value)}`)
    }
  }
  return limits
}
