/**
 * Whom a peer's update need not go back to (the vendored y-webrtc's patches
 * 5 and 6). An update a peer sent goes on to the other peers, not back to
 * that peer, which has it. Unless structs or deletions of earlier messages
 * wait in the doc: they may go in with this one, in the same transaction, and
 * the peer may lack them. But when everything that waits came from that same
 * peer, it has all of it.
 *
 * That is a newcomer's case. The inviter's welcome overtakes the board it
 * sent a moment before (chunked-channel.ts), and waits in the newcomer's doc
 * for the inviter's earlier entries. Every piece of the board then came while
 * something waited, and went back whole to the inviter: the newcomer's phone
 * uploaded the board it had just downloaded, and the inviter decoded it again.
 *
 * So each room remembers which peer's messages alone left the doc's waiting
 * structs and deletions as they are. Yjs gives the waiting update and the
 * waiting deletions new byte arrays whenever they change, so anything else
 * that changed them meanwhile (another room on the same doc, an update applied
 * by the engine) shows as a change, and the message is then sent to everyone.
 */

/** What is read of a Yjs doc's store (`doc.store`). */
export interface WaitingStore {
  readonly pendingStructs: { readonly update: Uint8Array } | null
  readonly pendingDs: Uint8Array | null
}

interface Waiting {
  readonly peer: object
  readonly structs: Uint8Array | null
  readonly ds: Uint8Array | null
}

const waitingFrom = new WeakMap<object, Waiting>()

const waits = (store: WaitingStore): boolean => store.pendingStructs !== null || store.pendingDs !== null

/** Before `peer`'s message is applied in `room`: `peer` if what it brings need not go back to it, else null. */
export function spareBefore(room: object, store: WaitingStore, peer: object): object | null {
  if (!waits(store)) return peer
  const w = waitingFrom.get(room)
  const same = w !== undefined && w.peer === peer && w.structs === (store.pendingStructs?.update ?? null) && w.ds === store.pendingDs
  return same ? peer : null
}

/** After it was applied (`spared` as spareBefore said): remembers whether what waits now came from `peer` alone. */
export function spareAfter(room: object, store: WaitingStore, peer: object, spared: object | null): void {
  if (waits(store) && spared === peer) waitingFrom.set(room, { peer, structs: store.pendingStructs?.update ?? null, ds: store.pendingDs })
  else waitingFrom.delete(room)
}
