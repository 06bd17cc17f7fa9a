import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../src/server/server.ts'
import { connectClient, roundTrip } from './helpers.ts'

describe('two members find each other through the signaling server', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ port: 0 })
  })
  afterAll(() => server.close())

  it('Alice and Bob subscribe to a room and both receive what Alice publishes, with the subscriber count', async () => {
    const alice = await connectClient(server.signalingUrl)
    const bob = await connectClient(server.signalingUrl)
    alice.send({ type: 'subscribe', topics: ['room-1'] })
    bob.send({ type: 'subscribe', topics: ['room-1'] })
    await Promise.all([roundTrip(alice), roundTrip(bob)])

    alice.send({ type: 'publish', topic: 'room-1', data: 'b64-encrypted-offer' })
    const expected = { type: 'publish', topic: 'room-1', data: 'b64-encrypted-offer', clients: 2 }
    expect(await bob.next((m) => m.type === 'publish')).toEqual(expected)
    expect(await alice.next((m) => m.type === 'publish')).toEqual(expected)
    alice.close()
    bob.close()
  })

  it('forwards structured (unencrypted) data untouched', async () => {
    const alice = await connectClient(server.signalingUrl)
    alice.send({ type: 'subscribe', topics: ['room-2'] })
    const data = { type: 'announce', from: 'peer-a', nested: [1, 'two', null] }
    alice.send({ type: 'publish', topic: 'room-2', data })
    expect((await alice.next((m) => m.type === 'publish')).data).toEqual(data)
    alice.close()
  })

  it('Carol, in another room, hears nothing', async () => {
    const alice = await connectClient(server.signalingUrl)
    const carol = await connectClient(server.signalingUrl)
    alice.send({ type: 'subscribe', topics: ['room-3'] })
    carol.send({ type: 'subscribe', topics: ['room-elsewhere'] })
    await Promise.all([roundTrip(alice), roundTrip(carol)])
    alice.send({ type: 'publish', topic: 'room-3', data: 'x' })
    await alice.next((m) => m.type === 'publish')
    expect(await carol.silentFor(100, (m) => m.type === 'publish')).toBe(true)
    alice.close()
    carol.close()
  })

  it('after Bob unsubscribes he no longer receives the room, and the count drops', async () => {
    const alice = await connectClient(server.signalingUrl)
    const bob = await connectClient(server.signalingUrl)
    alice.send({ type: 'subscribe', topics: ['room-4'] })
    bob.send({ type: 'subscribe', topics: ['room-4', 'room-4b'] })
    await Promise.all([roundTrip(alice), roundTrip(bob)])
    bob.send({ type: 'unsubscribe', topics: ['room-4'] })
    await roundTrip(bob)

    alice.send({ type: 'publish', topic: 'room-4', data: 'after' })
    expect(await alice.next((m) => m.type === 'publish')).toMatchObject({ data: 'after', clients: 1 })
    expect(await bob.silentFor(100, (m) => m.type === 'publish')).toBe(true)
    alice.close()
    bob.close()
  })

  it('drops a closed client from its rooms', async () => {
    const alice = await connectClient(server.signalingUrl)
    const bob = await connectClient(server.signalingUrl)
    alice.send({ type: 'subscribe', topics: ['room-5'] })
    bob.send({ type: 'subscribe', topics: ['room-5'] })
    await Promise.all([roundTrip(alice), roundTrip(bob)])
    bob.close()
    await bob.closed
    await new Promise((r) => setTimeout(r, 20))
    alice.send({ type: 'publish', topic: 'room-5', data: 'x' })
    expect(await alice.next((m) => m.type === 'publish')).toMatchObject({ clients: 1 })
    alice.close()
  })

  it('answers ping with pong', async () => {
    const alice = await connectClient(server.signalingUrl)
    alice.send({ type: 'ping' })
    expect(await alice.next()).toEqual({ type: 'pong' })
    alice.close()
  })

  it('refuses WebSocket upgrades on any other path with 404', async () => {
    const base = server.signalingUrl.replace(/\/signal$/, '')
    for (const path of ['/', '/signal/x', '/signals', '/config.json']) {
      await expect(connectClient(base + path)).rejects.toThrow('HTTP 404')
    }
    const ok = await connectClient(`${server.signalingUrl}?v=1`)
    ok.close()
  })
})

describe('keep-alive', () => {
  it('pings clients and drops the ones that stop answering', async () => {
    const server = await startServer({ port: 0, limits: { pingIntervalMs: 50 } })
    try {
      const live = await connectClient(server.signalingUrl)
      const dead = await connectClient(server.signalingUrl, { autoPong: false })
      const { code } = await dead.closed
      expect(code).toBe(1006)
      expect(live.ws.readyState).toBe(live.ws.OPEN)
      live.close()
    } finally {
      await server.close()
    }
  })

  it('close() terminates every socket at once and accepts no more', async () => {
    const server = await startServer({ port: 0 })
    const a = await connectClient(server.signalingUrl)
    const b = await connectClient(server.signalingUrl)
    const stillOpen = new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 1000))
    const closing = server.close()
    const [ca, cb] = await Promise.all([Promise.race([a.closed, stillOpen]), Promise.race([b.closed, stillOpen])])
    // Terminated, not closed politely: 1006 is what a client sees when the server drops the socket.
    expect(ca).toEqual({ code: 1006, reason: '' })
    expect(cb).toEqual({ code: 1006, reason: '' })
    await closing
    await expect(connectClient(server.signalingUrl)).rejects.toThrow(/ECONNREFUSED/)
  })
})
