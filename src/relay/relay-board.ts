import * as Y from 'yjs'
import { BOARD_RULES } from '../app/board-rules.ts'
import { FORWARDING_GRACE_MS, ForwardingRoom } from '../app/forwarding.ts'
import type { NetworkPlan } from '../app/network.ts'
import { presenceProof } from '../app/presence-proof.ts'
import { deriveInvitation, deriveTransportKeys, fromBase64url, importAgreement, importDeviceSigner, keyId, publicEntryKey, toBase64url, type DeviceSigner, type TransportSecret } from '../crypto/index.ts'
import { SealedBoard, type KeyGift, type KeySource } from '../sealed/index.ts'
import type { IceServer } from '../storage/index.ts'
import { connectBoard, type BoardSync, type SyncStatus, type WrtcLike } from '../sync/index.ts'
import type { RelayBoardRecord, RelayEpoch } from './relay-record.ts'
import type { RelayStore } from './relay-store.ts'

/** After this many stored updates, a board's rows are replaced by its merged state. */
const COMPACT_AFTER_ROWS = 500

/** Something worth a line in the relay's log: never content, never a secret. */
export type RelayEvent =
  | { readonly event: 'asked' | 'admitted' | 'closed'; readonly board: string }
  | { readonly event: 'followed'; readonly board: string; readonly rooms: number }
  | { readonly event: 'paused'; readonly board: string; readonly reason: string }
  | { readonly event: 'opened' | 'stored'; readonly board: string; readonly entries: number; readonly bytes: number }
  | { readonly event: 'status'; readonly board: string; readonly state: string; readonly peers: number }

export interface RelayBoardDeps {
  readonly store: RelayStore
  readonly wrtc: WrtcLike
  readonly iceServers: readonly IceServer[]
  readonly now: () => number
  /** Whether a write that brings this board to `bytes` stored bytes and `entries` entries may be made: null, or why not. */
  readonly allow: (board: string, bytes: number, entries: number) => string | null
  readonly log: (event: RelayEvent) => void
}

const roomKeyId = (transport: TransportSecret) => toBase64url(keyId(publicEntryKey(transport)))
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

/**
 * One board a relay carries: its sealed doc, loaded from and written to the
 * relay's store as every update arrives (before y-webrtc passes it on, so
 * whatever the relay has sent anyone is on its disk); the sealed engine in
 * carrier mode, which asks to be let in and takes the transport secrets
 * sealed to the relay; and a y-webrtc presence in each room it carries.
 *
 * Which rotations it follows: those sealed in a room it carries and whose
 * lockbox opens for its key (it cannot read membership to check more).
 * The room it leaves keeps a forwarding presence for the grace period that
 * holds only the way out (the rotation and its signed membership change), as
 * members' devices do. A rotation sealed in a room it already left is never
 * followed, so a removed member, who holds only rooms the relay left, cannot
 * move it.
 */
export class RelayBoard {
  readonly id: string
  readonly doc: Y.Doc
  readonly sealed: SealedBoard
  #record: RelayBoardRecord
  readonly #deps: RelayBoardDeps
  readonly #signer: DeviceSigner
  readonly #rooms = new Map<string, BoardSync>()
  readonly #forwarding = new Map<string, ForwardingRoom>()
  #bytes: number
  #rows: number
  #paused: string | null = null
  #closed = false
  #connecting: Promise<void> = Promise.resolve()

  private constructor(record: RelayBoardRecord, doc: Y.Doc, sealed: SealedBoard, signer: DeviceSigner, deps: RelayBoardDeps, usage: { bytes: number; rows: number }) {
    this.id = record.id
    this.#record = record
    this.doc = doc
    this.sealed = sealed
    this.#signer = signer
    this.#deps = deps
    this.#bytes = usage.bytes
    this.#rows = usage.rows
  }

