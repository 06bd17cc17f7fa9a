import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startServer, type RunningServer } from '../../src/server/server.ts'
import { connectClient, makeStaticDir, roundTrip, type TestClient } from '../server/helpers.ts'
import { startServerProcess, type ServerProcess } from './support/server-process.ts'

/**
 * Hostile clients against one real server on loopback. After every abuse an
 * honest pair of members must still find each other on the same server, and
 * the server must not have written a word about any of it.
 */

const SECRET_TOPIC = 'room-7c1f-secret-topic'

let server: RunningServer
const output: string[] = []
const originalWrites = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) }

beforeAll(async () => {
  const capture = (chunk: unknown): boolean => {
    output.push(String(chunk))
    return true
  }
  process.stdout.write = capture as typeof process.stdout.write
  process.stderr.write = capture as typeof process.stderr.write
  // vitest routes console.* around process.stdout, so watch those too.
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(' ')))
  }
  server = await startServer({ port: 0, staticDir: makeStaticDir() })
})

afterAll(async () => {
  await server.close()
  process.stdout.write = originalWrites.stdout
  process.stderr.write = originalWrites.stderr
  vi.restoreAllMocks()
})

let pairs = 0
/** Alice and Bob, fresh connections, exchange a publish on a fresh topic. */
async function honestPairStillWorks(): Promise<void> {
  const topic = `${SECRET_TOPIC}-${++pairs}`
  const alice = await connectClient(server.signalingUrl)
  const bob = await connectClient(server.signalingUrl)
  try {
    alice.send({ type: 'subscribe', topics: [topic] })
    bob.send({ type: 'subscribe', topics: [topic] })
    await Promise.all([roundTrip(alice), roundTrip(bob)])
    alice.send({ type: 'publish', topic, data: { type: 'announce', from: 'alice' } })
    expect(await bob.next((m) => m.type === 'publish')).toEqual({
      type: 'publish',
      topic,
      data: { type: 'announce', from: 'alice' },
      clients: 2,
    })
    bob.send({ type: 'publish', topic, data: 'b64-offer' })
    expect(await alice.next((m) => m.type === 'publish' && m.data === 'b64-offer')).toMatchObject({ clients: 2 })
  } finally {
    alice.close()
    bob.close()
  }
}

async function abuser(): Promise<TestClient> {
  return connectClient(server.signalingUrl)
}

