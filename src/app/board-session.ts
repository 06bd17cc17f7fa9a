import * as Y from 'yjs'
import {
  createItem,
  deleteItem,
  nextExpiry,
  readItems,
  readMeta,
  setPinned,
  sweepExpired,
  updateItem,
  updateMeta,
  type BoardMeta,
  type Item,
  type ItemId,
  type Result,
} from '../core/index.ts'
import { deriveTransportKeys, type BoardId } from '../crypto/index.ts'
import { openBoardStore, type BoardRecord, type BoardStore } from '../storage/index.ts'
import { connectBoard, type BoardSync, type SyncStatus, type WrtcLike } from '../sync/index.ts'
import type { NetworkPlan } from './network.ts'

/** Longest delay setTimeout accepts; expiries further out are re-checked later. */
const MAX_TIMER = 2 ** 31 - 1

export interface SessionDeps {
  readonly network: NetworkPlan
  readonly now?: () => number
  readonly wrtc?: WrtcLike
  /** Called (debounced) when the board's meta changes, so the device's board list stays current. */
  readonly onMetaChange?: (meta: BoardMeta) => void
}

/**
 * One open board: its doc, its persistence, its replication and its expiry sweeper.
 * Everything the UI does to a board goes through here, and every write resolves
 * only once it is on disk.
 */
export class BoardSession {
  readonly id: BoardId
  readonly doc: Y.Doc
  readonly record: BoardRecord
  readonly #store: BoardStore
  readonly #now: () => number
  #sync: BoardSync | null = null
  #expiryTimer: ReturnType<typeof setTimeout> | null = null
  #metaTimer: ReturnType<typeof setTimeout> | null = null
  #recheckTimer: ReturnType<typeof setTimeout> | null = null
  #closed = false

  private constructor(record: BoardRecord, doc: Y.Doc, store: BoardStore, now: () => number) {
    this.id = record.id
    this.record = record
    this.doc = doc
    this.#store = store
    this.#now = now
  }

  /** Opens a board: loads it from disk fully before resolving, then starts replication. */
  static async open(record: BoardRecord, deps: SessionDeps): Promise<BoardSession> {
    const doc = new Y.Doc({ gc: true })
    const store = openBoardStore(record.id, doc)
    await store.loaded
    const session = new BoardSession(record, doc, store, deps.now ?? Date.now)
    session.#start(deps)
    return session
  }

  #start(deps: SessionDeps): void {
    this.#sweep()
    this.doc.on('afterTransaction', this.#onTransaction)
    if (deps.onMetaChange) {
      const notify = deps.onMetaChange
      this.doc.getMap('meta').observe(() => {
        if (this.#metaTimer) clearTimeout(this.#metaTimer)
        this.#metaTimer = setTimeout(() => notify(readMeta(this.doc)), 300)
      })
    }
    const keys = deriveTransportKeys(this.record.secret)
    this.#sync = connectBoard({
      doc: this.doc,
      room: keys.room,
      password: keys.password,
      signaling: [...deps.network.signaling],
      iceServers: [...deps.network.iceServers],
      relayOnly: deps.network.relayOnly,
      ...(deps.wrtc ? { wrtc: deps.wrtc } : {}),
    })
  }

  // Finding the next expiry reads every item, so it runs at most every 250 ms
  // however fast changes arrive (a big sync is thousands of transactions).
  readonly #onTransaction = (tx: Y.Transaction): void => {
    if (tx.changed.size === 0 || this.#recheckTimer) return
    this.#recheckTimer = setTimeout(() => {
      this.#recheckTimer = null
      this.#scheduleSweep()
    }, 250)
  }

  /** Deletes expired items now, and sets a timer for the next one to expire. */
  #sweep(): void {
    if (this.#closed) return
    sweepExpired(this.doc, this.#now())
    this.#scheduleSweep()
  }

  #scheduleSweep(): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer)
    this.#expiryTimer = null
    const next = nextExpiry(readItems(this.doc), this.#now())
    if (next === null || this.#closed) return
    this.#expiryTimer = setTimeout(() => this.#sweep(), Math.min(MAX_TIMER, Math.max(0, next - this.#now()) + 50))
  }

  get meta(): BoardMeta {
    return readMeta(this.doc)
  }

  get syncStatus(): SyncStatus {
    return this.#sync?.status ?? { state: 'offline', peers: 0, lastExchange: null }
  }

  onSyncStatus(cb: (s: SyncStatus) => void): () => void {
    return this.#sync?.onStatus(cb) ?? (() => {})
  }

  async createItem(draft: unknown): Promise<Result<Item>> {
    const result = createItem(this.doc, draft, this.#now())
    if (result.ok) await this.#store.flush()
    return result
  }

  async updateItem(id: ItemId, patch: unknown): Promise<Result<Item>> {
    const result = updateItem(this.doc, id, patch, this.#now())
    if (result.ok) await this.#store.flush()
    return result
  }

  async deleteItem(id: ItemId): Promise<boolean> {
    const deleted = deleteItem(this.doc, id)
    await this.#store.flush()
    return deleted
  }

  async setPinned(id: ItemId, pinned: boolean): Promise<boolean> {
    const done = setPinned(this.doc, id, pinned, this.#now())
    await this.#store.flush()
    return done
  }

  async updateMeta(patch: unknown): Promise<Result<BoardMeta>> {
    const result = updateMeta(this.doc, patch, this.#now())
    if (result.ok) await this.#store.flush()
    return result
  }

  /** Stops replicating (the person chose to go offline) or starts again. */
  setOnline(online: boolean): void {
    if (online) this.#sync?.reconnect()
    else this.#sync?.disconnect()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer)
    if (this.#metaTimer) clearTimeout(this.#metaTimer)
    if (this.#recheckTimer) clearTimeout(this.#recheckTimer)
    this.doc.off('afterTransaction', this.#onTransaction)
    this.#sync?.destroy()
    await this.#store.flush().catch(() => {})
    await this.#store.destroy()
    this.doc.destroy()
  }
}
