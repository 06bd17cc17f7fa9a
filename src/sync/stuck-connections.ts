/**
 * Finds peer connections that are being set up but have stopped getting
 * anywhere, so they can be dropped and y-webrtc announces again.
 *
 * "Stuck" used to mean "not open 8 s after it was created", which on a link
 * with 2 s round trips killed every connection before it could open (offer,
 * answer, ICE candidates, DTLS and SCTP each take round trips). Now it means
 * "no progress for a while": progress is any signal received from the other
 * device or any change of the connection's signaling, ICE or DTLS state, and
 * "a while" grows with the measured round trip to the signaling server.
 */

/** What is read of a y-webrtc WebrtcConn and its simple-peer (`_pc` is simple-peer's RTCPeerConnection). */
export interface PendingConnLike {
  readonly connected: boolean
  readonly closed: boolean
  readonly peer: {
    destroy(): void
    signal?(data: unknown): void
    readonly _pc?: {
      readonly signalingState?: string
      readonly iceGatheringState?: string
      readonly iceConnectionState?: string
      readonly connectionState?: string
    }
  }
}

export interface StuckOptions {
  /** Never drop a connection that made progress more recently than this. */
  readonly quietMs: number
  /** ... nor more recently than this many signaling round trips. */
  readonly quietRoundTrips: number
  /** A connection still not open after this long is dropped even if it keeps changing state. */
  readonly maxSetupMs: number
  readonly maxSetupRoundTrips: number
}

export const STUCK_DEFAULTS: StuckOptions = { quietMs: 8_000, quietRoundTrips: 4, maxSetupMs: 30_000, maxSetupRoundTrips: 15 }

interface Watched {
  readonly createdAt: number
  progressAt: number
  signature: string
  /** Signals received from the other device, and how many the last check had seen. */
  signals: number
  seenSignals: number
}

export class StuckConnections {
  readonly #options: StuckOptions
  readonly #watched = new Map<PendingConnLike, Watched>()

  constructor(options: StuckOptions = STUCK_DEFAULTS) {
    this.#options = options
  }

  /** Connections being set up (neither open nor closed) among `conns`. */
  static pending<C extends PendingConnLike>(conns: Iterable<C>): C[] {
    return [...conns].filter((c) => !c.connected && !c.closed)
  }

  /**
   * Looks at every connection of the room and returns the pending ones to drop.
   * `rttMs` is the signaling round trip (null until measured).
   */
  check<C extends PendingConnLike>(conns: Iterable<C>, now: number, rttMs: number | null): C[] {
    const { quietMs, quietRoundTrips, maxSetupMs, maxSetupRoundTrips } = this.#options
    const rtt = rttMs ?? 0
    const quiet = Math.max(quietMs, quietRoundTrips * rtt)
    const maxSetup = Math.max(maxSetupMs, maxSetupRoundTrips * rtt)
    const pending = StuckConnections.pending(conns)
    const stuck: C[] = []
    for (const conn of pending) {
      let watched = this.#watched.get(conn)
      if (!watched) {
        watched = { createdAt: now, progressAt: now, signature: signatureOf(conn), signals: 0, seenSignals: 0 }
        this.#watched.set(conn, watched)
        countSignals(conn.peer, watched)
      }
      const signature = signatureOf(conn)
      if (signature !== watched.signature || watched.signals !== watched.seenSignals) {
        watched.signature = signature
        watched.seenSignals = watched.signals
        watched.progressAt = now
      }
      if (now - watched.progressAt > quiet || now - watched.createdAt > maxSetup) stuck.push(conn)
    }
    const live = new Set<PendingConnLike>(pending)
    for (const conn of this.#watched.keys()) if (!live.has(conn)) this.#watched.delete(conn)
    return stuck
  }
}

function signatureOf(conn: PendingConnLike): string {
  const pc = conn.peer._pc
  return `${pc?.signalingState}/${pc?.iceGatheringState}/${pc?.iceConnectionState}/${pc?.connectionState}`
}

/** Counts signals from the other device (y-webrtc hands each one to `peer.signal`) as progress. */
function countSignals(peer: PendingConnLike['peer'], watched: Watched): void {
  const original = peer.signal
  if (typeof original !== 'function') return
  peer.signal = function (this: unknown, data: unknown) {
    watched.signals++
    return original.call(this, data)
  }
}
