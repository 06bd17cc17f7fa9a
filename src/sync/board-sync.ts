import type * as Y from 'yjs'
import { uuidv4 } from 'lib0/random'
import { Awareness } from 'y-protocols/awareness'
import { atMostEvery } from './at-most-every.ts'
import { chunkedWrtc } from './chunked-wrtc.ts'
import { DEFAULT_MAX_MESSAGE_SIZE } from './chunked-options.ts'
import { splitSyncMessage } from './sync-pieces.ts'
import { SignalingAnswers } from './signaling-answers.ts'
import { SignalingRtt } from './signaling-rtt.ts'
import { PeerKinds } from './peer-kinds.ts'
import type { PeerProof } from './peer-proof.ts'
import { deriveStatus, NO_PEERS, type SyncStatus } from './status.ts'
import { MuteConnections, StuckConnections, type PendingConnLike } from './stuck-connections.ts'
// y-webrtc with four small patches (a guard, one offerer per pair, no sends on a closing socket, no BroadcastChannel): see vendor/y-webrtc.js.
import { WebrtcProvider } from './vendor/y-webrtc.js'
import type { RTCIceServerLike, WrtcLike } from './types.ts'

export type { SyncState, SyncStatus } from './status.ts'
export type { PeerKind, PeerProof } from './peer-proof.ts'
export { deriveStatus } from './status.ts'

export interface ConnectBoardOptions {
  doc: Y.Doc
  /** Opaque room id derived from the board secret: the signaling server sees it. */
  room: string
  /** Encrypts signaling; must not be empty (y-webrtc would then send SDP in clear). */
  password: string
  signaling: string[]
  /** Default []: no STUN/TURN server learns about us unless configured. */
  iceServers?: RTCIceServerLike[]
  /** Only relayed (TURN) candidates: peers do not learn each other's IP address. */
  relayOnly?: boolean
  /** WebRTC implementation; default the browser's globals. */
  wrtc?: WrtcLike
  /** Largest message taken from a peer (default 64 MiB); bigger sync answers are sent in pieces well below it. */
  maxMessageSize?: number
  /** Proves who this device is to its peers and checks theirs; without it every peer counts as unverified. */
  proof?: PeerProof
  /** The doc's clients whose structs a sync answer sends first (sync-pieces.ts): asked each time one is sent. */
  firstClients?: () => ReadonlySet<number>
}

/** Sync answers are sent in pieces of at most this (or a quarter of the message cap): the receiver applies each as it lands. */
const SYNC_PIECE_BYTES = 256 * 1024

/**
 * Most bytes handed to a peer's data channel at once; the rest waits in the
 * channel's own queue (chunked-channel.ts), where a small message such as a
 * newcomer's welcome overtakes it. What is already in the data channel
 * cannot be overtaken: with the default 1 MiB, a welcome waited behind a
 * second of board on an 8 Mbit/s link. A quarter of it still covers the
 * bandwidth-delay product of such a link (200 KB at 200 ms), and loopback
 * moved the board as fast (PERFORMANCE.md).
 */
const CHANNEL_BUFFER_BYTES = 256 * 1024

export interface BoardSync {
  readonly status: SyncStatus
  /** Called on every status change; returns the unsubscribe function. */
  onStatus(cb: (status: SyncStatus) => void): () => void
  /** STUN/TURN servers for the peer connections made from now on (e.g. fresh TURN credentials). */
  setIceServers(iceServers: RTCIceServerLike[], relayOnly: boolean): void
  /** What peers prove has changed (the circle, this device's keys): check their proofs again and show this device's afresh. */
  recheckPeers(): void
  /** Drop all connections and connect afresh (also undoes disconnect()). */
  reconnect(): void
  /** Go offline deliberately. */
  disconnect(): void
  /** Remove every listener this added and destroy the provider. Resolves once the room name is free again (y-webrtc frees it asynchronously). */
  destroy(): Promise<void>
}

/** Status updates caused only by traffic are sent at most this often. */
const ACTIVITY_EMIT_MS = 1000
/**
 * Traffic makes the status be worked out again at most this often
 * (atMostEvery): at a first frame at once, then at the end of the window if
 * more came. A sync is hundreds of frames, and each one did it (23 ms of a
 * profiled join, on the page that also applies the board).
 */
