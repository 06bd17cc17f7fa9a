/**
 * Hearth runs y-webrtc from src/sync/vendor/ with seven small patches. These
 * stories check that the copy is exactly the installed release plus those patches,
 * that the guard holds against a real signaling server, and that reconnecting
 * gives this device a new signaling peer id.
 */
import { readFileSync } from 'node:fs'
import * as bc from 'lib0/broadcastchannel'
import { toBase64, fromBase64 } from 'lib0/buffer'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { startServer, type RunningServer } from '../../src/server/server.ts'
import { connectBoard, type BoardSync } from '../../src/sync/index.ts'
import type { WrtcLike } from '../../src/sync/types.ts'
import { decryptJson, deriveKey, encryptJson } from '../../src/sync/vendor/crypto.js'
import { Room, SignalingConn } from '../../src/sync/vendor/y-webrtc.js'
import { connectClient, type TestClient } from '../server/helpers.ts'

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8')

/** Each patch as [upstream text, Hearth's text]: undoing them must give back the installed file exactly. */
const PATCHES: [string, string][] = [
  [
    `                  const existingConn = webrtcConns.get(data.from)
                  existingConn.glareToken = undefined`,
    `                  const existingConn = webrtcConns.get(data.from)
                  // HEARTH PATCH 1/7: an answer to a connection this side has already dropped (e.g. a slow
                  // answer after the connection was given up) has nothing left to answer. Upstream threw
                  // "Cannot set properties of undefined (setting 'glareToken')" here, unhandled.
                  if (existingConn === undefined) return
                  existingConn.glareToken = undefined`,
  ],
  [
    `                if (webrtcConns.size < room.provider.maxConns) {
                  map.setIfUndefined(webrtcConns, data.from, () => new WebrtcConn(this, true, data.from, room))
                  emitPeerChange()
                }`,
    `                if (webrtcConns.size < room.provider.maxConns) {
                  // HEARTH PATCH 2/7: one offerer per pair, the peer with the smaller id; the other asks it to
                  // with an announce addressed to it. Upstream both offered when announces crossed (two devices
                  // back online at once) and the offer-collision handling sometimes left a half-open connection.
                  if (room.peerId < data.from) {
                    map.setIfUndefined(webrtcConns, data.from, () => new WebrtcConn(this, true, data.from, room))
                    emitPeerChange()
                  } else if (data.to === undefined && !webrtcConns.has(data.from)) {
                    publishSignalingMessage(this, room, { type: 'announce', from: room.peerId, to: data.from })
                  }
                }`,
  ],
  [
    `export class SignalingConn extends ws.WebsocketClient {
  constructor (url) {`,
    `export class SignalingConn extends ws.WebsocketClient {
  // HEARTH PATCH 3/7: nothing is sent on a socket that is closing or closed. The browser drops such a
  // message anyway, but logs "WebSocket is already in CLOSING or CLOSED state." as an error: a signal
  // encrypted (asynchronously) while the socket began to close was sent after, and lib0 keeps
  // \`connected\` true until the close completes.
  send (message) {
    if (this.ws !== null && this.ws.readyState === 1) super.send(message)
  }

  constructor (url) {`,
  ],
  [
    `    // signal through all available signaling connections
    announceSignalingInfo(this)
    const roomName = this.name`,
    `    // signal through all available signaling connections
    announceSignalingInfo(this)
    // HEARTH PATCH 4/7: no BroadcastChannel. One tab holds a board at a time (app/board-claim.ts), so no
    // other tab of this origin listens; and lib0's publish also hands each message to this very room, so on
    // connect a device encoded, encrypted, decrypted and applied again its own whole state (about half a
    // second of main thread on a 10,000-item board).
    return
    const roomName = this.name`,
  ],
  [
    `  log('received message from ', logging.BOLD, peerConn.remotePeerId, logging.GREY, ' (', room.name, ')', logging.UNBOLD, logging.UNCOLOR)
  return readMessage(room, buf, () => {
    peerConn.synced = true
    log('synced ', logging.BOLD, room.name, logging.UNBOLD, ' with ', logging.BOLD, peerConn.remotePeerId)
    checkIsSynced(room)
  })
}`,
    `  log('received message from ', logging.BOLD, peerConn.remotePeerId, logging.GREY, ' (', room.name, ')', logging.UNBOLD, logging.UNCOLOR)
  // HEARTH PATCH 5/7 (2 of 2): the peer whose message is being applied, so that what it brings is not sent back to
  // it (6/7) — unless structs or deletions of earlier messages from elsewhere wait in the doc: they may go in with
  // this one, and that peer may lack them (echo-guard.ts).
  const spared = spareBefore(room, room.doc.store, peerConn)
  room.applyingFrom = spared
  try {
    return readMessage(room, buf, () => {
      peerConn.synced = true
      log('synced ', logging.BOLD, room.name, logging.UNBOLD, ' with ', logging.BOLD, peerConn.remotePeerId)
      checkIsSynced(room)
    })
  } finally {
    room.applyingFrom = null
    spareAfter(room, room.doc.store, peerConn, spared)
  }
}`,
  ],
  [
    `    this._docUpdateHandler = (update, _origin) => {
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, messageSync)
      syncProtocol.writeUpdate(encoder, update)
      broadcastRoomMessage(this, encoding.toUint8Array(encoder))
    }`,
    `    this._docUpdateHandler = (update, _origin) => {
      // HEARTH PATCH 6/7: a peer's update goes on to the other peers (a mesh where not all are connected
      // relies on it), but not back to that peer, which has it, and is not even encoded when nobody else is
      // connected. Upstream sent it back too: a device joining a large board encoded and sent the whole board
      // back to the peer that had just sent it.
      const from = _origin === this ? this.applyingFrom : null
      const to = from ? Array.from(this.webrtcConns.values()).filter(conn => conn !== from) : null
      if (to !== null && to.length === 0 && !this.bcconnected) return
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, messageSync)
      syncProtocol.writeUpdate(encoder, update)
      if (to === null) {
        broadcastRoomMessage(this, encoding.toUint8Array(encoder))
        return
      }
      const m = encoding.toUint8Array(encoder)
      if (this.bcconnected) broadcastBcMessage(this, m)
      to.forEach(conn => {
        try {
          conn.peer.send(m)
        } catch (e) {}
      })
    }`,
  ],  [
    `import * as awarenessProtocol from 'y-protocols/awareness'
`,
    `import * as awarenessProtocol from 'y-protocols/awareness'
// HEARTH PATCH 5/7 (1 of 2): see the second part.
import { spareBefore, spareAfter } from '../echo-guard.ts'
`,
  ],
  [
    `import * as cryptoutils from './crypto.js'
`,
    `import * as cryptoutils from './crypto.js'
// HEARTH PATCH 7/7 (1 of 2): see the second part.
import { readSyncMessage } from '../received-update.ts'
`,
  ],
  [
    `      const syncMessageType = syncProtocol.readSyncMessage(decoder, encoder, doc, room)`,
    `      // HEARTH PATCH 7/7 (2 of 2): a peer's update goes into the doc without Yjs encoding it again for the doc's
      // 'update' listeners, which get the bytes as received (received-update.ts): on a device joining a large
      // board, that encoding copied the whole board once more on the main thread.
      const syncMessageType = readSyncMessage(decoder, encoder, doc, room)`,
  ],
]

