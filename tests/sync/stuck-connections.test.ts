/**
 * The watchdog that drops peer connections which stopped getting anywhere.
 * Bob is on a link with 2 s round trips: his connection to Alice takes many
 * seconds to open but keeps moving, and must not be dropped. A half-open
 * connection left over from a reconnect never moves, and must go.
 */
import { describe, expect, it } from 'vitest'
import { STUCK_DEFAULTS, StuckConnections, type PendingConnLike } from '../../src/sync/stuck-connections.ts'

class FakeConn implements PendingConnLike {
  connected = false
  closed = false
  destroyed = false
  readonly signals: unknown[] = []
  readonly peer = {
    destroy: () => {
      this.destroyed = true
    },
    signal: (data: unknown) => {
      this.signals.push(data)
    },
    _pc: { signalingState: 'have-local-offer', iceGatheringState: 'gathering', iceConnectionState: 'new', connectionState: 'new' },
  }
}

/** Runs the watchdog once a second from t = 0 to `untilMs`, calling `each` before every check; returns when `conn` was first found stuck. */
function run(watchdog: StuckConnections, conn: FakeConn, untilMs: number, rtt: number | null, each: (t: number) => void = () => {}): number | null {
  for (let t = 0; t <= untilMs; t += 1000) {
    each(t)
    if (watchdog.check([conn], t, rtt).includes(conn)) return t
  }
  return null
}

describe('which connections being set up are stuck', () => {
  it("keeps Bob's slow connection while it makes progress: a new state every 3 s for 24 s", () => {
    const conn = new FakeConn()
    const states = ['have-local-offer', 'stable', 'checking', 'connected', 'connecting', 'connected', 'completed', 'connected']
    const stuckAt = run(new StuckConnections(), conn, 24_000, 2_000, (t) => {
      if (t % 3000 === 0) conn.peer._pc.iceConnectionState = states[(t / 3000) % states.length]! + t
    })
    // The old rule ("not open after 8 s") dropped it at 8 s, every time, so it never opened.
    expect(stuckAt).toBeNull()
  })

  it("counts signals from the other device as progress (the offer, the answer, each ICE candidate)", () => {
    const conn = new FakeConn()
    const watchdog = new StuckConnections()
    watchdog.check([conn], 0, null)
    const stuckAt = run(watchdog, conn, 20_000, null, (t) => {
      if (t > 0 && t % 5000 === 0) conn.peer.signal({ candidate: `c${t}` })
    })
    expect(stuckAt).toBeNull()
    // y-webrtc's own call still reaches simple-peer.
    expect(conn.signals).toEqual([{ candidate: 'c5000' }, { candidate: 'c10000' }, { candidate: 'c15000' }, { candidate: 'c20000' }])
  })

  it('drops a half-open connection that has not moved for 8 s', () => {
    const conn = new FakeConn()
    expect(run(new StuckConnections(), conn, 30_000, 50)).toBe(9_000)
  })

  it('waits longer when the signaling round trip is long: four round trips', () => {
    const conn = new FakeConn()
    expect(run(new StuckConnections(), conn, 60_000, 5_000)).toBe(21_000)
  })

  it('drops a connection that keeps changing but never opens, after 30 s', () => {
    const conn = new FakeConn()
    const stuckAt = run(new StuckConnections(), conn, 60_000, 100, (t) => {
      conn.peer._pc.iceConnectionState = t % 2000 === 0 ? 'checking' : 'disconnected'
    })
    expect(stuckAt).toBe(STUCK_DEFAULTS.maxSetupMs + 1000)
  })

  it('ignores open and closed connections, and forgets them', () => {
    const open = Object.assign(new FakeConn(), { connected: true })
    const closed = Object.assign(new FakeConn(), { closed: true })
    const watchdog = new StuckConnections()
    for (let t = 0; t <= 60_000; t += 1000) expect(watchdog.check([open, closed], t, null)).toEqual([])
    expect(StuckConnections.pending([open, closed, new FakeConn()])).toHaveLength(1)
  })
})
