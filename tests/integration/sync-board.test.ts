/**
 * Two real Hearth peers: this process (Alice) and a child process (Bob), with
 * real y-webrtc over @roamhq/wrtc, through Hearth's own signaling server on
 * 127.0.0.1.
 */
import { createRequire } from 'node:module'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import wrtc from '@roamhq/wrtc'
import { WebSocket } from 'ws'
import { startServer } from '../../src/server/server.ts'
import { connectBoard, type BoardSync } from '../../src/sync/board-sync.ts'
import type { WrtcLike } from '../../src/sync/types.ts'
import { fillBoard, items, summarize } from './support/board-fixture.ts'
import { PeerProcess, waitUntil } from './support/peer-process.ts'
import { cleanUpChildProcesses } from '../support/clean-up-children.ts'

Object.assign(globalThis, { WebSocket })

let server: Awaited<ReturnType<typeof startServer>>
const peers: PeerProcess[] = []
const syncs: BoardSync[] = []
let roomCounter = 0

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1', port: 0, staticDir: null })
})

afterEach(async () => {
  for (const sync of syncs.splice(0)) sync.destroy()
  await Promise.all(peers.splice(0).map((p) => p.kill()))
})

afterAll(async () => {
  await server?.close()
})

function freshRoom(): string {
  return `sync-test-${process.pid}-${Date.now()}-${roomCounter++}`
}

function alice(doc: Y.Doc, room: string, password = 'correct horse', maxMessageSize?: number): BoardSync {
  const sync = connectBoard({ doc, room, password, signaling: [server.signalingUrl], wrtc: wrtc as unknown as WrtcLike, ...(maxMessageSize ? { maxMessageSize } : {}) })
  syncs.push(sync)
  return sync
}

cleanUpChildProcesses()

/** Bytes this process's peers receive on their data channels (simple-peer, as y-webrtc uses it). */
let received = 0
const Peer = createRequire(import.meta.url)('simple-peer/simplepeer.min.js') as { prototype: { _onChannelMessage(event: { data: ArrayBuffer | Uint8Array }): void } }
const onChannelMessage = Peer.prototype._onChannelMessage
Peer.prototype._onChannelMessage = function (event) {
  received += event.data.byteLength
  onChannelMessage.call(this, event)
}

function bob(): PeerProcess {
  const peer = new PeerProcess('bob')
  peers.push(peer)
  return peer
}