describe('the vendored copy of y-webrtc', () => {
  it('is the installed y-webrtc plus the seven marked patches, nothing else', () => {
    const version = (JSON.parse(read('../../node_modules/y-webrtc/package.json')) as { version: string }).version
    // Upgrading y-webrtc must be a decision: re-vendor (or drop the copy if upstream fixed it).
    expect(version).toBe('10.3.0')
    const upstream = read('../../node_modules/y-webrtc/src/y-webrtc.js')
    const vendored = read('../../src/sync/vendor/y-webrtc.js')
    const body = vendored.slice(vendored.indexOf('*/\n') + 3)
    let undone = body
    for (const [original, patched] of PATCHES) {
      expect(undone.split(patched)).toHaveLength(2)
      undone = undone.replace(patched, original)
    }
    expect(undone).toBe(upstream)
    expect((body.match(/HEARTH PATCH/g) ?? []).length).toBe(PATCHES.length)
    const crypto = read('../../src/sync/vendor/crypto.js')
    expect(crypto.slice(crypto.indexOf('*/\n') + 3)).toBe(read('../../node_modules/y-webrtc/src/crypto.js'))
  })

  it('passes a peer’s update on to the other peers but not back to the peer it came from; a change made here goes to all', () => {
    const doc = new Y.Doc()
    const room = new Room(doc, { awareness: null } as never, 'relay-rule', null)
    const sent = new Map<string, number>()
    const conn = (name: string) => ({ peer: { send: () => sent.set(name, (sent.get(name) ?? 0) + 1) } })
    const alice = conn('alice')
    const carol = conn('carol')
    room.webrtcConns = new Map([
      ['alice', alice],
      ['carol', carol],
    ]) as never
    doc.on('update', room._docUpdateHandler)
    // As readPeerMessage applies what Alice sent: under the room's origin, with Alice as the sender.
    const fromAlice = new Y.Doc()
    fromAlice.getMap('entries').set('a', 1)
    ;(room as unknown as { applyingFrom: unknown }).applyingFrom = alice
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(fromAlice), room)
    ;(room as unknown as { applyingFrom: unknown }).applyingFrom = null
    expect(Object.fromEntries(sent)).toEqual({ carol: 1 })
    // Made on this device while Alice's message is applied (an observer's write): not hers, so she gets it too.
    sent.clear()
    ;(room as unknown as { applyingFrom: unknown }).applyingFrom = alice
    doc.getMap('entries').set('b', 2)
    ;(room as unknown as { applyingFrom: unknown }).applyingFrom = null
    expect(Object.fromEntries(sent)).toEqual({ alice: 1, carol: 1 })
    // With nobody else connected, what Alice sent goes nowhere.
    sent.clear()
    room.webrtcConns = new Map([['alice', alice]]) as never
    fromAlice.getMap('entries').set('c', 3)
    ;(room as unknown as { applyingFrom: unknown }).applyingFrom = alice
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(fromAlice), room)
    ;(room as unknown as { applyingFrom: unknown }).applyingFrom = null
    expect(doc.getMap('entries').get('c')).toBe(3)
    expect(Object.fromEntries(sent)).toEqual({})
    doc.off('update', room._docUpdateHandler)
  })
})