const TRAFFIC_CHECK_MS = 50
/** How often pending peer connections are looked at (see stuck-connections.ts). */
const WATCHDOG_MS = 1_000
/** How often the signaling round trip is measured again while a connection is being set up. */
const PING_MS = 5_000
/** After the network comes back, wait this long before reconnecting (links flap). */
const ONLINE_SETTLE_MS = 500

/** The y-webrtc internals we read (public fields, untyped upstream). */
interface SignalingConnLike {
  readonly connected: boolean
  readonly providers: Set<unknown>
  send(message: { type: 'ping' }): void
  on(name: 'connect' | 'disconnect', f: () => void): void
  off(name: 'connect' | 'disconnect', f: () => void): void
  on(name: 'message', f: (message: unknown) => void): void
  off(name: 'message', f: (message: unknown) => void): void
}
interface WebrtcConnLike extends PendingConnLike {
  readonly synced: boolean
  /** The signaling peer id of the device at the other end. */
  readonly remotePeerId: string
}
interface RoomLike {
  synced: boolean
  /** Signaling messages are addressed to it; y-webrtc never changes it, we renew it on reconnect. */
  peerId: string
  readonly webrtcConns: Map<string, WebrtcConnLike>
}

/**
 * y-webrtc allows one provider per room name per JS realm and reports a second
 * one only as an unhandled rejection, so we check first and throw.
 */
const roomsInUse = new Set<string>()

