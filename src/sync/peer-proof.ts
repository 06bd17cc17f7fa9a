/** What a peer proved to be: one of the circle's member devices, or one of its relays. */
export type PeerKind = 'member' | 'relay'

/**
 * Who is at the other end of a connection. The sync layer does not know the
 * circle: the layer above proves this device to others through its presence
 * (awareness) state, and checks theirs. A proof names the signaling peer id
 * of the connection it stands for, so a peer cannot pass another's proof off
 * as its own connection's.
 */
export interface PeerProof {
  /** The presence state this device shows under its signaling peer id and its doc's client id; null shows nothing. */
  mine(peerId: string, clientId: number): Promise<unknown>
  /** What a peer's presence state proves: the signaling peer id it stands for and the kind of device, or null. */
  check(state: unknown, clientId: number): Promise<{ readonly peerId: string; readonly kind: PeerKind } | null>
}
