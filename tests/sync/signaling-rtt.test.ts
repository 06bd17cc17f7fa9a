import { describe, expect, it } from 'vitest'
import { SignalingRtt, type PingableConnLike } from '../../src/sync/signaling-rtt.ts'

class FakeSignaling implements PingableConnLike {
  connected = true
  pings = 0
  send(message: { type: 'ping' }): void {
    if (message.type === 'ping') this.pings++
  }
}

describe("the round trip to the signaling server (Bob's slow link)", () => {
  it('is unknown until a pong answers a ping, then the largest recent sample', () => {
    const rtt = new SignalingRtt()
    const server = new FakeSignaling()
    expect(rtt.estimate(0)).toBeNull()
    rtt.ping([server], 1_000)
    rtt.received(server, { type: 'pong' }, 3_100)
    expect(rtt.estimate(3_100)).toBe(2_100)
    rtt.ping([server], 10_000)
    rtt.received(server, { type: 'publish' }, 10_050)
    rtt.received(server, { type: 'pong' }, 10_300)
    expect(rtt.estimate(10_300)).toBe(2_100)
    expect(server.pings).toBe(2)
  })

  it('grows while a ping waits longer than that, and sends no second ping meanwhile', () => {
    const rtt = new SignalingRtt()
    const server = new FakeSignaling()
    rtt.ping([server], 0)
    rtt.received(server, { type: 'pong' }, 100)
    rtt.ping([server], 1_000)
    rtt.ping([server], 2_000)
    expect(server.pings).toBe(2)
    expect(rtt.estimate(5_000)).toBe(4_000)
    expect(rtt.estimate(100_000)).toBe(20_000)
  })

  it('forgets a ping on a connection that closed, and skips closed connections', () => {
    const rtt = new SignalingRtt()
    const server = new FakeSignaling()
    rtt.ping([server], 0)
    rtt.forget(server)
    expect(rtt.estimate(60_000)).toBeNull()
    server.connected = false
    rtt.ping([server], 70_000)
    expect(server.pings).toBe(1)
  })
})