describe('a malicious client cannot take the signaling server down', () => {
  it('an oversized frame closes only that connection, with 1009', async () => {
    const eve = await abuser()
    eve.sendRaw(JSON.stringify({ type: 'publish', topic: 't', data: 'x'.repeat(64 * 1024) }))
    expect((await eve.closed).code).toBe(1009)
    await honestPairStillWorks()
  })

  it('a frame just under the limit is still relayed (a big encrypted SDP offer)', async () => {
    const alice = await abuser()
    alice.send({ type: 'subscribe', topics: ['big'] })
    const data = 'A'.repeat(60 * 1024)
    alice.send({ type: 'publish', topic: 'big', data })
    expect((await alice.next((m) => m.type === 'publish')).data).toBe(data)
    alice.close()
  })

  it.each([
    ['non-JSON text', 'this is not json'],
    ['truncated JSON', '{"type":"subscribe","topics":['],
    ['null', 'null'],
    ['an array', '[{"type":"publish","topic":"x","data":1}]'],
    ['a number', '12345'],
    ['a string', '"publish"'],
    ['no type', '{"topics":["a"]}'],
    ['type of the wrong type', '{"type":["subscribe"],"topics":["a"]}'],
    ['topics as a string', '{"type":"subscribe","topics":"abc"}'],
    ['topics with objects', '{"type":"subscribe","topics":[{"toString":1}]}'],
    ['topic as a number', '{"type":"publish","topic":7,"data":1}'],
    ['an overlong topic', JSON.stringify({ type: 'subscribe', topics: ['x'.repeat(10_000)] })],
    ['an unknown type', '{"type":"pong"}'],
  ])('ignores %s, keeps the sender connected, and serves others', async (_name, frame) => {
    const eve = await abuser()
    eve.sendRaw(frame)
    await roundTrip(eve) // still connected and answered after the junk
    eve.close()
    await honestPairStillWorks()
  })

  it('ignores binary garbage', async () => {
    const eve = await abuser()
    eve.sendRaw(Buffer.from([0xff, 0x00, 0xfe, 0x7b, 0x22, 0x00, 0x13]), true)
    eve.sendRaw(Buffer.from('{"type":"ping"}'), true)
    await roundTrip(eve)
    expect(await eve.silentFor(50, (m) => m.type === 'pong')).toBe(true) // the binary "ping" was not answered
    eve.close()
    await honestPairStillWorks()
  })

  it('closes a connection that keeps sending malformed frames, with 1008', async () => {
    const eve = await abuser()
    for (let i = 0; i < 20; i++) eve.sendRaw(`garbage ${i}`)
    expect((await eve.closed).code).toBe(1008)
    await honestPairStillWorks()
  })

  it('refuses a huge topic list in one frame without subscribing any of it', async () => {
    const eve = await abuser()
    const topics = Array.from({ length: 5000 }, (_, i) => `t${i}`)
    eve.send({ type: 'subscribe', topics })
    await roundTrip(eve)
    const probe = await abuser()
    probe.send({ type: 'publish', topic: 't1', data: 'x' })
    await roundTrip(probe)
    expect(await eve.silentFor(50, (m) => m.type === 'publish')).toBe(true)
    eve.close()
    probe.close()
    await honestPairStillWorks()
  })

  it('caps the number of topics one connection can hold, then closes a client that insists', async () => {
    const eve = await abuser()
    for (let i = 0; i < 8; i++) eve.send({ type: 'subscribe', topics: Array.from({ length: 8 }, (_, j) => `cap-${i}-${j}`) })
    eve.send({ type: 'subscribe', topics: ['cap-over'] })
    await roundTrip(eve)
    const probe = await abuser()
    probe.send({ type: 'publish', topic: 'cap-over', data: 'x' })
    probe.send({ type: 'publish', topic: 'cap-7-7', data: 'y' })
    expect(await eve.next((m) => m.type === 'publish')).toMatchObject({ topic: 'cap-7-7' })
    for (let i = 0; i < 20; i++) eve.send({ type: 'subscribe', topics: [`more-${i}`] })
    expect((await eve.closed).code).toBe(1008)
    probe.close()
    await honestPairStillWorks()
  })

  it('closes a flooding connection with 1008 (rate limit)', async () => {
    const eve = await abuser()
    for (let i = 0; i < 1000; i++) eve.send({ type: 'ping' })
    expect((await eve.closed).code).toBe(1008)
    await honestPairStillWorks()
  })

  it('survives a publish flood to a busy room by one client', async () => {
    const eve = await abuser()
    const listener = await abuser()
    listener.send({ type: 'subscribe', topics: ['flooded'] })
    await roundTrip(listener)
    for (let i = 0; i < 1000; i++) eve.send({ type: 'publish', topic: 'flooded', data: 'x'.repeat(1000) })
    expect((await eve.closed).code).toBe(1008)
    listener.close()
    await honestPairStillWorks()
  })

  it('survives clients that vanish mid-conversation', async () => {
    for (let i = 0; i < 10; i++) {
      const eve = await abuser()
      eve.send({ type: 'subscribe', topics: ['vanish'] })
      eve.ws.terminate()
    }
    await honestPairStillWorks()
  })

  it('wrote nothing to stdout or stderr about any of this', () => {
    const text = output.join('')
    expect(text).not.toContain(SECRET_TOPIC)
    expect(text).not.toContain('127.0.0.1')
    expect(text).not.toContain(String(server.port))
    expect(text).toBe('')
  })
})

describe('connection cap', () => {
  it('refuses connections beyond maxConnections with 503 and accepts again once one leaves', async () => {
    const small = await startServer({ port: 0, limits: { maxConnections: 3 } })
    try {
      const clients = await Promise.all([1, 2, 3].map(() => connectClient(small.signalingUrl)))
      await expect(connectClient(small.signalingUrl)).rejects.toThrow('HTTP 503')
      clients[0]?.close()
      await clients[0]?.closed
      await new Promise((r) => setTimeout(r, 20))
      const late = await connectClient(small.signalingUrl)
      late.close()
      for (const c of clients) c.close()
    } finally {
      await small.close()
    }
  })
})

describe('npm start (the CLI) as a process', () => {
  let cli: ServerProcess | null = null
  // Even when the test times out, the child never outlives the file.
  afterAll(() => cli?.kill())

  it('prints exactly one line, stays silent under traffic and abuse, and exits cleanly on SIGTERM', async () => {
    cli = await startServerProcess({ dist: makeStaticDir() })
    const a = await connectClient(cli.signalingUrl)
    const b = await connectClient(cli.signalingUrl)
    a.send({ type: 'subscribe', topics: [SECRET_TOPIC] })
    b.send({ type: 'subscribe', topics: [SECRET_TOPIC] })
    await Promise.all([roundTrip(a), roundTrip(b)])
    a.send({ type: 'publish', topic: SECRET_TOPIC, data: 'secret-content' })
    expect(await b.next((m) => m.type === 'publish')).toMatchObject({ data: 'secret-content' })
    const eve = await connectClient(cli.signalingUrl)
    eve.sendRaw('not json')
    eve.sendRaw(Buffer.from([1, 2, 3]), true)
    eve.sendRaw(JSON.stringify({ type: 'publish', topic: 'x', data: 'y'.repeat(70_000) }))
    expect((await eve.closed).code).toBe(1009)
    a.close()
    b.close()

    cli.child.kill('SIGTERM')
    expect(await cli.exited).toBe(0)
    expect(cli.stdout()).toMatch(/^Hearth is running at http:\/\/127\.0\.0\.1:\d+\n$/)
    expect(cli.stderr()).toBe('')
  })
})
