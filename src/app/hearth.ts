import { validateMeta, type BoardMeta, type FieldError } from '../core/index.ts'
import {
  deriveTransportKeys,
  foundedBoardId,
  generateContentKey,
  generateDeviceKeys,
  generateTransportSecret,
  legacyContentKey,
  pageCrypto,
  parseInvite,
  toBase64url,
  type BoardId,
  type ClosableCrypto,
  type DeviceKeyMaterial,
  type InviteError,
} from '../crypto/index.ts'
import type * as Y from 'yjs'
import { BoardRegistry, deleteLegacyBoardData, loadBoardStore, newStoreSecret, type BoardRecord, type BoardStore, type StoreOptions } from '../storage/index.ts'
import type { WrtcLike } from '../sync/index.ts'
import type { BoardSession } from './board-session.ts'
import { retriable } from '../chunks/retriable.ts'
import { loadChunk } from './chunk.ts'
import type { NetworkPlan } from './network.ts'

export const DISPLAY_NAME_MAX = 60

export type DisplayNameError = { readonly field: 'displayName'; readonly code: 'required' | 'too_long'; readonly limit?: number }

export function checkDisplayName(name: string): DisplayNameError | null {
  const trimmed = name.trim()
  if (trimmed === '') return { field: 'displayName', code: 'required' }
  if ([...trimmed].length > DISPLAY_NAME_MAX) return { field: 'displayName', code: 'too_long', limit: DISPLAY_NAME_MAX }
  return null
}

/** The engine's chunk, tried again under a URL of its own after a failure (chunks/retriable.ts): a browser may keep the failure. */
const importEngine = retriable(() => import('./board-session.ts'))

/** The board engine, sync and the live store: chunks of their own, loaded with the first board made, opened or joined. */
async function loadBoardEngine(): Promise<typeof import('./board-session.ts')> {
  const [engine] = await loadChunk(() => Promise.all([importEngine(), loadBoardStore()]))
  return engine
}

/** What Hearth needs of the device's keyring. */
export interface Registry {
  list(): Promise<BoardRecord[]>
  get(id: BoardId): Promise<BoardRecord | null>
  put(record: BoardRecord): Promise<void>
  update(id: BoardId, patch: Partial<Omit<BoardRecord, 'id' | 'secret'>>): Promise<BoardRecord | null>
  remove(id: BoardId): Promise<void>
  device(): DeviceKeyMaterial
  /** Opens a board's store in the device's one database, by the record's store secret; `opts.encrypt`: where its records are encrypted. */
  openStore(secret: Uint8Array, doc: Y.Doc, opts?: StoreOptions): Promise<BoardStore>
  /** Deletes every record of a board's store. */
  deleteStore(secret: Uint8Array): Promise<void>
}

export interface HearthDeps {
  readonly registry: Registry
  /** The network plan is read when a board opens, so settings changes apply to boards opened after. */
  readonly network: () => Promise<NetworkPlan>
  /** The app's own URL, the base of invite links. */
  readonly appUrl: () => string
  readonly now?: () => number
  readonly wrtc?: WrtcLike
  /** Creates a device identity for each new board. Default: WebCrypto Ed25519 + X25519. */
  readonly generateDevice?: () => Promise<DeviceKeyMaterial>
  /** Where the boards check signatures and decrypt (entry-crypto.ts). Default: a worker, where the page can start one. */
  readonly entryCrypto?: () => ClosableCrypto
  /** A board's record changed while it was open (its name learnt): the list may be out of date. */
  readonly onRecordsChanged?: () => void
}

export type JoinResult =
  | { readonly ok: true; readonly record: BoardRecord; readonly existed: boolean }
  | { readonly ok: false; readonly error: InviteError | 'display_name' | 'relay_link'; readonly detail?: DisplayNameError }

/**
 * The device's boards: create, join, open, leave. Holds at most one session per
 * board (y-webrtc allows one provider per room per page), and keeps sessions
 * open once opened so boards keep syncing while the app runs.
 */
export class Hearth {
  readonly registry: Registry
  readonly #deps: HearthDeps
  readonly #sessions = new Map<BoardId, Promise<BoardSession>>()
  readonly #now: () => number
  /** Shared by the open boards; made with Hearth (and again at the next open after closeAll), ended with them (lock, wipe). */
  #crypto: ClosableCrypto | null = null

