/**
 * A member on a slow phone link reads the relay's frames more slowly than
 * the room sends them. The relay drops a reader only once its unsent backlog
 * passes `maxBufferedBytes`; below that it must keep buffering, or a live
 * member on a slow link would be cut off at the first frame that the kernel
 * could not take at once.
 *
 * The slow reader is Bob with his socket paused: the kernel buffers between
 * relay and Bob fill, and the relay's own backlog for him grows. The test
 * reads that backlog on the relay's side of Bob's TCP connection (the relay
 * runs in this process) so that it does not depend on the kernel's buffer
 * sizes.
 */
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { SignalingLimits } from '../../src/server/limits.ts'
import { createSignaling, type Signaling } from '../../src/server/signaling.ts'
import { connectClient, roundTrip, type TestClient } from './helpers.ts'

/** A frame a little under the default 64 KB payload bound: a large encrypted offer. */
const DATA = 'o'.repeat(60 * 1024)
/** The backlog the default bound allows: 1 MiB. */
const DEFAULT_BACKLOG = 1024 * 1024

interface Relay {
  url: string
  /** The relay's end of the TCP connection whose client port is `port`. */
  socketOf(port: number): Socket
  close(): Promise<void>
}

/** Every limit at its default but the rate (Alice sends far more than a real member would, to fill the buffers). */
async function startRelay(limits: Partial<SignalingLimits>): Promise<Relay> {
  const server: Server = createServer()
  const sockets: Socket[] = []
  server.on('connection', (s) => sockets.push(s))
  const signaling: Signaling = createSignaling({ limits: { messagesPerSecond: 100_000, messageBurst: 100_000, ...limits } })
  signaling.attach(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  return {
    url: `ws://127.0.0.1:${address.port}/signal`,
    socketOf(port) {
      const found = sockets.find((s) => s.remotePort === port)
      if (!found) throw new Error(`no socket from port ${port}`)
      return found
    },
    close: () =>
      new Promise<void>((resolve) => {
        signaling.close()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** Bob's own TCP socket (ws keeps it as `_socket`). */
function tcpOf(client: TestClient): Socket {
  return (client.ws as unknown as { _socket: Socket })._socket
}

/** Alice publishes DATA and waits for her own copy: the relay has then handed it to Bob's socket too. */
async function publish(alice: TestClient, i: number): Promise<void> {
  alice.send({ type: 'publish', topic: 'room', data: `${i}:${DATA}` })
  await alice.next((m) => m.type === 'publish' && typeof m.data === 'string' && m.data.startsWith(`${i}:`), 5000)
}

async function roomWithSlowBob(relay: Relay): Promise<{ alice: TestClient; bob: TestClient; bobAtRelay: Socket }> {
  const alice = await connectClient(relay.url)
  const bob = await connectClient(relay.url)
  alice.send({ type: 'subscribe', topics: ['room'] })
  bob.send({ type: 'subscribe', topics: ['room'] })
  await Promise.all([roundTrip(alice), roundTrip(bob)])
  const bobAtRelay = relay.socketOf(tcpOf(bob).localPort ?? -1)
  tcpOf(bob).pause()
  return { alice, bob, bobAtRelay }
}

describe('a member who reads slowly', () => {
  it('under the default bound, Bob, behind by a few large frames past what the kernel holds, is kept and then gets every frame in order', async () => {
    const relay = await startRelay({})
    try {
      const { alice, bob, bobAtRelay } = await roomWithSlowBob(relay)
      let sent = 0
      // Until the kernel holds no more and the relay buffers for Bob itself.
      while (bobAtRelay.writableLength === 0 && !bobAtRelay.destroyed) {
        expect(sent, 'the kernel never filled').toBeLessThan(500)
        await publish(alice, sent++)
      }
      // Four more frames (about 240 KB) on top of that backlog: well under 1 MiB.
      for (let k = 0; k < 4; k++) await publish(alice, sent++)
      expect(bobAtRelay.destroyed, 'the relay dropped Bob').toBe(false)
      expect(bobAtRelay.writableLength).toBeGreaterThan(0)
      expect(bobAtRelay.writableLength).toBeLessThan(DEFAULT_BACKLOG)

      tcpOf(bob).resume()
      const got: number[] = []
      for (let i = 0; i < sent; i++) {
        const m = await bob.next((x) => x.type === 'publish', 5000)
        got.push(Number(String(m.data).split(':')[0]))
      }
      expect(got).toEqual(Array.from({ length: sent }, (_, i) => i))
      expect(bob.ws.readyState).toBe(bob.ws.OPEN)
      alice.close()
      bob.close()
    } finally {
      await relay.close()
    }
  }, 30_000)

  it('past the bound, the relay drops Bob instead of buffering without end, and Alice stays', async () => {
    const relay = await startRelay({ maxBufferedBytes: 100 * 1024 })
    try {
      const { alice, bob, bobAtRelay } = await roomWithSlowBob(relay)
      let sent = 0
      while (!bobAtRelay.destroyed) {
        expect(sent, 'Bob was never dropped').toBeLessThan(500)
        await publish(alice, sent++)
      }
      tcpOf(bob).resume()
      expect((await bob.closed).code).toBe(1006)
      expect(alice.ws.readyState).toBe(alice.ws.OPEN)
      alice.close()
    } finally {
      await relay.close()
    }
  }, 30_000)
})
