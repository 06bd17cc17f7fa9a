import type * as Y from 'yjs'
import { WebrtcProvider } from 'y-webrtc'
import { Awareness } from 'y-protocols/awareness'
import { chunkedWrtc } from './chunked-wrtc.ts'
import { deriveStatus, type SyncStatus } from './status.ts'
import type { RTCIceServerLike, WrtcLike } from './types.ts'

export type { SyncState, SyncStatus } from './status.ts'
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
}

export interface BoardSync {
  readonly status: SyncStatus
  /** Called on every status change; returns the unsubscribe function. */
  onStatus(cb: (status: SyncStatus) => void): () => void
  /** Drop all connections and connect afresh (also undoes disconnect()). */
  reconnect(): void
  /** Go offline deliberately. */
  disconnect(): void
  /** Remove every listener this added and destroy the provider. Resolves once the room name is free again (y-webrtc frees it asynchronously). */
  destroy(): Promise<void>
}

/** Status updates caused only by traffic are sent at most this often. */
const ACTIVITY_EMIT_MS = 1000
/** A peer connection still not open after this long is dropped, so y-webrtc announces again. */
const STUCK_CONNECTION_MS = 8_000
const WATCHDOG_MS = 2_000
/** After the network comes back, wait this long before reconnecting (links flap). */
const ONLINE_SETTLE_MS = 500

/** The y-webrtc internals we read (public fields, untyped upstream). */
interface SignalingConnLike {
  readonly connected: boolean
  readonly providers: Set<unknown>
  on(name: 'connect' | 'disconnect', f: () => void): void
  off(name: 'connect' | 'disconnect', f: () => void): void
}
interface WebrtcConnLike {
  readonly connected: boolean
  readonly synced: boolean
  readonly closed: boolean
  readonly peer: { destroy(): void }
}
interface RoomLike {
  synced: boolean
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
  let userDisconnected = false
  let destroyed = false
  const subscribers = new Set<(status: SyncStatus) => void>()

  const wrtc = chunkedWrtc(base, {
    onActivity: () => {
      lastExchange = Date.now()
      update(lastExchange - lastActivityEmit >= ACTIVITY_EMIT_MS)
    },
  })
  const awareness = new Awareness(opts.doc) // stays empty: nothing identifying is shared
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

  const watchedConns = new Set<SignalingConnLike>()
  const onSignalingChange = (): void => update()
  const watchSignaling = (): void => {
    for (const conn of provider.signalingConns as SignalingConnLike[]) {
      if (watchedConns.has(conn)) continue
      watchedConns.add(conn)
      conn.on('connect', onSignalingChange)
      conn.on('disconnect', onSignalingChange)
    }
  }

  const onPeers = ({ added }: { added: string[] }): void => {
    // y-webrtc marks a peer synced only while the room is not synced, so a peer
    // that joins an already-synced room would never count as synced. Reopen it.
    const room = provider.room as unknown as RoomLike | null
    if (room && added.length > 0) room.synced = false
    update()
  }
  const onProviderChange = (): void => update()
  provider.on('peers', onPeers)
  provider.on('synced', onProviderChange)
  provider.on('status', onProviderChange)

  // Back online: start over with fresh signaling and peer connections. When a
  // link drops only briefly, both sides' held announces cross and y-webrtc's
  // offer-collision handling can leave a half-open connection that never
  // completes and is never retried (seen with Chromium): reconnecting and the
  // watchdog below both undo that.
  let onlineTimer: ReturnType<typeof setTimeout> | null = null
  const onOnline = (): void => {
    update()
    if (onlineTimer) clearTimeout(onlineTimer)
    onlineTimer = setTimeout(() => {
      onlineTimer = null
      if (!userDisconnected && !destroyed) {
        provider.disconnect()
        provider.connect()
        update()
      }
    }, ONLINE_SETTLE_MS)
  }
  const hasWindow = typeof window !== 'undefined' && typeof window.addEventListener === 'function'
  if (hasWindow) {
    window.addEventListener('online', onOnline)
    window.addEventListener('offline', onProviderChange)
  }

  // Drops peer connections that never open, so y-webrtc announces again.
  const pendingSince = new Map<WebrtcConnLike, number>()
  const watchdog = setInterval(() => {
    const room = provider.room as unknown as RoomLike | null
    const now = Date.now()
    const live = new Set<WebrtcConnLike>()
    for (const conn of room?.webrtcConns.values() ?? []) {
      if (conn.connected || conn.closed) continue
      live.add(conn)
      const since = pendingSince.get(conn) ?? now
      pendingSince.set(conn, since)
      if (now - since > STUCK_CONNECTION_MS) conn.peer.destroy()
    }
    for (const conn of pendingSince.keys()) if (!live.has(conn)) pendingSince.delete(conn)
  }, WATCHDOG_MS)
  ;(watchdog as { unref?: () => void }).unref?.()

  const compute = (): SyncStatus => {
    const room = provider.room as unknown as RoomLike | null
    let peers = 0
    let syncedPeers = 0
    for (const conn of room?.webrtcConns.values() ?? []) {
      if (!conn.connected) continue
      peers++
      if (conn.synced) syncedPeers++
    }
    let signalingOpen = 0
    for (const conn of watchedConns) if (conn.connected && conn.providers.has(provider)) signalingOpen++
    return deriveStatus({
      userDisconnected: userDisconnected || destroyed,
      networkDown: typeof navigator !== 'undefined' && navigator.onLine === false,
      signalingOpen,
      peers,
      syncedPeers,
      lastExchange,
    })
  }

  let released: Promise<void> = Promise.resolve()
  let current = compute()
  function update(activityDue = false): void {
    if (destroyed) return
    watchSignaling()
    const next = compute()
    const changed = next.state !== current.state || next.peers !== current.peers
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
    reconnect() {
      if (destroyed) return
      userDisconnected = false
      provider.disconnect()
      provider.connect()
      update()
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
      for (const conn of watchedConns) {
        conn.off('connect', onSignalingChange)
        conn.off('disconnect', onSignalingChange)
      }
      watchedConns.clear()
      provider.off('peers', onPeers)
      provider.off('synced', onProviderChange)
      provider.off('status', onProviderChange)
      if (hasWindow) {
        window.removeEventListener('online', onOnline)
        window.removeEventListener('offline', onProviderChange)
      }
      if (onlineTimer) clearTimeout(onlineTimer)
      clearInterval(watchdog)
      provider.destroy()
      awareness.destroy()
      // y-webrtc frees the room name in a then() registered by destroy(); ours runs after it.
      released = Promise.resolve(provider.key).then(() => void roomsInUse.delete(opts.room))
      if (final.state !== 'offline') for (const cb of [...subscribers]) cb({ ...final, state: 'offline', peers: 0 })
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