/** Just enough RTCPeerConnection for simple-peer to make an offer in Node; it never connects. */
class FakePeerConnection {
  localDescription: RTCSessionDescriptionInit | null = null
  signalingState = 'stable'
  iceConnectionState = 'new'
  iceGatheringState = 'new'
  connectionState = 'new'
  createDataChannel(label: string) {
    return { label, readyState: 'connecting', bufferedAmount: 0, binaryType: 'blob', close() {}, addEventListener() {}, removeEventListener() {} }
  }
  createOffer() {
    return Promise.resolve({ type: 'offer', sdp: 'v=0\r\n' })
  }
  setLocalDescription(d: RTCSessionDescriptionInit) {
    this.localDescription = d
    this.signalingState = 'have-local-offer'
    return Promise.resolve()
  }
  setRemoteDescription() {
    return new Promise(() => {})
  }
  addEventListener() {}
  removeEventListener() {}
  getStats() {
    return Promise.resolve(new Map())
  }
  close() {}
}
const fakeWrtc = {
  RTCPeerConnection: FakePeerConnection,
  RTCSessionDescription: class {
    constructor(init: object) {
      Object.assign(this, init)
    }
  },
  RTCIceCandidate: class {
    constructor(init: object) {
      Object.assign(this, init)
    }
  },
} as unknown as WrtcLike

const ROOM = 'h1-vendored-test-room'
const PASSWORD = 'correct horse battery staple'

let server: RunningServer
let key: CryptoKey
const rejections: unknown[] = []
const onRejection = (reason: unknown) => rejections.push(reason)

beforeAll(async () => {
  Object.assign(globalThis, { WebSocket })
  process.on('unhandledRejection', onRejection)
  server = await startServer({ host: '127.0.0.1', port: 0 })
  key = await deriveKey(PASSWORD, ROOM)
})

afterAll(async () => {
  process.off('unhandledRejection', onRejection)
  await server?.close()
})

let alice: BoardSync | undefined
let eve: TestClient | undefined
afterEach(() => {
  alice?.destroy()
  eve?.close()
})

