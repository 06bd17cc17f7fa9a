/**
 * A signaling cluster: two Hearth server instances share rooms through a
 * real `redis-server` on loopback (started and stopped here). Raw signaling
 * clients on different instances hear each other; real y-webrtc peers (child
 * processes with @roamhq/wrtc) on different instances sync a board; Redis
 * holds nothing but live subscriptions; and when Redis goes away each
 * instance keeps serving its own clients, then shares rooms again when Redis
 * is back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type RunningServer } from '../../src/server/server.ts'
import { connectClient, roundTrip, type TestClient } from '../server/helpers.ts'
import { PeerProcess, waitUntil } from './support/peer-process.ts'
import { startRedis, type RedisProcess } from './support/redis-server.ts'

const CHANNEL = (topic: string): string => `hearth:signal:${topic}`

let redis: RedisProcess | null = null
let east: RunningServer
let west: RunningServer
const logs: string[] = []
const clients: TestClient[] = []
const peers: PeerProcess[] = []

beforeAll(async () => {
  redis = await startRedis()
  east = await startServer({ port: 0, redisUrl: redis.url, log: (line) => logs.push(`east ${line}`) })
  west = await startServer({ port: 0, redisUrl: redis.url, log: (line) => logs.push(`west ${line}`) })
})

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await Promise.all(peers.splice(0).map((p) => p.kill()))
})

afterAll(async () => {
  try {
    await Promise.all([east?.close(), west?.close()])
  } finally {
    await redis?.stop()
  }
})

async function client(server: RunningServer, topics: string[]): Promise<TestClient> {
  const c = await connectClient(server.signalingUrl)
  clients.push(c)
  if (topics.length > 0) {
    c.send({ type: 'subscribe', topics })
    await roundTrip(c)
  }
  return c
}

/** How many instances hold a Redis subscription for `topic`. */
async function subscribers(topic: string): Promise<number> {
  const reply = (await redis!.command('PUBSUB', 'NUMSUB', CHANNEL(topic))) as [string, number]
  return Number(reply[1])
}

async function channels(): Promise<string[]> {
  return ((await redis!.command('PUBSUB', 'CHANNELS', 'hearth:*')) as string[]).sort()
}

describe('two signaling instances share rooms through Redis', () => {
  it('Alice on one instance and Bob on the other exchange publishes; Carol, in another room, hears nothing', async () => {
    const alice = await client(east, ['circle'])
    const bob = await client(west, ['circle'])
    const carol = await client(west, ['elsewhere'])
    await waitUntil(async () => (await subscribers('circle')) === 2, 10_000, 'both instances subscribed in Redis')

    alice.send({ type: 'publish', topic: 'circle', data: { type: 'announce', from: 'alice' } })
    expect(await bob.next((m) => m.type === 'publish')).toEqual({ type: 'publish', topic: 'circle', data: { type: 'announce', from: 'alice' }, clients: 1 })
    bob.send({ type: 'publish', topic: 'circle', data: 'b64-offer' })
    expect(await alice.next((m) => m.type === 'publish' && m.data === 'b64-offer')).toMatchObject({ clients: 1 })

    // Each publish reaches each subscriber exactly once: Alice's own came back locally, not a second time through Redis.
    expect(await alice.next((m) => m.type === 'publish' && m.data !== 'b64-offer')).toMatchObject({ data: { from: 'alice' } })
    expect(await alice.silentFor(200, (m) => m.type === 'publish')).toBe(true)
    expect(await bob.next((m) => m.type === 'publish' && m.data === 'b64-offer')).toMatchObject({ clients: 1 })
    expect(await bob.silentFor(0, (m) => m.type === 'publish')).toBe(true)
    expect(await carol.silentFor(0, (m) => m.type === 'publish')).toBe(true)
  })

  it('each instance subscribes in Redis only to the rooms its own clients use, and lets go when the last leaves', async () => {
    const alice = await client(east, ['room-1', 'room-2'])
    const bob = await client(west, ['room-2'])
    await waitUntil(async () => (await subscribers('room-2')) === 2 && (await subscribers('room-1')) === 1, 10_000, 'subscriptions')
    expect(await channels()).toEqual([CHANNEL('room-1'), CHANNEL('room-2')])

    alice.send({ type: 'unsubscribe', topics: ['room-2'] })
    await waitUntil(async () => (await subscribers('room-2')) === 1, 10_000, 'east lets go of room-2')
    bob.close()
    await waitUntil(async () => (await subscribers('room-2')) === 0, 10_000, 'west lets go of room-2')
    alice.close()
    await waitUntil(async () => (await channels()).length === 0, 10_000, 'no subscription left')
    // Nothing about rooms is stored: no key at all.
    expect(await redis!.command('DBSIZE')).toBe(0)
  })

  it('junk published straight into Redis is never relayed to anyone', async () => {
    const bob = await client(west, ['junk-room'])
    await waitUntil(async () => (await subscribers('junk-room')) === 1, 10_000, 'west subscribed')
    for (const junk of ['x', '0123456789abcdefd1,"topic":"elsewhere"', `0123456789abcdefd${'['.repeat(5000)}`, '0123456789abcdefq"x"', '0123456789abcdefd{"a":']) {
      await redis!.command('PUBLISH', CHANNEL('junk-room'), junk)
    }
    await redis!.command('PUBLISH', CHANNEL('junk-room'), '0123456789abcdefd"well-formed"')
    expect(await bob.next((m) => m.type === 'publish')).toEqual({ type: 'publish', topic: 'junk-room', data: 'well-formed', clients: 1 })
    expect(bob.raw.filter((r) => r.includes('"publish"'))).toHaveLength(1)
  })

  it('Alice and Bob, real y-webrtc peers on different instances, sync a board', async () => {
    const room = `cluster-board-${process.pid}-${Date.now()}`
    const alice = new PeerProcess('alice')
    const bob = new PeerProcess('bob')
    peers.push(alice, bob)
    await alice.request({ cmd: 'set', key: 'alice-notice', value: { title: 'Meeting moved to Thursday' } })
    await bob.request({ cmd: 'set', key: 'bob-offer', value: { title: 'Spare room this weekend' } })
    await alice.request({ cmd: 'connect', room, password: 'correct horse', signaling: [east.signalingUrl] })
    await bob.request({ cmd: 'connect', room, password: 'correct horse', signaling: [west.signalingUrl] })

    await waitUntil(async () => (await bob.summary()).keys.includes('alice-notice'), 30_000, 'Alice’s notice at Bob')
    await waitUntil(async () => (await alice.summary()).keys.includes('bob-offer'), 30_000, 'Bob’s offer at Alice')
    await waitUntil(() => alice.status?.state === 'synced' && bob.status?.state === 'synced', 20_000, 'both synced')
    expect((await alice.summary()).stateVector).toBe((await bob.summary()).stateVector)
    expect(alice.status?.peers).toBe(1)
  })
})

