import { describe, expect, it } from 'vitest'
import { startServer } from '../../src/server/server.ts'
import type { SignalingBus } from '../../src/server/signalingBus.ts'
import { connectClient, rawHttp, roundTrip, type TestClient } from './helpers.ts'

const SECURITY_HEADERS = ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'permissions-policy', 'cross-origin-opener-policy']

function expectSecurityHeaders(headers: Record<string, unknown>): void {
  for (const name of SECURITY_HEADERS) expect(headers[name], name).toEqual(expect.any(String))
  expect(headers['x-content-type-options']).toBe('nosniff')
}

/** A client claiming (through a trusted proxy's X-Forwarded-For) to come from `address`. */
const from = (url: string, address: string): Promise<TestClient> => connectClient(url, { headers: { 'X-Forwarded-For': address } })

async function pairWorks(url: string, topic: string): Promise<void> {
  const alice = await connectClient(url)
  const bob = await connectClient(url)
  try {
    alice.send({ type: 'subscribe', topics: [topic] })
    bob.send({ type: 'subscribe', topics: [topic] })
    await Promise.all([roundTrip(alice), roundTrip(bob)])
    alice.send({ type: 'publish', topic, data: 'hello' })
    expect(await bob.next((m) => m.type === 'publish')).toMatchObject({ data: 'hello' })
  } finally {
    alice.close()
    bob.close()
  }
}

describe('a socket in no room does not hold its slot forever', () => {
  it('Eve never joins a room and is closed after the idle time; Alice, in a room, stays; Bob is closed once he leaves his last room', async () => {
    const server = await startServer({ port: 0, limits: { idleTimeoutMs: 150 } })
    try {
      const eve = await connectClient(server.signalingUrl)
      const alice = await connectClient(server.signalingUrl)
      const bob = await connectClient(server.signalingUrl)
      alice.send({ type: 'subscribe', topics: ['room'] })
      bob.send({ type: 'subscribe', topics: ['room', 'other'] })
      await Promise.all([roundTrip(alice), roundTrip(bob)])
      const opened = performance.now()
      expect(await eve.closed).toEqual({ code: 1000, reason: 'idle' })
      expect(performance.now() - opened).toBeLessThan(2000)

      bob.send({ type: 'unsubscribe', topics: ['room'] })
      await roundTrip(bob)
      expect(await bob.silentFor(300)).toBe(true) // still in "other": kept
      expect(bob.ws.readyState).toBe(bob.ws.OPEN)
      bob.send({ type: 'unsubscribe', topics: ['other'] })
      expect(await bob.closed).toEqual({ code: 1000, reason: 'idle' })
      expect(alice.ws.readyState).toBe(alice.ws.OPEN)
      alice.close()
    } finally {
      await server.close()
    }
  })
})

describe('one address cannot take every connection', () => {
  it('Eve, from one address, gets 429 (with the security headers) past her share, while Alice from another still connects', async () => {
    const server = await startServer({ port: 0, trustedProxies: 1, limits: { maxConnectionsPerAddress: 3 } })
    try {
      const eves = await Promise.all([1, 2, 3].map(() => from(server.signalingUrl, '203.0.113.66')))
      await expect(from(server.signalingUrl, '203.0.113.66')).rejects.toThrow('HTTP 429')
      // A fresh IPv6 address from the same /64 is the same client.
      const v6 = await Promise.all([1, 2, 3].map((i) => from(server.signalingUrl, `2001:db8:1:2::${i}`)))
      await expect(from(server.signalingUrl, '2001:db8:1:2:ffff::9')).rejects.toThrow('HTTP 429')
      const alice = await from(server.signalingUrl, '198.51.100.7')

      const refused = await rawHttp(
        server.url,
        'GET /signal HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Forwarded-For: 203.0.113.66\r\n\r\n',
      )
      expect(refused.status).toBe(429)
      expect(refused.headers['retry-after']).toBe('10')
      expectSecurityHeaders(refused.headers)

      eves[0]?.close()
      await eves[0]?.closed
      await new Promise((r) => setTimeout(r, 20))
      const eveAgain = await from(server.signalingUrl, '203.0.113.66')
      for (const c of [...eves, ...v6, alice, eveAgain]) c?.close()
    } finally {
      await server.close()
    }
  })

  it('without a trusted proxy, X-Forwarded-For is ignored: Eve cannot pose as many addresses (and the operator is told once)', async () => {
    const logs: string[] = []
    const server = await startServer({ port: 0, limits: { maxConnectionsPerAddress: 2 }, log: (line) => logs.push(line) })
    try {
      const a = await from(server.signalingUrl, '198.51.100.1')
      const b = await from(server.signalingUrl, '198.51.100.2')
      await expect(from(server.signalingUrl, '198.51.100.3')).rejects.toThrow('HTTP 429')
      expect(logs).toEqual(['hearth: requests carry X-Forwarded-For but HEARTH_TRUST_PROXY is not set; per-address limits count the proxy as one client'])
      a.close()
      b.close()
    } finally {
      await server.close()
    }
  })
})

