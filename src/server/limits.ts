/**
 * Bounds on what one client may cost the server. The defaults fit y-webrtc:
 * an encrypted SDP offer is a few KB, a device has a handful of boards (one
 * topic each) on one connection per server, subscribes as soon as it
 * connects, and sends a burst of announces/signals when it joins, then almost
 * nothing.
 */
export interface SignalingLimits {
  /** Largest accepted frame in bytes; bigger frames close the socket with 1009. */
  maxPayload: number
  /** Deepest accepted JSON nesting in a frame (the frame itself is 1); deeper frames count as malformed. */
  maxJsonDepth: number
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
  /**
   * Simultaneous connections from one address (IPv4, or an IPv6 /64); more
   * are refused with 429, so one address cannot take every slot.
   */
  maxConnectionsPerAddress: number
  /** A connection subscribed to no topic for this long is closed (1000), freeing its slot. */
  idleTimeoutMs: number
  /** Malformed frames tolerated per connection before it is closed with 1008. */
  maxMalformedFrames: number
  /** A receiver whose unsent backlog exceeds this is dropped instead of buffered forever. */
  maxBufferedBytes: number
  /** How often the server pings; a client that missed the previous ping is dropped. */
  pingIntervalMs: number
  /** `/config.json` requests one address may burst; the app asks once when it starts. */
  configBurst: number
  /** `/config.json` refill rate per address, requests per minute; beyond it the answer is 429. */
  configPerMinute: number
}

export const DEFAULT_SIGNALING_LIMITS: Readonly<SignalingLimits> = Object.freeze({
  maxPayload: 64 * 1024,
  maxJsonDepth: 32,
  maxTopicsPerConnection: 64,
  maxTopicLength: 128,
  messagesPerSecond: 50,
  messageBurst: 200,
  maxConnections: 5000,
  maxConnectionsPerAddress: 50,
  idleTimeoutMs: 30_000,
  maxMalformedFrames: 10,
  maxBufferedBytes: 1024 * 1024,
  pingIntervalMs: 30_000,
  configBurst: 30,
  configPerMinute: 30,
})

/**
 * Why `partial` cannot be used as limits (an unknown name, or a value that is
 * not a positive finite number), or null when it can. A typo must never
 * silently leave a bound at a value the operator did not mean.
 */
export function limitsError(partial: unknown): string | null {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) return 'limits must be an object'
  for (const [name, value] of Object.entries(partial)) {
    if (!Object.hasOwn(DEFAULT_SIGNALING_LIMITS, name)) return `unknown limit ${name}`
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      return `limit ${name} must be a positive number, got ${typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value))}`
    }
  }
  return null
}

/** Fills unset limits with defaults; throws on nonsense (see `limitsError`). */
export function resolveLimits(partial: Partial<SignalingLimits> = {}): SignalingLimits {
  const error = limitsError(partial)
  if (error) throw new RangeError(`signaling ${error}`)
  return { ...DEFAULT_SIGNALING_LIMITS, ...partial }
}