describe('Redis goes away and comes back', () => {
  it('each instance keeps serving its own clients meanwhile, says so in one line with no room in it, and shares rooms again once Redis is back', async () => {
    const port = redis!.port
    const alice = await client(east, ['outage'])
    const dave = await client(east, ['outage'])
    const bob = await client(west, ['outage'])
    await waitUntil(async () => (await subscribers('outage')) === 2, 10_000, 'both instances subscribed')
    logs.length = 0

    await redis!.stop()
    redis = null
    await waitUntil(() => logs.length >= 2, 10_000, 'both instances noticed')
    alice.send({ type: 'publish', topic: 'outage', data: 'local-only' })
    expect(await dave.next((m) => m.type === 'publish')).toMatchObject({ data: 'local-only', clients: 2 })
    expect(await bob.silentFor(300, (m) => m.type === 'publish')).toBe(true)
    // Erin and Frank join during the outage: their instances cannot tell each other.
    const erin = await client(west, ['joined-during-outage'])
    const frank = await client(east, ['joined-during-outage'])

    redis = await startRedis(port)
    await waitUntil(async () => (await subscribers('outage')) === 2, 20_000, 'subscriptions restored')
    alice.send({ type: 'publish', topic: 'outage', data: 'shared-again' })
    expect(await bob.next((m) => m.type === 'publish' && m.data === 'shared-again')).toMatchObject({ clients: 1 })
    // Their one announce went nowhere, so both are asked to rejoin (y-webrtc reconnects and announces again)…
    expect(await erin.closed).toEqual({ code: 1012, reason: 'rejoin' })
    expect(await frank.closed).toEqual({ code: 1012, reason: 'rejoin' })
    expect(alice.ws.readyState).toBe(alice.ws.OPEN)
    // …and once they have, they hear each other across the instances.
    const erinAgain = await client(west, ['joined-during-outage'])
    const frankAgain = await client(east, ['joined-during-outage'])
    await waitUntil(async () => (await subscribers('joined-during-outage')) === 2, 20_000, 'their room subscribed on both instances')
    frankAgain.send({ type: 'publish', topic: 'joined-during-outage', data: 'hello-erin' })
    expect(await erinAgain.next((m) => m.type === 'publish')).toMatchObject({ data: 'hello-erin' })

    expect(logs.filter((l) => l.startsWith('east')).length).toBe(2)
    expect(logs.filter((l) => l.startsWith('west')).length).toBe(2)
    expect(logs.filter((l) => l.includes('lost the connection to Redis'))).toHaveLength(2)
    expect(logs.filter((l) => l.includes('Redis is back'))).toHaveLength(2)
    for (const line of logs) {
      expect(line).not.toMatch(/outage|joined-during|127\.0\.0\.1|redis:\/\//)
      expect(line.split('\n')).toHaveLength(1)
    }
  })

  it('Alice and Bob, y-webrtc peers who open the board on different instances during the outage, sync once Redis is back', async () => {
    const port = redis!.port
    const room = `cluster-outage-${process.pid}-${Date.now()}`
    const alice = new PeerProcess('alice')
    const bob = new PeerProcess('bob')
    peers.push(alice, bob)
    await alice.request({ cmd: 'set', key: 'alice-notice', value: { title: 'Clinic open late' } })
    await bob.request({ cmd: 'set', key: 'bob-offer', value: { title: 'Rides on Thursday' } })
    await redis!.stop()
    redis = null
    await alice.request({ cmd: 'connect', room, password: 'correct horse', signaling: [east.signalingUrl] })
    await bob.request({ cmd: 'connect', room, password: 'correct horse', signaling: [west.signalingUrl] })
    await waitUntil(() => alice.status?.state === 'searching' && bob.status?.state === 'searching', 20_000, 'both on their own instance')
    await new Promise((r) => setTimeout(r, 1000))
    expect((await bob.summary()).keys).not.toContain('alice-notice')

    redis = await startRedis(port)
    await waitUntil(async () => (await bob.summary()).keys.includes('alice-notice'), 40_000, 'Alice’s notice at Bob')
    await waitUntil(async () => (await alice.summary()).keys.includes('bob-offer'), 20_000, 'Bob’s offer at Alice')
  })
})
