/**
 * The round trip to the signaling servers, measured with the y-webrtc
 * protocol's own ping/pong. Peer connections are set up through signaling, so
 * how long to wait before calling one stuck scales with it.
 */

/** What is used of a y-webrtc SignalingConn (a lib0 WebsocketClient). */
export interface PingableConnLike {
  readonly connected: boolean
  send(message: { type: 'ping' }): void
}

/** A ping unanswered for this long counts as this round trip at most (lib0 reconnects a silent socket after 30 s). */
const MAX_RTT_MS = 20_000
/** Samples kept; the estimate is their maximum, since waiting too little is what kills connections. */
const SAMPLES = 4

export class SignalingRtt {
  readonly #sentAt = new Map<PingableConnLike, number>()
  readonly #samples: number[] = []

  /** Sends a ping on each open connection that has none outstanding. */
  ping(conns: Iterable<PingableConnLike>, now: number): void {
    for (const conn of conns) {
      if (!conn.connected || this.#sentAt.has(conn)) continue
      this.#sentAt.set(conn, now)
      conn.send({ type: 'ping' })
    }
  }

  /** Feed every signaling message here; pongs answer our pings. */
  received(conn: PingableConnLike, message: unknown, now: number): void {
    if ((message as { type?: unknown } | null)?.type !== 'pong') return
    const sent = this.#sentAt.get(conn)
    if (sent === undefined) return
    this.#sentAt.delete(conn)
    this.#samples.push(now - sent)
    if (this.#samples.length > SAMPLES) this.#samples.shift()
  }

  /** Forgets a connection (closed, or no longer ours). */
  forget(conn: PingableConnLike): void {
    this.#sentAt.delete(conn)
  }

  /**
   * The current estimate in ms, or null before any answer: the largest recent
   * sample, or longer if a ping has been waiting longer than that.
   */
  estimate(now: number): number | null {
    let rtt = this.#samples.length > 0 ? Math.max(...this.#samples) : null
    for (const sent of this.#sentAt.values()) rtt = Math.max(rtt ?? 0, now - sent)
    return rtt === null ? null : Math.min(rtt, MAX_RTT_MS)
  }
}