  /** Loads the board from the store, asks to be let in if it is not yet, and connects to the rooms it carries. */
  static async open(record: RelayBoardRecord, deps: RelayBoardDeps): Promise<RelayBoard> {
    const doc = new Y.Doc({ gc: true })
    const updates = deps.store.load(record.id)
    doc.transact(() => {
      for (const update of updates) Y.applyUpdate(doc, update)
    })
    const signer = await importDeviceSigner(record.device)
    const invitation = record.invitation && record.admittedAt === undefined ? await deriveInvitation(record.invitation) : null
    const carried = record.epochs.filter((e) => e.leftAt === undefined)
    const sealed = new SealedBoard(doc, {
      boardId: fromBase64url(record.id)!,
      signer,
      agreement: await importAgreement(record.device.agreePkcs8, record.device.agreePublic),
      contentKeys: [],
      transport: carried.at(-1)!.transport,
      rules: BOARD_RULES,
      carrier: true,
      ...(invitation ? { request: { key: invitation.requestKey } } : {}),
      now: deps.now,
    })
    // Sibling rooms (two rotations out of one room) are carried too: their rotations must be readable.
    for (const e of carried) await sealed.keys.addPublicKey(e.transport)
    const board = new RelayBoard(record, doc, sealed, signer, deps, deps.store.usage().get(record.id) ?? { bytes: 0, rows: 0 })
    // Written before anyone else hears of it: y-webrtc listens after this.
    doc.on('update', board.#persist)
    if (updates.length > 1) board.#compact()
    deps.log({ event: 'opened', board: record.id, entries: board.entries, bytes: board.bytes })
    sealed.onKeys((gift, source) => board.#took(gift, source))
    await sealed.start()
    if (invitation) {
      await sealed.request(record.name, { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
      await sealed.flush()
      deps.log({ event: 'asked', board: record.id })
    }
    board.#connect()
    return board
  }

  get record(): RelayBoardRecord {
    return this.#record
  }

  /** Bytes this board takes in the store. */
  get bytes(): number {
    return this.#bytes
  }

  get entries(): number {
    return this.doc.getMap('entries').size
  }

  /** Why it stopped storing (a limit), or null while it carries the board. */
  get paused(): string | null {
    return this.#paused
  }

  get admitted(): boolean {
    return this.#record.admittedAt !== undefined
  }

  /** The rooms it carries, each with its replication status. */
  get statuses(): SyncStatus[] {
    return [...this.#rooms.values()].map((s) => s.status)
  }

  /** Resolves once the rooms it should be in are connected (after an admission or a rotation). */
  async settled(): Promise<void> {
    await this.#connecting
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#disconnect()
    await this.sealed.flush().catch(() => undefined)
    this.doc.off('update', this.#persist)
    this.sealed.destroy()
    this.doc.destroy()
    this.#deps.log({ event: 'closed', board: this.id })
  }

  // ── disk ─────────────────────────────────────────────────────────────────

  readonly #persist = (update: Uint8Array): void => {
    if (this.#paused || this.#closed) return
    const entries = this.entries
    const refused = this.#deps.allow(this.id, this.#bytes + update.length, entries)
    if (refused) return this.#pause(refused)
    this.#bytes += this.#deps.store.append(this.id, update)
    this.#rows++
    if (this.#rows >= COMPACT_AFTER_ROWS) this.#compact()
    this.#deps.log({ event: 'stored', board: this.id, entries, bytes: this.#bytes })
  }

  /** Replaces the stored updates with the doc's merged state (what authors compacted away leaves the disk too). */
  #compact(): void {
    this.#bytes = this.#deps.store.compact(this.id, Y.encodeStateAsUpdate(this.doc))
    this.#rows = 1
  }

  /** Over a limit: nothing more is stored, and the board is not carried on from what is only in memory. */
  #pause(reason: string): void {
    this.#paused = reason
    this.#deps.log({ event: 'paused', board: this.id, reason })
    void this.#disconnect()
  }

  #save(patch: Partial<RelayBoardRecord>): void {
    this.#record = { ...this.#record, ...patch }
    this.#deps.store.putBoard(this.#record)
  }

  // ── keys and rooms ───────────────────────────────────────────────────────

  #took(gift: KeyGift, source: KeySource | null): void {
    if (!source || this.#closed) return
    const carried = this.#record.epochs.filter((e) => e.leftAt === undefined)
    const from = carried.find((e) => roomKeyId(e.transport) === source.sealedUnder)
    if (!from) return // sealed in a room the relay left: whoever sent it may have been removed since
    const transport = gift.transport as TransportSecret
    let epochs: RelayEpoch[] = [...this.#record.epochs]
    const patch: { -readonly [K in keyof RelayBoardRecord]?: RelayBoardRecord[K] } = {}
    if (source.kind === 'welcome' && this.#record.admittedAt === undefined) {
      patch.admittedAt = this.#deps.now()
      patch.invitation = undefined
      this.#deps.log({ event: 'admitted', board: this.id })
    }
    if (!epochs.some((e) => sameBytes(e.transport, transport))) {
      if (source.kind === 'rotate' && source.from) {
        const handoff = this.sealed.handoff(source.from)
        epochs = epochs.map((e) => (e === from ? { ...e, leftAt: this.#deps.now(), handoff } : e))
      }
      epochs.push({ transport })
      patch.epochs = epochs
    }
    if (Object.keys(patch).length === 0) return
    this.#save(patch)
    if (patch.epochs) this.#deps.log({ event: 'followed', board: this.id, rooms: epochs.filter((e) => e.leftAt === undefined).length })
    this.#connect()
  }

  #network(): NetworkPlan {
    return { signaling: this.#record.signaling, iceServers: this.#deps.iceServers, relayOnly: false }
  }

  /** Into the rooms it carries; out of those it left, which keep a forwarding presence for the grace period. */
  #connect(): void {
    this.#connecting = this.#connecting.then(async () => {
      if (this.#closed || this.#paused) return
      const network = this.#network()
      const carried = this.#record.epochs.filter((e) => e.leftAt === undefined)
      const rooms = new Set(carried.map((e) => deriveTransportKeys(e.transport).room))
      for (const [room, sync] of [...this.#rooms]) {
        if (rooms.has(room)) continue
        this.#rooms.delete(room)
        await sync.destroy()
      }
      for (const e of carried) {
        const keys = deriveTransportKeys(e.transport)
        if (this.#rooms.has(keys.room)) continue
        this.#forwarding.get(keys.room)?.destroy()
        this.#forwarding.delete(keys.room)
        const sync = connectBoard({
          doc: this.doc,
          room: keys.room,
          password: keys.password,
          signaling: [...network.signaling],
          iceServers: [...network.iceServers],
          wrtc: this.#deps.wrtc,
          proof: presenceProof({ sealed: this.sealed, signer: this.#signer, room: keys.room, transport: e.transport, as: 'relay' }),
        })
        let last = ''
        sync.onStatus((s) => {
          const line = `${s.state}/${s.peers}`
          if (line !== last) this.#deps.log({ event: 'status', board: this.id, state: s.state, peers: s.peers })
          last = line
        })
        this.#rooms.set(keys.room, sync)
      }
      for (const e of this.#record.epochs) {
        const keys = deriveTransportKeys(e.transport)
        if (e.leftAt === undefined || this.#forwarding.has(keys.room) || !e.handoff?.length || this.#deps.now() - e.leftAt > FORWARDING_GRACE_MS) continue
        try {
          this.#forwarding.set(keys.room, new ForwardingRoom(e.transport, e.handoff, network, (key, bytes) => this.#fromOldRoom(key, bytes), this.#deps.wrtc))
        } catch {
          // y-webrtc has not let go of the room yet: the next connect tries again.
        }
      }
    })
  }

  /** A straggler's entry from a room the relay left: into the doc, where it is carried like any other. */
  #fromOldRoom(key: string, bytes: Uint8Array): void {
    const entries = this.doc.getMap('entries')
    if (entries.get(key) === undefined) entries.set(key, bytes)
  }

  async #disconnect(): Promise<void> {
    const rooms = [...this.#rooms.values()]
    this.#rooms.clear()
    for (const f of this.#forwarding.values()) f.destroy()
    this.#forwarding.clear()
    await Promise.all(rooms.map((s) => s.destroy()))
  }
}