describe('every refusal carries the security headers', () => {
  const upgrade = (path: string, extra = ''): string =>
    `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`

  it.each([
    ['an upgrade on another path', upgrade('/elsewhere'), 404],
    ['an upgrade with a bad key', upgrade('/signal').replace('dGhlIHNhbXBsZSBub25jZQ==', 'short'), 400],
    ['an upgrade with an unknown version', upgrade('/signal').replace('Version: 13', 'Version: 99'), 400],
    ['an upgrade with POST', upgrade('/signal').replace('GET', 'POST'), 405],
    ['an upgrade to another protocol', upgrade('/signal').replace('Upgrade: websocket', 'Upgrade: h2c'), 400],
    ['a request Node cannot parse', 'NOT HTTP AT ALL\r\n\r\n', 400],
    ['a request with oversized headers', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ])('%s → %s', async (_name, request, status) => {
    const server = await startServer({ port: 0 })
    try {
      const res = await rawHttp(server.url, request)
      expect(res.status).toBe(status)
      expectSecurityHeaders(res.headers)
    } finally {
      await server.close()
    }
  })

  it('the global cap (503) too', async () => {
    const server = await startServer({ port: 0, limits: { maxConnections: 1 } })
    try {
      const alice = await connectClient(server.signalingUrl)
      const res = await rawHttp(server.url, upgrade('/signal'))
      expect(res.status).toBe(503)
      expectSecurityHeaders(res.headers)
      alice.close()
    } finally {
      await server.close()
    }
  })
})

describe('a frame that used to crash the process', () => {
  it('Eve publishes 8,000 nested arrays: not relayed, counted as malformed, and Alice and Bob carry on', async () => {
    const server = await startServer({ port: 0 })
    try {
      const listener = await connectClient(server.signalingUrl)
      listener.send({ type: 'subscribe', topics: ['deep'] })
      await roundTrip(listener)
      const eve = await connectClient(server.signalingUrl)
      eve.sendRaw(`{"type":"publish","topic":"deep","data":${'['.repeat(8000)}${']'.repeat(8000)}}`)
      await roundTrip(eve)
      expect(await listener.silentFor(50, (m) => m.type === 'publish')).toBe(true)
      for (let i = 0; i < 9; i++) eve.sendRaw(`{"type":"publish","topic":"deep","data":${'[{"a":'.repeat(3000)}`)
      expect((await eve.closed).code).toBe(1008)
      await pairWorks(server.signalingUrl, 'after-deep')
      listener.close()
    } finally {
      await server.close()
    }
  })

  it('what is relayed is the text Alice sent, byte for byte (never re-serialised)', async () => {
    const server = await startServer({ port: 0 })
    try {
      const alice = await connectClient(server.signalingUrl)
      const bob = await connectClient(server.signalingUrl)
      for (const c of [alice, bob]) c.send({ type: 'subscribe', topics: ['exact'] })
      await Promise.all([roundTrip(alice), roundTrip(bob)])
      const data = '{ "sdp" : "v=0\\r\\n", "n": 1.50, "deep": [[[[["ok"]]]]] }'
      alice.sendRaw(`{"type":"publish","topic":"exact","data":${data}}`)
      await bob.next((m) => m.type === 'publish')
      expect(bob.raw.at(-1)).toBe(`{"type":"publish","topic":"exact","data":${data},"clients":2}`)
      alice.close()
      bob.close()
    } finally {
      await server.close()
    }
  })
})

/** A bus that records what the relay asks of it and can be told to fail. */
type FakeBus = SignalingBus & {
  calls: string[]
  deliver: (topic: string, data: string | null) => void
  reconnected: () => void
  failPublish: boolean
  connected: boolean
}

function fakeBus(): FakeBus {
  const bus: FakeBus = {
    calls: [] as string[],
    failPublish: false,
    connected: true,
    deliver: () => {},
    reconnected: () => {},
    start(handlers) {
      bus.deliver = handlers.deliver
      bus.reconnected = handlers.reconnected
    },
    subscribe: (topic: string) => void bus.calls.push(`subscribe ${topic}`),
    unsubscribe: (topic: string) => void bus.calls.push(`unsubscribe ${topic}`),
    publish(topic: string, data: string | null) {
      if (bus.failPublish) throw new Error('bus bug')
      bus.calls.push(`publish ${topic} ${data}`)
    },
    close: async () => void bus.calls.push('close'),
  }
  return bus
}

describe('sharing rooms through a bus', () => {
  it('subscribes on the first local member of a room, unsubscribes when the last leaves, and hands every publish over', async () => {
    const bus = fakeBus()
    const server = await startServer({ port: 0, bus })
    const alice = await connectClient(server.signalingUrl)
    const bob = await connectClient(server.signalingUrl)
    alice.send({ type: 'subscribe', topics: ['room'] })
    bob.send({ type: 'subscribe', topics: ['room'] })
    await Promise.all([roundTrip(alice), roundTrip(bob)])
    alice.send({ type: 'publish', topic: 'room', data: 'offer' })
    await bob.next((m) => m.type === 'publish')
    alice.send({ type: 'unsubscribe', topics: ['room'] })
    await roundTrip(alice)
    expect(bus.calls).toEqual(['subscribe room', 'publish room "offer"'])
    bob.close()
    await bob.closed
    await new Promise((r) => setTimeout(r, 20))
    expect(bus.calls).toEqual(['subscribe room', 'publish room "offer"', 'unsubscribe room'])
    alice.close()
    await server.close()
    expect(bus.calls.at(-1)).toBe('close')
  })

  it('relays what other instances publish, but only a single valid JSON value', async () => {
    const bus = fakeBus()
    const server = await startServer({ port: 0, bus })
    try {
      const bob = await connectClient(server.signalingUrl)
      bob.send({ type: 'subscribe', topics: ['room'] })
      await roundTrip(bob)
      bus.deliver('room', '1,"topic":"elsewhere"')
      bus.deliver('room', `${'['.repeat(40)}${']'.repeat(40)}`)
      bus.deliver('room', '{"unterminated":')
      bus.deliver('nobody-here', '"x"')
      bus.deliver('room', '"from-another-instance"')
      bus.deliver('room', null)
      expect(await bob.next((m) => m.type === 'publish')).toEqual({ type: 'publish', topic: 'room', data: 'from-another-instance', clients: 1 })
      expect(await bob.next((m) => m.type === 'publish')).toEqual({ type: 'publish', topic: 'room', clients: 1 })
      expect(bob.raw.filter((r) => r.includes('publish'))).toHaveLength(2)
      bob.close()
    } finally {
      await server.close()
    }
  })

  it('Erin, who joined while the other instances were out of reach, is asked to rejoin once they are back; Alice is left alone', async () => {
    const bus = fakeBus()
    const server = await startServer({ port: 0, bus })
    try {
      const alice = await connectClient(server.signalingUrl)
      alice.send({ type: 'subscribe', topics: ['room'] })
      await roundTrip(alice)
      bus.connected = false
      const erin = await connectClient(server.signalingUrl)
      erin.send({ type: 'subscribe', topics: ['room'] })
      await roundTrip(erin)
      bus.connected = true
      bus.reconnected()
      // 1012: y-webrtc reconnects at once and announces herself again, this time to every instance.
      expect(await erin.closed).toEqual({ code: 1012, reason: 'rejoin' })
      expect(await alice.silentFor(100)).toBe(true)
      expect(alice.ws.readyState).toBe(alice.ws.OPEN)
      alice.close()
    } finally {
      await server.close()
    }
  })

  it('a handler that throws closes that socket with 1011, never the process, and others are served', async () => {
    const bus = fakeBus()
    const server = await startServer({ port: 0, bus })
    try {
      const eve = await connectClient(server.signalingUrl)
      bus.failPublish = true
      eve.send({ type: 'publish', topic: 'room', data: 'x' })
      expect(await eve.closed).toEqual({ code: 1011, reason: 'internal error' })
      bus.failPublish = false
      await pairWorks(server.signalingUrl, 'after-bug')
    } finally {
      await server.close()
    }
  })
})
