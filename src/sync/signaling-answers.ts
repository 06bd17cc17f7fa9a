/**
 * Signaling connections that opened and have not answered: a network that
 * lets the socket open and then swallows everything (a middlebox that
 * accepts the upgrade, a censoring proxy). Such a connection is not counted
 * as open once it has been silent for `SILENT_MS`, so the board says it is
 * offline rather than "looking for members" for ever, and a newcomer is not
 * told their invitation may be the trouble. Each opening is pinged at once
 * (board-sync.ts), so a live server answers within a round trip.
 *
 * A silent spell lasts from the first opening nothing answered to the next
 * answer, across the reconnections lib0 makes after 30 s of silence: the
 * line does not go back to "looking" at every reconnection.
 */

/** How long an open signaling connection may say nothing before it counts as not open. */
export const SILENT_MS = 10_000

export class SignalingAnswers<Conn extends object> {
  /** Connection → when its silent spell began (while nothing answered since an opening). */
  readonly #since = new Map<Conn, number>()

  /** `conn` opened (again). */
  opened(conn: Conn, now: number): void {
    if (!this.#since.has(conn)) this.#since.set(conn, now)
  }

  /** Something came from the server over `conn`. */
  answered(conn: Conn): void {
    this.#since.delete(conn)
  }

  /** `conn` is no longer ours. */
  forget(conn: Conn): void {
    this.#since.delete(conn)
  }

  /** Whether `conn` has said nothing for SILENT_MS since an opening. */
  silent(conn: Conn, now: number): boolean {
    const since = this.#since.get(conn)
    return since !== undefined && now - since >= SILENT_MS
  }
}