/** Replicate one board's doc with its peers over y-webrtc, with chunking and a status. */
export function connectBoard(opts: ConnectBoardOptions): BoardSync {
  if (!opts.password) throw new Error('connectBoard: password must not be empty (signaling would be unencrypted)')
  if (roomsInUse.has(opts.room)) {
    throw new Error('connectBoard: this room is already connected in this JS realm (y-webrtc allows one provider per room)')
  }
  const base = opts.wrtc ?? browserWrtc()
  let lastExchange: number | null = null
  let lastActivityEmit = 0
  const trafficCheck = atMostEvery(TRAFFIC_CHECK_MS, () => update(Date.now() - lastActivityEmit >= ACTIVITY_EMIT_MS))
  let userDisconnected = false
  let destroyed = false
  const subscribers = new Set<(status: SyncStatus) => void>()

  const maxMessageSize = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE
  const pieceBytes = Math.min(SYNC_PIECE_BYTES, Math.floor(maxMessageSize / 4))
  const wrtc = chunkedWrtc(base, {
    maxMessageSize,
    highWaterMark: CHANNEL_BUFFER_BYTES,
    split: (message) => splitSyncMessage(message, pieceBytes, opts.firstClients?.()),
    onActivity: () => {
      lastExchange = Date.now()
      trafficCheck()
    },
  })
  // Presence carries nothing but the proof of who this device is, sealed for the circle (see peer-kinds.ts).
  const awareness = new Awareness(opts.doc)
  roomsInUse.add(opts.room)
  const provider = new WebrtcProvider(opts.room, opts.doc, {
    signaling: opts.signaling,
    password: opts.password,
    awareness,
    filterBcConns: true,
    peerOpts: {
      wrtc,
      config: { iceServers: opts.iceServers ?? [], iceTransportPolicy: opts.relayOnly ? 'relay' : 'all' },
    },
  })

  const kinds = opts.proof ? new PeerKinds(awareness, opts.proof, () => update()) : null
  const publishProof = (): void => {
    const room = provider.room as unknown as RoomLike | null
    if (room) kinds?.publish(room.peerId)
  }

  const rtt = new SignalingRtt()
  const answers = new SignalingAnswers<SignalingConnLike>()
  const watchedConns = new Map<SignalingConnLike, { connect: () => void; message: (m: unknown) => void; disconnect: () => void }>()
  const onSignalingChange = (): void => update()
  const watchSignaling = (): void => {
    for (const conn of provider.signalingConns as SignalingConnLike[]) {
      if (watchedConns.has(conn)) continue
      const handlers = {
        // Asked at once whether anyone is there: a live server answers within a round trip (signaling-answers.ts).
        connect: () => {
          answers.opened(conn, Date.now())
          rtt.ping([conn], Date.now())
        },
        message: (m: unknown) => {
          answers.answered(conn)
          rtt.received(conn, m, Date.now())
        },
        disconnect: () => rtt.forget(conn),
      }
      watchedConns.set(conn, handlers)
      conn.on('connect', handlers.connect)
      conn.on('connect', onSignalingChange)
      conn.on('disconnect', onSignalingChange)
      conn.on('disconnect', handlers.disconnect)
      conn.on('message', handlers.message)
      if (conn.connected) handlers.connect()
    }
  }

  const unwatchSignaling = (): void => {
    for (const [conn, handlers] of watchedConns) {
      conn.off('connect', handlers.connect)
      conn.off('connect', onSignalingChange)
      conn.off('disconnect', onSignalingChange)
      conn.off('disconnect', handlers.disconnect)
      conn.off('message', handlers.message)
      rtt.forget(conn)
      answers.forget(conn)
    }
    watchedConns.clear()
  }

  const mute = new MuteConnections()
  const onPeers = ({ added }: { added: string[] }): void => {
    // y-webrtc marks a peer synced only while the room is not synced, so a peer
    // that joins an already-synced room would never count as synced. Reopen it.
    const room = provider.room as unknown as RoomLike | null
    // y-webrtc tells of a connection as soon as it makes it: listened to from then on, it cannot have missed anything.
    for (const id of added) {
      const conn = room?.webrtcConns.get(id)
      if (conn) mute.watch(conn)
    }
    if (room && added.length > 0) room.synced = false
    update()
  }
  const onProviderChange = (): void => update()
  provider.on('peers', onPeers)
  provider.on('synced', onProviderChange)
  provider.on('status', onProviderChange)

  /**
   * Drops every connection and connects afresh, under a new signaling peer id.
   *
   * The id matters. y-webrtc keys connections by the other side's id and
   * ignores an announce from a peer it already has a connection to, even one
   * still being set up. Reconnecting under the old id, this side's fresh
   * announce met the other side's leftover half-open connection (made from an
   * offer this side had just dropped) and was ignored, until the watchdog
   * dropped it 8 to 10 s later: the 11-12 s merges after going offline and
   * back, one time in three. Under a new id the other side sees a new peer and
   * connects at once; its leftover connection is dropped by its own watchdog.
   * Signals still in flight for the old id (a late answer to a dropped offer)
   * are ignored by y-webrtc, since they are addressed to someone else.
   */
  const restart = (): void => {
    provider.disconnect()
    unwatchSignaling()
    const room = provider.room as unknown as RoomLike | null
    if (room) room.peerId = uuidv4()
    // connect() appends every signaling connection again; start from none.
    provider.signalingConns = []
    provider.connect()
    update() // (publishes this device's proof under its new peer id)
  }

  // Back online: start over with fresh signaling and peer connections (an old
  // WebSocket may be dead without knowing it, e.g. after a change of network).
  let onlineTimer: ReturnType<typeof setTimeout> | null = null
  const onOnline = (): void => {
    update()
    if (onlineTimer) clearTimeout(onlineTimer)
    onlineTimer = setTimeout(() => {
      onlineTimer = null
      if (!userDisconnected && !destroyed) restart()
    }, ONLINE_SETTLE_MS)
  }
  const hasWindow = typeof window !== 'undefined' && typeof window.addEventListener === 'function'
  if (hasWindow) {
    window.addEventListener('online', onOnline)
    window.addEventListener('offline', onProviderChange)
  }

  // Drops peer connections that stopped making progress, so y-webrtc announces
  // again; measures the signaling round trip meanwhile, which sets the patience.
  const stuck = new StuckConnections()
  let lastPing = 0
  let lastPending = 0
  let lastSilent = 0
  const watchdog = setInterval(() => {
    const room = provider.room as unknown as RoomLike | null
    const now = Date.now()
    const conns = [...(room?.webrtcConns.values() ?? [])]
    const pending = StuckConnections.pending(conns).length
    if (pending > 0 && now - lastPing >= PING_MS) {
      lastPing = now
      rtt.ping(watchedConns.keys(), now)
    }
    for (const conn of stuck.check(conns, now, rtt.estimate(now))) conn.peer.destroy()
    for (const conn of mute.check(conns, now, rtt.estimate(now))) conn.peer.destroy()
    publishProof()
    let silent = 0
    for (const conn of watchedConns.keys()) if (conn.connected && answers.silent(conn, now)) silent++
    if (pending !== lastPending || silent !== lastSilent) {
      lastPending = pending
      lastSilent = silent
      update()
    }
  }, WATCHDOG_MS)
  ;(watchdog as { unref?: () => void }).unref?.()

  const compute = (): SyncStatus => {
    const room = provider.room as unknown as RoomLike | null
    let peers = 0
    let syncedPeers = 0
    let connecting = 0
    let memberPeers = 0
    let relayPeers = 0
    for (const conn of room?.webrtcConns.values() ?? []) {
      if (conn.closed) continue
      if (!conn.connected) {
        connecting++
        continue
      }
      peers++
      if (conn.synced) syncedPeers++
      const kind = kinds?.kindOf(conn.remotePeerId)
      if (kind === 'member') memberPeers++
      else if (kind === 'relay') relayPeers++
    }
    // A connection that opened and never answered is not open: nobody can be found through it.
    let signalingOpen = 0
    const now = Date.now()
    for (const conn of watchedConns.keys()) if (conn.connected && conn.providers.has(provider) && !answers.silent(conn, now)) signalingOpen++
    return deriveStatus({
      userDisconnected: userDisconnected || destroyed,
      networkDown: typeof navigator !== 'undefined' && navigator.onLine === false,
      signalingOpen,
      peers,
      memberPeers,
      relayPeers,
      syncedPeers,
      connecting,
      lastExchange,
    })
  }

  let released: Promise<void> = Promise.resolve()
  let current = compute()
  function update(activityDue = false): void {
    if (destroyed) return
    watchSignaling()
    publishProof()
    const next = compute()
    const changed =
      next.state !== current.state || next.peers !== current.peers || next.connecting !== current.connecting || next.members !== current.members || next.relays !== current.relays
    current = next
    if (!changed && !activityDue) return
    lastActivityEmit = Date.now()
    for (const cb of [...subscribers]) cb(next)
  }
  watchSignaling()

  return {
    get status() {
      return compute()
    },
    onStatus(cb) {
      subscribers.add(cb)
      return () => {
        subscribers.delete(cb)
      }
    },
    recheckPeers() {
      if (!destroyed) kinds?.recheck()
    },
    setIceServers(iceServers, relayOnly) {
      // y-webrtc hands `peerOpts` to every simple-peer it creates from now on.
      provider.peerOpts = { ...provider.peerOpts, config: { iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' } }
    },
    reconnect() {
      if (destroyed) return
      userDisconnected = false
      restart()
    },
    disconnect() {
      if (destroyed) return
      userDisconnected = true
      provider.disconnect()
      update()
    },
    destroy(): Promise<void> {
      if (destroyed) return released
      const final = compute()
      destroyed = true
      unwatchSignaling()
      provider.off('peers', onPeers)
      provider.off('synced', onProviderChange)
      provider.off('status', onProviderChange)
      if (hasWindow) {
        window.removeEventListener('online', onOnline)
        window.removeEventListener('offline', onProviderChange)
      }
      if (onlineTimer) clearTimeout(onlineTimer)
      trafficCheck.cancel()
      clearInterval(watchdog)
      kinds?.destroy()
      provider.destroy()
      awareness.destroy()
      // y-webrtc frees the room name in a then() registered by destroy(); ours runs after it.
      released = Promise.resolve(provider.key).then(() => void roomsInUse.delete(opts.room))
      if (final.state !== 'offline') for (const cb of [...subscribers]) cb({ state: 'offline', ...NO_PEERS, lastExchange: final.lastExchange })
      subscribers.clear()
      return released
    },
  }
}

function browserWrtc(): WrtcLike {
  if (typeof RTCPeerConnection === 'undefined') {
    throw new Error('connectBoard: no WebRTC in this environment; pass opts.wrtc (e.g. @roamhq/wrtc in Node)')
  }
  return { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate }
}
