/**
 * Eve throws thousands of seeded random frames at a real `npm start` process:
 * binary junk, random text, cut UTF-8, nesting thousands deep, odd types,
 * prototype keys, huge numbers, oversized and duplicate-key frames, mixed
 * with valid traffic. Watching the rooms she targets, a listener checks that
 * everything relayed is well-formed JSON. The process must never exit, and
 * afterwards Alice and Bob must still find each other through it.
 *
 * Replay a failure with its seed: HEARTH_FUZZ_SEED=<seed> npx vitest run --project integration tests/integration/server-fuzz.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { Prng } from '../core/prng.ts'
import { connectClient, makeStaticDir, roundTrip } from '../server/helpers.ts'
import { FUZZ_TOPICS, fuzzFrame } from './support/fuzz-frames.ts'
import { startServerProcess, type ServerProcess } from './support/server-process.ts'

const SEED = Number(process.env.HEARTH_FUZZ_SEED ?? 20_260_710)
const FRAMES = 2500
const FUZZERS = 4

let server: ServerProcess
let died: string | null = null

beforeAll(async () => {
  server = await startServerProcess({ dist: makeStaticDir() })
  void server.exited.then((code) => {
    died = `the server exited (${String(code)}); stderr: ${server.stderr().slice(0, 2000)}`
  })
})

afterAll(async () => {
  await server?.kill()
})

/** A raw socket: no parsing, so whatever the server sends is checked by the test, not by a helper that would throw. */
function openSocket(url: string): Promise<WebSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url)
    ws.on('error', () => resolve(null))
    ws.once('unexpected-response', () => resolve(null))
    ws.once('open', () => resolve(ws))
  })
}

/** Sends a batch, then a ping; resolves when the pong comes back, the server closes the socket, or 3 s pass. */
function settle(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      ws.off('message', onMessage)
      ws.off('close', done)
      resolve()
    }
    const onMessage = (data: Buffer): void => {
      if (data.toString() === '{"type":"pong"}') done()
    }
    const timer = setTimeout(done, 3000)
    ws.on('message', onMessage)
    ws.once('close', done)
    if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}')
    else done()
  })
}

async function fuzzer(rng: Prng, frames: number, kinds: Map<string, number>): Promise<void> {
  let sent = 0
  while (sent < frames && !died) {
    const ws = await openSocket(server.signalingUrl)
    if (!ws) {
      await new Promise((r) => setTimeout(r, 50))
      continue
    }
    while (sent < frames && ws.readyState === WebSocket.OPEN && !died) {
      const batch = 1 + rng.int(30)
      for (let i = 0; i < batch && sent < frames; i++, sent++) {
        const frame = fuzzFrame(rng)
        kinds.set(frame.kind, (kinds.get(frame.kind) ?? 0) + 1)
        ws.send(frame.data, { binary: frame.binary })
      }
      if (rng.chance(0.05)) ws.terminate()
      else await settle(ws)
    }
    ws.terminate()
  }
}

describe('Eve fuzzes the signaling server', () => {
  it(`survives ${FRAMES} seeded random frames (seed ${SEED}), relays only well-formed JSON, and still serves Alice and Bob`, async () => {
    const listener = await openSocket(server.signalingUrl)
    if (!listener) throw new Error('the listener could not connect')
    const relayed: string[] = []
    listener.on('message', (data: Buffer) => relayed.push(data.toString()))
    listener.send(JSON.stringify({ type: 'subscribe', topics: FUZZ_TOPICS }))

    const kinds = new Map<string, number>()
    const rng = new Prng(SEED)
    await Promise.all(Array.from({ length: FUZZERS }, (_, i) => fuzzer(new Prng(rng.int(2 ** 32) + i), FRAMES / FUZZERS, kinds)))

    expect(died, `seed ${SEED}`).toBeNull()
    expect(server.alive()).toBe(true)
    // Every kind of hostile frame was actually tried, not just generated in theory.
    expect([...kinds.keys()].sort()).toEqual(
      [
        'binary',
        'deep nesting',
        'duplicate keys',
        'huge numbers',
        'odd topics',
        'odd type',
        'oversized',
        'partial UTF-8',
        'prototype keys',
        'random text',
        'valid publish with odd data',
        'valid subscribe',
      ].sort(),
    )

    // What the server relayed into the rooms Eve targeted is valid JSON, addressed to those rooms.
    expect(relayed.length, 'the listener saw Eve’s valid publishes').toBeGreaterThan(0)
    for (const text of relayed) {
      const frame = JSON.parse(text) as Record<string, unknown>
      expect(frame.type).toBe('publish')
      expect(FUZZ_TOPICS).toContain(frame.topic)
    }
    listener.terminate()

    const alice = await connectClient(server.signalingUrl)
    const bob = await connectClient(server.signalingUrl)
    try {
      alice.send({ type: 'subscribe', topics: ['after-the-fuzz'] })
      bob.send({ type: 'subscribe', topics: ['after-the-fuzz'] })
      await Promise.all([roundTrip(alice), roundTrip(bob)])
      alice.send({ type: 'publish', topic: 'after-the-fuzz', data: { type: 'announce', from: 'alice' } })
      expect(await bob.next((m) => m.type === 'publish')).toEqual({
        type: 'publish',
        topic: 'after-the-fuzz',
        data: { type: 'announce', from: 'alice' },
        clients: 2,
      })
      bob.send({ type: 'publish', topic: 'after-the-fuzz', data: 'b64-offer' })
      expect(await alice.next((m) => m.type === 'publish' && m.data === 'b64-offer')).toMatchObject({ clients: 2 })
    } finally {
      alice.close()
      bob.close()
    }
    expect(server.alive()).toBe(true)
    // Nothing about any of it was written anywhere.
    expect(server.stdout()).toMatch(/^Hearth is running at http:\/\/127\.0\.0\.1:\d+\n$/)
    expect(server.stderr()).toBe('')
  })
})
