import * as Y from 'yjs'
import {
  initBoard,
  createItem,
  deleteItem,
  nextExpiry,
  parseItem,
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
import {
  deriveTransportKeys,
  deviceTag,
  fromBase64url,
  importContentKey,
  importDeviceSigner,
  legacyContentKey,
  type BoardId,
  type DeviceKeyMaterial,
} from '../crypto/index.ts'
import { deleteLegacyBoardData, hasLegacyBoardData, openBoardStore, type BoardRecord, type BoardStore } from '../storage/index.ts'
import { connectBoard, type BoardSync, type SyncStatus, type WrtcLike } from '../sync/index.ts'
import type { NetworkPlan } from './network.ts'
import { SealedBoard } from './sealed/sealed-board.ts'
import { holdBoardLock } from './board-lock.ts'

/** Longest delay setTimeout accepts; expiries further out are re-checked later. */
const MAX_TIMER = 2 ** 31 - 1

export interface SessionDeps {
  readonly network: NetworkPlan
  /** This device's identity keys (from the keyring). */
  readonly device: DeviceKeyMaterial
  /** Called once a board from before sealed boards has been migrated (to record its new format). */
  readonly onMigrated?: (patch: Pick<BoardRecord, 'format' | 'contentKey'>) => Promise<void>
  readonly now?: () => number
  readonly wrtc?: WrtcLike
  /** Called (debounced) when the board's meta changes, so the device's board list stays current. */
  readonly onMetaChange?: (meta: BoardMeta) => void
}

/**
 * One open board: its sealed doc (persisted and replicated), the readable doc
 * built from it (memory only), and its expiry sweeper. Everything the UI does
 * to a board goes through here, and every write resolves only once it is
 * sealed and on disk.
 */
export class BoardSession {
  readonly id: BoardId
  /** The readable board (memory only). */
  readonly doc: Y.Doc
  readonly sealed: SealedBoard
  readonly record: BoardRecord
  readonly #store: BoardStore
  readonly #now: () => number
  #sync: BoardSync | null = null
  #expiryTimer: ReturnType<typeof setTimeout> | null = null
  #metaTimer: ReturnType<typeof setTimeout> | null = null
  #nextExpiryAt: number | null = null
  #closed = false

  private constructor(record: BoardRecord, sealed: SealedBoard, store: BoardStore, now: () => number) {
    this.id = record.id
    this.record = record
    this.sealed = sealed
    this.doc = sealed.readable
    this.#store = store
    this.#now = now
  }

  /**
   * Opens a board: loads the sealed entries from disk and verifies them into
   * the readable doc before resolving, migrates a board from before sealed
   * boards, writes this device's join entry if needed, then starts replication.
   */
  static async open(record: BoardRecord, deps: SessionDeps): Promise<BoardSession> {
    const release = await holdBoardLock(record.id)
    try {
      const session = await BoardSession.#open(record, deps)
      session.#releaseLock = release
      return session
    } catch (e) {
      release()
      throw e
    }
  }

  #releaseLock: () => void = () => {}

  static async #open(record: BoardRecord, deps: SessionDeps): Promise<BoardSession> {
    const now = deps.now ?? Date.now
    const keys = deriveTransportKeys(record.secret)
    const legacyKey = legacyContentKey(record.secret)
    const contentKey = record.contentKey ?? legacyKey
    // Only a board from before sealed boards (its key derived from the one old secret) may carry legacy entries.
    const allowLegacy = contentKey.length === legacyKey.length && contentKey.every((b, i) => b === legacyKey[i])
    const sealedDoc = new Y.Doc({ gc: true })
    const store = openBoardStore(record.id, sealedDoc)
    await store.loaded
    const sealed = new SealedBoard(sealedDoc, {
      boardId: fromBase64url(keys.boardId)!,
      cipher: await importContentKey(contentKey),
      signer: await importDeviceSigner(deps.device),
      ...(record.founder ? { founder: record.founder } : {}),
      allowLegacy,
      now,
    })
    await sealed.start()
    await sealed.join(record.displayName, record.invitedBy ? deviceTag(record.invitedBy) : null)
    if (record.format !== 2) await migrateLegacy(record, sealed, deps, contentKey, () => store.flush())
    await sealed.flush()
    await store.flush()
    const session = new BoardSession(record, sealed, store, now)
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
      doc: this.sealed.sealed,
      room: keys.room,
      password: keys.password,
      signaling: [...deps.network.signaling],
      iceServers: [...deps.network.iceServers],
      relayOnly: deps.network.relayOnly,
      ...(deps.wrtc ? { wrtc: deps.wrtc } : {}),
    })
  }

  // Only the items a transaction touched are read to keep the next expiry
  // current; every item is read only when a sweep runs (on open and when the
  // timer fires), not on every change.
  readonly #onTransaction = (tx: Y.Transaction): void => {
    if (this.#closed) return
    const items = this.doc.getMap('items')
    const ids = new Set<string>()
    for (const [type, keys] of tx.changed) {
      // A new or replaced item (a key of the items map), or a field of one (a key of an item's map).
      if (type === (items as unknown)) for (const key of keys) if (typeof key === 'string') ids.add(key)
      const holder = type._item
      if (holder && holder.parent === (items as unknown) && typeof holder.parentSub === 'string') ids.add(holder.parentSub)
    }
    const now = this.#now()
    for (const id of ids) {
      const map = items.get(id)
      const item = map instanceof Y.Map ? parseItem(id, map) : null
      if (item?.expiresAt != null && item.expiresAt > now && (this.#nextExpiryAt === null || item.expiresAt < this.#nextExpiryAt)) {
        this.#setExpiryTimer(item.expiresAt)
      }
    }
  }

  /** Deletes expired items now (one pass over every item), and sets a timer for the next one to expire. */
  #sweep(): void {
    if (this.#closed) return
    const now = this.#now()
    sweepExpired(this.doc, now)
    this.#setExpiryTimer(nextExpiry(readItems(this.doc), now))
  }

  #setExpiryTimer(at: number | null): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer)
    this.#expiryTimer = null
    this.#nextExpiryAt = at
    if (at === null || this.#closed) return
    this.#expiryTimer = setTimeout(() => this.#sweep(), Math.min(MAX_TIMER, Math.max(0, at - this.#now()) + 50))
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

  /** Resolves once every change so far is sealed into entries and those are on disk. */
  async flush(): Promise<void> {
    await this.sealed.flush()
    await this.#store.flush()
  }

  async createItem(draft: unknown): Promise<Result<Item>> {
    const result = createItem(this.doc, draft, this.#now())
    if (result.ok) await this.flush()
    return result
  }

  async updateItem(id: ItemId, patch: unknown): Promise<Result<Item>> {
    const result = updateItem(this.doc, id, patch, this.#now())
    if (result.ok) await this.flush()
    return result
  }

  async deleteItem(id: ItemId): Promise<boolean> {
    const deleted = deleteItem(this.doc, id)
    await this.flush()
    return deleted
  }

  async setPinned(id: ItemId, pinned: boolean): Promise<boolean> {
    const done = setPinned(this.doc, id, pinned, this.#now())
    await this.flush()
    return done
  }

  async updateMeta(patch: unknown): Promise<Result<BoardMeta>> {
    const result = updateMeta(this.doc, patch, this.#now())
    if (result.ok) await this.flush()
    return result
  }

  /** Changes this device's name on the board (a new signed join entry). */
  async setDisplayName(name: string): Promise<void> {
    await this.sealed.join(name, null)
    await this.flush()
  }

  /** ICE servers for the peer connections made from now on (see Hearth.updateNetwork). */
  updateNetwork(plan: NetworkPlan): void {
    this.#sync?.setIceServers([...plan.iceServers], plan.relayOnly)
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
    this.doc.off('afterTransaction', this.#onTransaction)
    this.#sync?.destroy()
    await this.flush().catch(() => {})
    this.sealed.destroy()
    await this.#store.destroy()
    this.sealed.sealed.destroy()
    this.#releaseLock()
  }
}

/**
 * Moves a board from before sealed boards into sealed entries: its whole plain
 * doc becomes one legacy entry signed by this device (every member migrating
 * on their own produces the same items, since Yjs applies the same structs
 * once), then the plain-text database is deleted for real.
 */
async function migrateLegacy(
  record: BoardRecord,
  sealed: SealedBoard,
  deps: SessionDeps,
  contentKey: Uint8Array,
  flushSealed: () => Promise<void>,
): Promise<void> {
  if (await hasLegacyBoardData(record.id)) {
    const legacy = new Y.Doc()
    const store = openBoardStore(record.id, legacy, 'legacy')
    await store.loaded
    await store.destroy()
    if (legacy.getMap('items').size > 0 || legacy.getMap('meta').size > 0) {
      await sealed.importLegacy(Y.encodeStateAsUpdate(legacy))
    }
    legacy.destroy()
  }
  // The sealed copy is on disk before the plain one goes.
  await sealed.flush()
  await flushSealed()
  await deps.onMigrated?.({ format: 2, contentKey })
  await deleteLegacyBoardData(record.id)
}

/**
 * Writes a new board's first state — the founder's join entry and the board's
 * name — as sealed entries to disk, before the board appears in any list.
 */
export async function sealNewBoard(
  record: Pick<BoardRecord, 'id' | 'displayName'> & { contentKey: Uint8Array },
  meta: BoardMeta,
  device: DeviceKeyMaterial,
  now: () => number,
): Promise<void> {
  const sealedDoc = new Y.Doc()
  const store = openBoardStore(record.id, sealedDoc)
  await store.loaded
  const sealed = new SealedBoard(sealedDoc, {
    boardId: fromBase64url(record.id)!,
    cipher: await importContentKey(record.contentKey),
    signer: await importDeviceSigner(device),
    founder: device.signPublic,
    now,
  })
  await sealed.start()
  await sealed.join(record.displayName, null)
  initBoard(sealed.readable, meta, now())
  await sealed.flush()
  await store.flush()
  sealed.destroy()
  await store.destroy()
  sealedDoc.destroy()
}
