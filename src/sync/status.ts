/** How a board's replication is doing, as the UI shows it. */
export type SyncState = 'offline' | 'searching' | 'connecting' | 'connected' | 'synced'

export interface SyncStatus {
  readonly state: SyncState
  /** WebRTC peers with an open connection: member devices, relays and unverified peers together. */
  readonly peers: number
  /** Of those, devices that proved to be one of the circle's member devices (see peer-kinds.ts). */
  readonly members: number
  /** Of those, devices that proved to be one of the circle's relays. */
  readonly relays: number
  /** Of those, devices that proved nothing this device can check (yet): a stranger holding the room's secret looks like this. */
  readonly unverified: number
  /** In state `connecting`: peer connections being set up (none open yet). */
  readonly connecting?: number
  /** When data was last sent to or received from a peer (ms since epoch), or null. */
  readonly lastExchange: number | null
}

/** Everything the status is computed from; gathered by `board-sync.ts`. */
export interface StatusInputs {
  /** The user asked to go offline (disconnect()). */
  readonly userDisconnected: boolean
  /** The browser says the network is down (`navigator.onLine === false`). */
  readonly networkDown: boolean
  /** Signaling connections currently open. */
  readonly signalingOpen: number
  /** WebRTC peers with an open connection. */
  readonly peers: number
  /** Of those, how many proved to be member devices, and relays. */
  readonly memberPeers: number
  readonly relayPeers: number
  /** Of those, how many have sent us sync step 2 (their whole missing state). */
  readonly syncedPeers: number
  /** Peer connections being set up: announced or signalled, not open yet. */
  readonly connecting: number
  readonly lastExchange: number | null
}

/** Nobody connected. */
export const NO_PEERS = { peers: 0, members: 0, relays: 0, unverified: 0 } as const

/**
 * - offline: the user went offline, the browser reports no network, or no
 *   signaling connection is open and no peer is connected. One that opened and
 *   has not answered for 10 s does not count as open (signaling-answers.ts).
 *   (A peer connection outlives its signaling server; while data still flows
 *   we do not say offline.)
 * - searching: signaling is open but no peer is connected.
 * - connecting: no peer is connected yet, but a connection to one is being set
 *   up (on a slow link this takes seconds: the person should know something is
 *   happening).
 * - connected: at least one peer, not all of them synced yet.
 * - synced: every connected peer has completed sync step 2.
 *
 * Connected peers are counted by what they proved: member devices, relays,
 * and the rest (unverified), so that a listener holding only the room's
 * secret is never shown as a member.
 */
export function deriveStatus(input: StatusInputs): SyncStatus {
  const { peers, lastExchange } = input
  if (input.userDisconnected || input.networkDown) return { state: 'offline', ...NO_PEERS, lastExchange }
  if (peers === 0 && input.connecting > 0) return { state: 'connecting', ...NO_PEERS, connecting: input.connecting, lastExchange }
  if (peers === 0) return { state: input.signalingOpen > 0 ? 'searching' : 'offline', ...NO_PEERS, lastExchange }
  const members = Math.min(input.memberPeers, peers)
  const relays = Math.min(input.relayPeers, peers - members)
  return { state: input.syncedPeers >= peers ? 'synced' : 'connected', peers, members, relays, unverified: peers - members - relays, lastExchange }
}
