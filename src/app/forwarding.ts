import * as Y from 'yjs'
import type { TransportSecret } from '../crypto/index.ts'
import { connectBoard, type BoardSync, type WrtcLike } from '../sync/index.ts'
import { roomConnection, type NetworkPlan } from './network.ts'

/** How long a device that left an epoch keeps pointing stragglers to the next one. */
export const FORWARDING_GRACE_MS = 30 * 24 * 60 * 60 * 1000

/**
 * After a key rotation the remaining devices move to a new room; a member
 * who was offline still knows only the old one. For a grace period each
 * remaining device keeps a small presence in the old room with a separate,
 * memory-only doc that holds just the rotation: the signed removal and the
 * lockboxes. A straggler syncing there receives them, opens its lockbox and
 * follows to the new room; a removed device receives them too and can open
 * nothing. What arrives here is handed to the board's engine (`onEntry`),
 * which checks it like anything else: that is how two moderators who rotated
 * at the same time find each other's rotation, and how a straggler's posts
 * written offline reach the circle. The room's doc lives in memory only.
 */
export class ForwardingRoom {
  readonly #doc = new Y.Doc()
  readonly #sync: BoardSync

  constructor(transport: TransportSecret, entries: readonly (readonly [string, Uint8Array])[], network: NetworkPlan, onEntry: (key: string, bytes: Uint8Array) => void, wrtc?: WrtcLike) {
    const map = this.#doc.getMap('entries')
    this.#doc.transact(() => {
      for (const [key, bytes] of entries) map.set(key, bytes)
    })
    map.observe((event) => {
      if (event.transaction.local) return
      for (const key of event.keysChanged) {
        const value = map.get(key)
        if (value instanceof Uint8Array) onEntry(key, value)
      }
    })
    this.#sync = connectBoard({ doc: this.#doc, ...roomConnection(transport, network, wrtc) })
  }

  destroy(): void {
    this.#sync.destroy()
    this.#doc.destroy()
  }
}