/** Eve knows the room and its password (a member, or a leaked invite) and speaks raw signaling. */
async function publishAs(client: TestClient, data: object): Promise<void> {
  client.send({ type: 'publish', topic: ROOM, data: toBase64(await encryptJson(data, key)) })
}
async function nextFrom(client: TestClient, pred: (d: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (;;) {
    const m = await client.next((x) => x.type === 'publish' && x.topic === ROOM, 5000)
    const d = (await decryptJson(fromBase64(m.data as string), key)) as Record<string, unknown>
    if (pred(d)) return d
  }
}
/** Eve listens in the room first; Alice's device joins and announces itself, which tells Eve its peer id. */
async function eveThenAlice(): Promise<{ eve: TestClient; alice: BoardSync; aliceId: string }> {
  const eve = await connectClient(server.signalingUrl)
  eve.send({ type: 'subscribe', topics: [ROOM] })
  // The server confirms nothing; a ping answered means the subscription is in place.
  eve.send({ type: 'ping' })
  await eve.next((m) => m.type === 'pong')
  const alice = connectBoard({ doc: new Y.Doc(), room: ROOM, password: PASSWORD, signaling: [server.signalingUrl], wrtc: fakeWrtc })
  const announce = await nextFrom(eve, (d) => d.type === 'announce')
  return { eve, alice, aliceId: announce.from as string }
}
/** Peer ids sort as strings; y-webrtc's are uuids (lower-case hex), so these sort above and below every one. */
const ABOVE = (n: number) => `ffffffff-ffff-4fff-bfff-${String(n).padStart(12, 'f')}`
const BELOW = '00000000-0000-4000-8000-000000000000'

/** Eve announces herself as `as`; Alice's offer to her shows Alice handled everything Eve sent before. */
async function offerTo(client: TestClient, as: string): Promise<Record<string, unknown>> {
  await publishAs(client, { type: 'announce', from: as })
  return nextFrom(client, (d) => d.type === 'signal' && d.to === as)
}

describe('no BroadcastChannel', () => {
  it('a board that connects publishes nothing on it: not to another tab of this origin, not to itself', async () => {
    const heardHere: unknown[] = []
    const hereSubscriber = (data: unknown) => heardHere.push(data)
    bc.subscribe(ROOM, hereSubscriber)
    const otherTab = new BroadcastChannel(ROOM)
    const heardThere: unknown[] = []
    otherTab.onmessage = (e) => heardThere.push(e.data)
    try {
      eve = await connectClient(server.signalingUrl)
      eve.send({ type: 'subscribe', topics: [ROOM] })
      eve.send({ type: 'ping' })
      await eve.next((m) => m.type === 'pong')
      const doc = new Y.Doc()
      doc.getMap('entries').set('a', 'the whole board, once per connect')
      alice = connectBoard({ doc, room: ROOM, password: PASSWORD, signaling: [server.signalingUrl], wrtc: fakeWrtc })
      await nextFrom(eve, (d) => d.type === 'announce')
      // The announce reached the signaling server: connect() has run to its end; give the channel a moment.
      await new Promise((resolve) => setTimeout(resolve, 200))
      doc.getMap('entries').set('b', 'a change after connecting')
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(heardHere).toEqual([])
      expect(heardThere).toEqual([])
    } finally {
      bc.unsubscribe(ROOM, hereSubscriber)
      otherTab.close()
    }
  })
})

describe("Eve's stray answer", () => {
  it("to a connection Alice does not have is dropped, not thrown (upstream: \"Cannot set properties of undefined (setting 'glareToken')\")", async () => {
    const started = await eveThenAlice()
    ;({ eve, alice } = started)
    await publishAs(eve, { type: 'signal', from: 'nobody-alice-knows', to: started.aliceId, token: 1, signal: { type: 'answer', sdp: 'v=0\r\n' } })
    // A later message is handled, so the stray answer was handled before it (signaling is ordered).
    expect((await offerTo(eve, ABOVE(2))).from).toBe(started.aliceId)
    await new Promise((r) => setTimeout(r, 50))
    expect(rejections.map(String)).toEqual([])
    expect(alice.status.state).toBe('connecting')
  })
})

describe('reconnecting', () => {
  it('gives Alice a new signaling peer id, so signals meant for her old connections reach nothing', async () => {
    const started = await eveThenAlice()
    ;({ eve, alice } = started)
    const before = started.aliceId
    alice.reconnect()
    const announce = await nextFrom(eve, (d) => d.type === 'announce')
    expect(announce.from).not.toBe(before)
    expect(typeof announce.from).toBe('string')
  })
})

describe('one offerer per pair of devices', () => {
  it('Alice offers to a peer whose id sorts after hers, and asks one whose id sorts before hers to offer instead', async () => {
    const started = await eveThenAlice()
    ;({ eve, alice } = started)
    expect(started.aliceId > BELOW && started.aliceId < ABOVE(0)).toBe(true)
    const offer = await offerTo(eve, ABOVE(3))
    expect((offer.signal as { type: string }).type).toBe('offer')
    await publishAs(eve, { type: 'announce', from: BELOW })
    const reply = await nextFrom(eve, (d) => d.to === BELOW)
    // Not an offer: an announce addressed to the smaller id, which then offers (both never offer at once).
    expect(reply).toEqual({ type: 'announce', from: started.aliceId, to: BELOW })
  })
})

describe('a signaling socket that is closing', () => {
  it('is sent nothing (the browser would drop it and log an error), while an open one is', () => {
    const sent: string[] = []
    // Only the socket is needed: a connection made without its constructor (which would dial out).
    const conn = Object.create(SignalingConn.prototype) as { ws: { readyState: number; send(data: string): void } | null; send(message: { type: 'ping' }): void }
    for (const readyState of [WebSocket.CONNECTING, WebSocket.CLOSING, WebSocket.CLOSED, WebSocket.OPEN]) {
      conn.ws = { readyState, send: (data) => void sent.push(`${readyState}:${data}`) }
      conn.send({ type: 'ping' })
    }
    conn.ws = null
    conn.send({ type: 'ping' })
    expect(sent).toEqual([`${WebSocket.OPEN}:{"type":"ping"}`])
  })
})
