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
  #recheckTimer: ReturnType<typeof setTimeout> | null = null
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
    const contentKey = record.contentKey ?? legacyContentKey(record.secret)
    const sealedDoc = new Y.Doc({ gc: true })
    const store = openBoardStore(record.id, sealedDoc)
    await store.loaded
    const sealed = new SealedBoard(sealedDoc, {
      boardId: fromBase64url(keys.boardId)!,
      cipher: await importContentKey(contentKey),
      signer: await importDeviceSigner(deps.device),
      ...(record.founder ? { founder: record.founder } : {}),
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
    await this.flush().catch(() => {})
    this.sealed.destroy()
    await this.#store.destroy()
    this.sealed.sealed.destroy()
    this.#releaseLock()
  }
}

export class BoardOpenElsewhereError extends Error {
  constructor() {
    super('This board is open in another tab or window of this browser')
  }
}

/**
 * One session per board per browser: two tabs writing as the same device
 * would reuse each other's sequence numbers. A Web Lock is held while the
 * board is open (skipped where the platform has none, e.g. Node tests).
 */
async function holdBoardLock(id: BoardId): Promise<() => void> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (!locks) return () => {}
  return new Promise((resolve, reject) => {
    void locks.request(`hearth-board-${id}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        reject(new BoardOpenElsewhereError())
        return
      }
      return new Promise<void>((released) => resolve(() => released()))
    })
  })
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
