import { deriveTransportKeys, keyId, toBase64url, type DeviceSigner, type TransportSecret } from '../crypto/index.ts'
import type { SealedBoard } from '../sealed/index.ts'
import type { EpochKeys } from '../storage/index.ts'
import { connectBoard, type BoardSync, type SyncStatus, type WrtcLike } from '../sync/index.ts'
import { FORWARDING_GRACE_MS, ForwardingRoom } from './forwarding.ts'
import { roomConnection, type NetworkPlan } from './network.ts'
import { presenceProof } from './presence-proof.ts'

/** What following a board from room to room needs from its session. */
export interface RoomsContext {
  readonly sealed: SealedBoard
  readonly signer: DeviceSigner
  readonly wrtc?: WrtcLike
  readonly now: () => number
  /** The transport secret of the epoch this device writes in: its room. */
  transport(): TransportSecret
  /** The epochs in this device's keyring, with when each was left. */
  epochs(): readonly EpochKeys[]
}

const OFFLINE: SyncStatus = { state: 'offline', peers: 0, members: 0, relays: 0, unverified: 0, lastExchange: null }

/**
 * The rooms one board's sealed doc is in: its current epoch's (replicated
 * by y-webrtc), and a forwarding presence in each room left recently that
 * holds the way out for stragglers. After a rotation the board moves to
 * the new room; until it is there, this device seals nothing under the new
 * key (`inRoom`): what it seals goes to the room it is in, and the room left
 * may still hold a device just removed.
 */
export class BoardRooms {
  readonly #ctx: RoomsContext
  #network: NetworkPlan
  #sync: BoardSync | null = null
  #room: string | null = null
  /** Keys taken and not yet followed to their room (`move`), and the seals waiting for that (`inRoom`). */
  #moving = 0
  readonly #moved: (() => void)[] = []
  readonly #forwarding = new Map<string, ForwardingRoom>()
  readonly #statusListeners = new Set<(s: SyncStatus) => void>()
  #unsubscribeSync: (() => void) | null = null
  #closed = false

  constructor(ctx: RoomsContext, network: NetworkPlan) {
    this.#ctx = ctx
    this.#network = network
  }

  /** Connects to the current epoch's room (again, after a rotation), forwarding stragglers from rooms left recently. */
  connect(): void {
    const transport = this.#ctx.transport()
    const { sealed, signer, wrtc } = this.#ctx
    const connection = roomConnection(transport, this.#network, wrtc)
    if (this.#room === connection.room) return
    this.#unsubscribeSync?.()
    const leaving = this.#sync?.destroy() ?? Promise.resolve()
    this.#room = connection.room
    this.#sync = connectBoard({
      doc: sealed.sealed,
      ...connection,
      proof: presenceProof({ sealed, signer, room: connection.room, transport, as: 'member' }),
      // A device joining the board gets the membership's entries first: it can judge the rest as it arrives.
      firstClients: () => sealed.circleClients(),
    })
    this.#unsubscribeSync = this.#sync.onStatus((s) => {
      for (const l of this.#statusListeners) l(s)
    })
    for (const l of this.#statusListeners) l(this.#sync.status)
    // The room just left is free for a forwarding presence only once y-webrtc has let go of it.
    void leaving.then(() => {
      if (!this.#closed) this.#forwardStragglers()
    })
  }

  /**
   * Keys arrived (admission, rotation): `keep` keeps them in the keyring,
   * then the board follows them to its current room (once connected at
   * all). Until then this device seals nothing under them (`inRoom`); it
   * moves even if `keep` throws (the keys are in the engine, and in the
   * lockboxes it reads again on opening).
   */
  async move(keep: () => Promise<void>): Promise<void> {
    this.#moving++
    try {
      await keep()
    } finally {
      this.#moving--
      if (!this.#closed && this.#sync) this.connect()
      // Each asks again: one whose room this is now goes on, even while other keys are still being kept.
      this.#releaseSeals()
    }
  }

  /**
   * The engine asks before it seals under an epoch's key (SealedBoardOptions.inRoom).
   * While keys just taken are not followed to their room yet (`move`), what
   * it seals would go to the room left: it waits, then asks again. Before
   * the first room (the session opening), whatever is sealed goes to the
   * first room this device enters, its current epoch's.
   */
  inRoom(transport: TransportSecret): Promise<void> | null {
    if (this.#moving === 0 || this.#closed || this.#room === null) return null
    if (deriveTransportKeys(transport).room === this.#room) return null
    return new Promise((resolve) => this.#moved.push(resolve))
  }

  get status(): SyncStatus {
    return this.#sync?.status ?? OFFLINE
  }

  onStatus(cb: (s: SyncStatus) => void): () => void {
    this.#statusListeners.add(cb)
    return () => this.#statusListeners.delete(cb)
  }

  /** Stops replicating (the person chose to go offline) or starts again. */
  setOnline(online: boolean): void {
    if (online) this.#sync?.reconnect()
    else this.#sync?.disconnect()
  }

  /** Who is a member or a relay may have changed, and so has what this device can prove. */
  recheckPeers(): void {
    this.#sync?.recheckPeers()
  }

  /** ICE servers for the peer connections made from now on; later rooms use the new plan too. */
  updateNetwork(plan: NetworkPlan): void {
    this.#network = plan
    this.#sync?.setIceServers([...plan.iceServers], plan.relayOnly)
  }

  /** Leaves every room; seals waiting for a move go on at once (the engine is closing). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#releaseSeals()
    this.#unsubscribeSync?.()
    await this.#sync?.destroy()
    for (const f of this.#forwarding.values()) f.destroy()
    this.#forwarding.clear()
  }

  #releaseSeals(): void {
    for (const resolve of this.#moved.splice(0)) resolve()
  }

  /** For each epoch this device left within the grace period, a presence in its room that holds the way out. */
  #forwardStragglers(): void {
    const { sealed, now, wrtc } = this.#ctx
    const current = sealed.epoch?.key
    for (const k of this.#ctx.epochs()) {
      const id = toBase64url(keyId(k.contentKey))
      if (id === current || !k.transport || this.#forwarding.has(id)) continue
      const left = k.leftAt
      if (left !== undefined && now() - left > FORWARDING_GRACE_MS) continue
      const entries = sealed.handoff(id)
      if (entries.length === 0) continue
      try {
        this.#forwarding.set(id, new ForwardingRoom(k.transport as TransportSecret, entries, this.#network, (key, bytes) => this.#fromOldRoom(key, bytes), wrtc))
      } catch {
        // The room is still taken in this page (another session of this board): the next connect tries again.
      }
    }
  }

  /** Something arrived in a room this device left: into the shared doc, where the engine judges it like anything else. */
  #fromOldRoom(key: string, bytes: Uint8Array): void {
    const entries = this.#ctx.sealed.sealed.getMap('entries')
    const current = entries.get(key)
    if (current instanceof Uint8Array && current.length === bytes.length && current.every((b, i) => b === bytes[i])) return
    if (current !== undefined) return // never overwrite: an erasure would only be put back
    entries.set(key, bytes)
  }
}