describe('two peers on one board', () => {
  it('Alice and Bob exchange a small board both ways and both report synced', async () => {
    const room = freshRoom()
    const doc = new Y.Doc()
    items(doc).set('alice-notice', { title: 'Meeting moved to Thursday' })
    const sync = alice(doc, room)
    const b = bob()
    await b.request({ cmd: 'set', key: 'bob-offer', value: { title: 'Spare room this weekend' } })
    await b.request({ cmd: 'connect', room, password: 'correct horse', signaling: [server.signalingUrl] })

    await waitUntil(() => items(doc).has('bob-offer'), 20_000, 'Bob’s offer at Alice')
    await waitUntil(async () => (await b.summary()).keys.includes('alice-notice'), 20_000, 'Alice’s notice at Bob')
    await waitUntil(() => sync.status.state === 'synced', 20_000, 'Alice synced')
    await waitUntil(() => b.status?.state === 'synced', 20_000, 'Bob synced')

    expect(sync.status.peers).toBe(1)
    expect(sync.status.lastExchange).toEqual(expect.any(Number))
    expect(b.status?.peers).toBe(1)
    expect(b.status?.lastExchange).toEqual(expect.any(Number))
    expect((await b.summary()).stateVector).toBe(summarize(doc).stateVector)
  })

  it('what Alice writes reaches Bob and is not sent back to her; what Bob writes still reaches her', async () => {
    const room = freshRoom()
    const doc = new Y.Doc()
    const sync = alice(doc, room)
    const b = bob()
    await b.request({ cmd: 'connect', room, password: 'correct horse', signaling: [server.signalingUrl] })
    items(doc).set('hello', 'first exchange')
    await waitUntil(async () => (await b.summary()).keys.includes('hello'), 20_000, 'first exchange')
    await waitUntil(() => sync.status.state === 'synced', 20_000, 'Alice synced')

    const before = Y.encodeStateVector(doc)
    fillBoard(doc, 2_000, 'alice')
    const written = Y.encodeStateAsUpdate(doc, before).byteLength
    expect(written).toBeGreaterThan(500_000)
    received = 0
    await waitUntil(async () => (await b.summary()).entries === 2_001, 30_000, 'Alice’s posts at Bob')
    // Bob writes after he has Alice's posts: on an ordered channel, anything he sent back would come first.
    await b.request({ cmd: 'set', key: 'bob-after', value: 'seen them' })
    await waitUntil(() => items(doc).has('bob-after'), 20_000, 'Bob’s write at Alice')
    // Bob's write and the channel's own chatter, not Alice's half megabyte again.
    expect(received).toBeLessThan(written / 20)
  })

  it('a board that reaches a new member behind a later change of the same peer is not sent back either', async () => {
    // An invited newcomer's case: the inviter's welcome, written after the board was queued, overtakes it
    // (small messages go first) and waits in the newcomer's doc for the board's structs; the board's
    // pieces then arrive while something waits. Upstream, and before echo-guard.ts, each piece went back whole.
    const room = freshRoom()
    const doc = new Y.Doc()
    fillBoard(doc, 10_000, 'alice')
    const board = Y.encodeStateAsUpdate(doc).byteLength
    expect(board).toBeGreaterThan(1024 * 1024)
    const sync = alice(doc, room)
    let wrote = false
    sync.onStatus((status) => {
      if (wrote || status.peers === 0) return
      wrote = true
      items(doc).set('late', 'written once the newcomer is connected')
    })
    const b = bob()
    received = 0
    await b.request({ cmd: 'connect', room, password: 'correct horse', signaling: [server.signalingUrl] })
    await waitUntil(async () => (await b.summary()).entries === 10_001, 60_000, 'the board and the later change at Bob')
    expect(wrote).toBe(true)
    // Bob writes after he has it all: on an ordered channel, anything he sent back would come first.
    await b.request({ cmd: 'set', key: 'bob-after', value: 'seen them' })
    await waitUntil(() => items(doc).has('bob-after'), 20_000, 'Bob’s write at Alice')
    expect((await b.summary()).stateVector).toBe(summarize(doc).stateVector)
    expect(received).toBeLessThan(board / 20)
  })

  it('a board of 10,000 items (several MB) reaches a new member completely', async () => {
    const room = freshRoom()
    const doc = new Y.Doc()
    fillBoard(doc, 10_000)
    const local = summarize(doc)
    expect(local.bytes).toBeGreaterThan(1024 * 1024)
    const sync = alice(doc, room)
    await waitUntil(() => sync.status.state === 'searching', 10_000, 'Alice on signaling')

    const b = bob()
    await b.request({ cmd: 'summary' }) // child started and loaded
    const started = performance.now()
    await b.request({ cmd: 'connect', room, password: 'correct horse', signaling: [server.signalingUrl] })
    await waitUntil(async () => (await b.summary()).entries === 10_000, 60_000, 'all 10,000 items at Bob')
    const elapsed = performance.now() - started

    const remote = await b.summary()
    expect(remote.stateVector).toBe(local.stateVector)
    expect(remote.bytes).toBe(local.bytes)
    console.log(
      `[sync] 10,000 items, ${(local.bytes / 1024 / 1024).toFixed(2)} MiB encoded: new peer complete ${elapsed.toFixed(0)} ms after connect (signaling + ICE + transfer)`,
    )
  })

  it('a board whose whole state is bigger than the largest message a peer accepts still reaches a new member, in pieces', async () => {
    // The cap is lowered for the test (the real one is 64 MiB; the benchmark syncs past it).
    const cap = 512 * 1024
    const room = freshRoom()
    const doc = new Y.Doc()
    fillBoard(doc, 10_000)
    const local = summarize(doc)
    expect(local.bytes).toBeGreaterThan(4 * cap)
    const sync = alice(doc, room, 'correct horse', cap)
    await waitUntil(() => sync.status.state === 'searching', 10_000, 'Alice on signaling')
    const b = bob()
    await b.request({ cmd: 'summary' })
    await b.request({ cmd: 'connect', room, password: 'correct horse', signaling: [server.signalingUrl], maxMessageSize: cap })
    await waitUntil(async () => (await b.summary()).entries === 10_000, 60_000, 'all 10,000 items at Bob')
    expect((await b.summary()).stateVector).toBe(local.stateVector)
    await waitUntil(async () => ((await b.request<{ status: { state: string } }>({ cmd: 'status' })).status.state === 'synced'), 20_000, 'Bob reports synced')
  })

  it('Alice and Bob edit while apart, meet again, and converge', async () => {
    const room = freshRoom()
    const doc = new Y.Doc()
    const sync = alice(doc, room)
    const b = bob()
    await b.request({ cmd: 'connect', room, password: 'correct horse', signaling: [server.signalingUrl] })
    items(doc).set('shared', 'before')
    await waitUntil(async () => (await b.summary()).keys.includes('shared'), 20_000, 'first exchange')

    sync.disconnect()
    await b.request({ cmd: 'disconnect' })
    expect(sync.status.state).toBe('offline')
    items(doc).set('alice-while-apart', 'clinic open late')
    items(doc).set('shared', 'alice edit')
    await b.request({ cmd: 'set', key: 'bob-while-apart', value: 'rides on Thursday' })
    await b.request({ cmd: 'set', key: 'shared', value: 'bob edit' })
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(items(doc).has('bob-while-apart')).toBe(false)

    sync.reconnect()
    await b.request({ cmd: 'reconnect' })
    await waitUntil(async () => (await b.summary()).stateVector === summarize(doc).stateVector, 30_000, 'convergence')
    const remote = await b.summary()
    expect(remote.keys).toEqual([...items(doc).keys()].sort())
    expect(items(doc).has('bob-while-apart')).toBe(true)
    expect(remote.keys).toContain('alice-while-apart')
    await waitUntil(() => sync.status.state === 'synced', 20_000, 'Alice synced again')
  })

  it('Eve with the wrong password never receives the board', async () => {
    // Alice runs in a child too: her y-webrtc turns Eve's undecryptable
    // announcements into unhandled rejections (see support/peer.ts).
    const room = freshRoom()
    const a = bob()
    await a.request({ cmd: 'set', key: 'secret-meeting', value: { place: 'back room' } })
    await a.request({ cmd: 'connect', room, password: 'correct horse', signaling: [server.signalingUrl] })
    await waitUntil(() => a.status?.state === 'searching', 10_000, 'Alice on signaling')
    const eve = bob()
    await eve.request({ cmd: 'connect', room, password: 'guessed wrong', signaling: [server.signalingUrl] })
    await waitUntil(() => a.decryptFailures > 0, 10_000, 'Alice gets Eve’s announcement and cannot open it')
    await a.request({ cmd: 'set', key: 'later-notice', value: 'still private' })
    await new Promise((resolve) => setTimeout(resolve, 2000))

    expect((await eve.summary()).entries).toBe(0)
    expect(eve.status?.peers ?? 0).toBe(0)
    expect((await eve.request<{ status: { lastExchange: number | null } }>({ cmd: 'status' })).status.lastExchange).toBeNull()
    expect(a.status?.peers ?? 0).toBe(0)
    expect((await a.summary()).entries).toBe(2)
  })
})