  /** Opens this device's keyring (unlocked in device mode, locked in passphrase mode) and the boards in it. */
  static async open(deps: Omit<HearthDeps, 'registry'> & { registry?: Registry }): Promise<Hearth> {
    return new Hearth({ ...deps, registry: deps.registry ?? (await BoardRegistry.open()) })
  }

  constructor(deps: HearthDeps) {
    this.#deps = deps
    this.registry = deps.registry
    this.#now = deps.now ?? Date.now
    // Loaded while the keyring opens: a board opened right after does not wait for it.
    this.#entryCrypto().warm()
  }

  /** The boards' crypto (made again after closeAll ended it). */
  #entryCrypto(): ClosableCrypto {
    return (this.#crypto ??= (this.#deps.entryCrypto ?? pageCrypto)())
  }

  listBoards(): Promise<BoardRecord[]> {
    return this.registry.list()
  }

  async createBoard(input: { name: string; description: string; displayName: string }): Promise<
    { ok: true; record: BoardRecord } | { ok: false; errors: readonly (FieldError | DisplayNameError)[] }
  > {
    const meta = validateMeta({ name: input.name, description: input.description })
    const nameError = checkDisplayName(input.displayName)
    if (!meta.ok || nameError) return { ok: false, errors: [...(meta.ok ? [] : meta.errors), ...(nameError ? [nameError] : [])] }
    const transportSecret = generateTransportSecret()
    const contentKey = generateContentKey()
    // A device identity of its own for this board: two boards cannot tell they share a device.
    const device = await (this.#deps.generateDevice ?? generateDeviceKeys)()
    const nonce = crypto.getRandomValues(new Uint8Array(16))
    const boardId = foundedBoardId(device.signPublic, nonce)
    const store = newStoreSecret()
    // Seal the board's first state (the founder's genesis, its name) to disk before it appears in the list.
    // The board engine, sync and storage load only when a board is first made or opened.
    const { sealNewBoard } = await loadBoardEngine()
    await sealNewBoard({ id: boardId, displayName: input.displayName.trim(), contentKey, transportSecret, nonce }, meta.value, device, this.#now, (doc) =>
      this.registry.openStore(store, doc),
    )
    const now = this.#now()
    const record: BoardRecord = {
      id: boardId,
      store,
      transportSecret,
      contentKey,
      keys: [{ contentKey, transport: transportSecret }],
      device,
      format: 2,
      founder: device.signPublic,
      displayName: input.displayName.trim(),
      name: meta.value.name,
      addedAt: now,
      openedAt: now,
    }
    await this.registry.put(record)
    return { ok: true, record }
  }

  /**
   * Joins the board an invite points to (or finds it, if this device already
   * has it). With an invitation (version 3) this device asks to be let in and
   * holds nothing readable until a member admits it; invites from before
   * membership carry the keys themselves.
   */
  async joinBoard(invite: string, displayName: string): Promise<JoinResult> {
    const parsed = parseInvite(invite)
    if (!parsed.ok) return { ok: false, error: parsed.error }
    // A relay link is for `npm run relay`: opened in the app it would make a device that can read nothing, forever.
    if (parsed.version === 3 && parsed.purpose === 'relay') return { ok: false, error: 'relay_link' }
    const boardId = parsed.version === 3 ? (toBase64url(parsed.boardId) as BoardId) : deriveTransportKeys(parsed.transportSecret).boardId
    const existing = await this.registry.get(boardId)
    if (existing) return { ok: true, record: existing, existed: true }
    const nameError = checkDisplayName(displayName)
    if (nameError) return { ok: false, error: 'display_name', detail: nameError }
    const now = this.#now()
    const device = await (this.#deps.generateDevice ?? generateDeviceKeys)()
    const common = { id: boardId, transportSecret: parsed.transportSecret, store: newStoreSecret(), device, format: 2 as const, displayName: displayName.trim(), name: '', addedAt: now, openedAt: now }
    const record: BoardRecord =
      parsed.version === 3
        ? { ...common, invitation: parsed.invitationSecret, invitedBy: parsed.inviter }
        : {
            ...common,
            // A version 1 invite points to a board from before sealed boards: its key is derived.
            contentKey: parsed.contentKey ?? legacyContentKey(parsed.transportSecret),
            ...(parsed.founder ? { founder: parsed.founder } : {}),
            ...(parsed.inviter ? { invitedBy: parsed.inviter } : {}),
          }
    await this.registry.put(record)
    return { ok: true, record, existed: false }
  }

  /** Opens (or returns the already open) session for a board. */
  openBoard(id: BoardId): Promise<BoardSession> {
    let session = this.#sessions.get(id)
    if (!session) {
      session = this.#open(id)
      this.#sessions.set(id, session)
      session.catch(() => this.#sessions.delete(id))
    }
    return session
  }

  async #open(id: BoardId): Promise<BoardSession> {
    // The engine's chunks load while the record is read (a chunk that fails is the error awaited below).
    const engine = loadBoardEngine()
    engine.catch(() => undefined)
    const existing = await this.registry.get(id)
    if (!existing) throw new Error('This board is not on this device')
    const record = await this.#opened(existing)
    const store = record.store!
    const { BoardSession } = await engine
    const crypto = this.#entryCrypto()
    // The records a sync brings are encrypted where entries are checked: in the crypto worker, off the page.
    const encrypt = crypto.encrypt?.bind(crypto)
    return BoardSession.open(record, {
      network: await this.#deps.network(),
      openStore: (doc, opts) => this.registry.openStore(store, doc, { ...opts, ...(encrypt ? { encrypt } : {}) }),
      device: this.registry.device(),
      onRecordChange: async (patch) => void (await this.registry.update(id, patch)),
      appUrl: () => this.#deps.appUrl(),
      now: this.#now,
      crypto,
      ...(this.#deps.wrtc ? { wrtc: this.#deps.wrtc } : {}),
      onMetaChange: (meta: BoardMeta) => {
        if (meta.name) void this.registry.update(id, { name: meta.name }).then(() => this.#deps.onRecordsChanged?.(), () => undefined)
      },
    })
  }

  /**
   * Notes when the board was opened (the board list's order). A record that
   * gets its store's secret now waits until the keyring holding it is on disk:
   * nothing may be stored under a secret that could be lost. Otherwise the
   * board opens meanwhile (writing the keyring was 30–45 ms of each open): the
   * write is queued like any other, and a later read of the keyring sees it.
   */
  async #opened(existing: BoardRecord): Promise<BoardRecord> {
    const openedAt = this.#now()
    if (!existing.store) {
      const record = await this.registry.update(existing.id, { openedAt, store: newStoreSecret() })
      if (!record) throw new Error('This board is not on this device')
      return record
    }
    // Only the list's order is lost if this write fails; the next write of the keyring holds the records as they are.
    this.registry.update(existing.id, { openedAt }).catch(() => undefined)
    return { ...existing, openedAt }
  }

  async setDisplayName(id: BoardId, displayName: string): Promise<DisplayNameError | null> {
    const error = checkDisplayName(displayName)
    if (error) return error
    await this.registry.update(id, { displayName: displayName.trim() })
    const session = this.#sessions.get(id)
    if (session) await (await session).setDisplayName(displayName.trim())
    return null
  }

  /**
   * Leaves a board: closes it, deletes its records (awaited until committed)
   * and forgets it; forgetting moves the keyring to a new root key, so the
   * records' key is gone from every copy the database may still hold.
   */
  async leaveBoard(id: BoardId): Promise<void> {
    const session = this.#sessions.get(id)
    this.#sessions.delete(id)
    if (session) await (await session.catch(() => null))?.close()
    const record = await this.registry.get(id)
    if (record?.store) await this.registry.deleteStore(record.store)
    await deleteLegacyBoardData(id)
    await this.registry.remove(id)
  }

  /** Starts loading the board engine (its own chunk) ahead of need, e.g. while a newcomer types their name on a slow link. */
  prepareBoards(): void {
    void loadBoardEngine().catch(() => undefined)
  }

  /**
   * A newer network plan for the boards already open: new peer connections use
   * its ICE servers (fresh TURN credentials). Signaling servers stay as each
   * board opened with them, since the page's CSP was fixed at start.
   */
  updateNetwork(plan: NetworkPlan): void {
    for (const session of this.#sessions.values()) void session.then((s) => s.updateNetwork(plan), () => undefined)
  }

  /**
   * Closes every open board (lock, wipe, tests); `keepVerdicts: false` for a
   * wipe (BoardSession.close). The crypto worker ends first, with whatever it
   * held: what the closing boards still ask runs on the page.
   */
  async closeAll(opts: { readonly keepVerdicts?: boolean } = {}): Promise<void> {
    this.#crypto?.close()
    this.#crypto = null
    const sessions = [...this.#sessions.values()]
    this.#sessions.clear()
    await Promise.all(sessions.map(async (s) => (await s.catch(() => null))?.close(opts)))
  }
}
