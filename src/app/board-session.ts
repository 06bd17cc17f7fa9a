import * as Y from 'yjs'
import {
  createItem,
  deleteItem,
  deleteItems,
  earliestExpiry,
  findExpired,
  initBoard,
  itemOwner,
  newItemId,
  readMeta,
  removeItem,
  setPinned,
  updateItem,
  updateMeta,
  type BoardMeta,
  type Item,
  type ItemId,
  type Result,
} from '../core/index.ts'
import {
  deriveInvitation,
  fingerprint,
  fromBase64url,
  generateInvitationSecret,
  importAgreement,
  importDeviceSigner,
  inviteLink,
  keyId,
  legacyContentKey,
  toBase64url,
  type BoardId,
  type DeviceKeyMaterial,
  type DeviceSigner,
  type EntryCrypto,
  type InvitePurpose,
  type TransportSecret,
} from '../crypto/index.ts'
import { AdmissionRefused, APPLY_PART_BYTES, cutLazily, LOCAL_ORIGIN, SealedBoard, yieldToEventLoop, type KeyGift, type Role } from '../sealed/index.ts'
import { deleteLegacyBoardData, isStorageRefusal, readLegacyBoard, type BoardRecord, type BoardStore, type EpochKeys, type StoreOptions } from '../storage/index.ts'
import type { SyncStatus, WrtcLike } from '../sync/index.ts'
import { BoardRooms } from './board-rooms.ts'
import { BOARD_RULES } from './board-rules.ts'
import { claimBoard } from './board-claim.ts'
import type { NetworkPlan } from './network.ts'

/** Longest delay setTimeout accepts; expiries further out are re-checked later. */
const MAX_TIMER = 2 ** 31 - 1
/** A moderator admits a request for someone else's invitation only after this long (the inviter's own device goes first). */
const MODERATOR_ADMIT_AFTER_MS = 10_000

export interface SessionDeps {
  readonly network: NetworkPlan
  /** Opens this board's store in the device's one database (Keyring.openStore with the record's store secret). */
  readonly openStore: (doc: Y.Doc, opts?: Pick<StoreOptions, 'cut'>) => Promise<BoardStore>
  /** The keyring's device keys, for records from before each board had its own. */
  readonly device: DeviceKeyMaterial
  /** Keeps a change to this board's record (keys received, migration, admission) in the keyring. */
  readonly onRecordChange?: (patch: Partial<Omit<BoardRecord, 'id'>>) => Promise<void>
  readonly now?: () => number
  readonly wrtc?: WrtcLike
  /** The app's own URL, the base of invite links. */
  readonly appUrl?: () => string
  /** Called (debounced) when the board's meta changes, so the device's board list stays current. */
  readonly onMetaChange?: (meta: BoardMeta) => void
  /** Where other devices' signatures are checked and their entries decrypted (entry-crypto.ts). Default: this thread. */
  readonly crypto?: EntryCrypto
}

/** What a person may do with an item, decided as every device's engine will decide it. */
export interface ItemActions {
  readonly edit: boolean
  readonly delete: boolean
  /** Deleting would remove someone else's post as a moderator (it leaves a trace). */
  readonly moderate: boolean
  readonly pin: boolean
}

/**
 * One open board: its sealed doc (persisted and replicated), the readable doc
 * built from it (memory only), its membership and its expiry sweeper.
 * Everything the UI does to a board goes through here, and every write
 * resolves only once it is sealed and on disk.
 */
export class BoardSession {
  readonly id: BoardId
  readonly sealed: SealedBoard
  record: BoardRecord
  readonly #store: BoardStore
  readonly #now: () => number
  readonly #deps: SessionDeps
  /** The rooms its sealed doc is in, and the moves after a rotation. */
  readonly #rooms: BoardRooms
  #expiryTimer: ReturnType<typeof setTimeout> | null = null
  #metaTimer: ReturnType<typeof setTimeout> | null = null
  #admitTimer: ReturnType<typeof setTimeout> | null = null
  /**
   * Requests this device has admitted by itself (or is admitting). Never
   * twice: an admission the circle does not count (a newcomer whose key
   * collides with a member's) leaves the request open, and every change of
   * the membership would sign another, for good.
   */
  readonly #admittedHere = new Set<string>()
  /** A rotation this device started by itself is on its way. */
  #rekeying = false
  #nextExpiryAt: number | null = null
  #closed = false
  readonly #cleanups: (() => void)[] = []

  private constructor(record: BoardRecord, sealed: SealedBoard, store: BoardStore, deps: SessionDeps, signer: DeviceSigner) {
    this.id = record.id
    this.record = record
    this.sealed = sealed
    this.#store = store
    this.#deps = deps
    this.#now = deps.now ?? Date.now
    this.#rooms = new BoardRooms(
      {
        sealed,
        signer,
        ...(deps.wrtc ? { wrtc: deps.wrtc } : {}),
        now: this.#now,
        transport: () => this.#currentTransport(),
        epochs: () => this.record.keys ?? [],
      },
      deps.network,
    )
  }

  /** The readable board (memory only). Replaced when the engine rebuilds it: see onReset. */
  get doc(): Y.Doc {
    return this.sealed.readable
  }

  /** This device's signing key on this board. */
  get signPublic(): Uint8Array {
    return (this.record.device ?? this.#deps.device).signPublic
  }

  /** This device's tag on this board. */
  get me(): string {
    return this.sealed.myTag
  }

  /**
   * Opens a board: loads the sealed entries from disk and verifies them into
   * the readable doc before resolving, migrates a board from before sealed
   * boards, asks to be let in or writes this device's profile as needed, then
   * starts replication in the current epoch's room.
   */
  static async open(record: BoardRecord, deps: SessionDeps): Promise<BoardSession> {
    const release = await claimBoard(record.id)
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
    const device = record.device ?? deps.device
    const legacyKey = legacyContentKey(record.transportSecret)
    const first = record.contentKey ?? (record.format === 2 ? null : legacyKey)
    // Only a board from before sealed boards (its key derived from the one old secret) may carry legacy entries.
    const allowLegacy = first !== null && first.length === legacyKey.length && first.every((b, i) => b === legacyKey[i])
    const keys: EpochKeys[] = record.keys ? [...record.keys] : first ? [{ contentKey: first, transport: record.transportSecret }] : []
    const invitation = record.invitation ? await deriveInvitation(record.invitation) : null
    let session: BoardSession | null = null
    const sealedDoc = new Y.Doc({ gc: true })
    // The stored state is applied in parts, in tasks of their own (storage/board-store.ts).
    const store = await deps.openStore(sealedDoc, { cut: (update) => cutLazily(update, APPLY_PART_BYTES) })
    await store.loaded
    const signer = await importDeviceSigner(device)
    const sealed = new SealedBoard(sealedDoc, {
      boardId: fromBase64url(record.id)!,
      signer,
      agreement: await importAgreement(device.agreePkcs8, device.agreePublic),
      contentKeys: keys.map((k) => ({ key: k.contentKey, transport: k.transport })),
      transport: record.transportSecret,
      rules: BOARD_RULES,
      ...(record.founder ? { founder: record.founder } : {}),
      ...(invitation ? { request: { key: invitation.requestKey } } : {}),
      allowLegacy,
      now,
      verdicts: store.verdicts,
      ...(deps.crypto ? { crypto: deps.crypto } : {}),
      inRoom: (transport) => (session ? session.#rooms.inRoom(transport) : null),
    })
    session = new BoardSession(record, sealed, store, deps, signer)
    session.#cleanups.push(sealed.onKeys((gift) => void session.#tookKeys(gift)))
    await sealed.start()
    // A large board's last steps (checking requests, the sweep, the first render) are tasks of their own, not one long one.
    await yieldToEventLoop()
    if (invitation && sealed.standing === 'waiting') {
      await sealed.request(record.displayName, { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
    } else if (sealed.keys.first) {
      if (!sealed.circle.managed) await sealed.join(record.displayName)
      await sealed.convert()
      if (record.format !== 2) await migrateLegacy(record, sealed, deps, first!, () => store.flush())
    }
    await session.flush()
    session.#start()
    // The sweep reads every item (22 ms on the bench's 10,000-item board, against 20 ms for the rest of the start):
    // a task of its own, still before anyone is handed the session, so no expired item is ever shown.
    await yieldToEventLoop()
    session.#sweep()
    await yieldToEventLoop()
    return session
  }

  #start(): void {
    // The opening sweep follows in a task of its own (#open).
    this.#watchDoc(this.doc, false)
    this.#cleanups.push(
      this.sealed.onReset((doc) => this.#watchDoc(doc)),
      this.sealed.onCircleChange(() => {
        this.#onCircle()
        this.#rooms.recheckPeers()
      }),
    )
    this.#rooms.connect()
    this.#onCircle()
  }

  /** The readable doc is new (opened, or rebuilt by the engine): follow its changes, sweep it (unless the caller will). */
  #watchDoc(doc: Y.Doc, sweep = true): void {
    doc.on('afterTransaction', this.#onTransaction)
    this.#cleanups.push(() => doc.off('afterTransaction', this.#onTransaction))
    if (this.#deps.onMetaChange) {
      const notify = this.#deps.onMetaChange
      const meta = doc.getMap('meta')
      const observer = () => {
        if (this.#metaTimer) clearTimeout(this.#metaTimer)
        this.#metaTimer = setTimeout(() => notify(readMeta(this.doc)), 300)
      }
      meta.observe(observer)
      this.#cleanups.push(() => meta.unobserve(observer))
      // A doc rebuilt with the board in it (a newcomer let in) holds a name no change will announce.
      const name = readMeta(doc).name
      if (name && name !== this.record.name) observer()
    }
    if (sweep && doc === this.doc) this.#sweep()
  }

  // ── replication and epochs ───────────────────────────────────────────────

  /** The transport secret of the epoch this device writes in: its room. */
  #currentTransport(): TransportSecret {
    return this.sealed.epoch?.transport ?? this.record.transportSecret
  }

  /** Keys arrived (admission, rotation): kept in the keyring, then followed to their room (BoardRooms.move). */
  #tookKeys(gift: KeyGift): Promise<void> {
    return this.#rooms.move(() => this.#keepKeys(gift))
  }

  async #keepKeys(gift: KeyGift): Promise<void> {
    const known = this.record.keys ?? (this.record.contentKey ? [{ contentKey: this.record.contentKey, transport: this.record.transportSecret }] : [])
    const have = new Set(known.map((k) => toBase64url(keyId(k.contentKey))))
    const added = gift.contentKeys.filter((k) => !have.has(toBase64url(keyId(k))))
    const keys: EpochKeys[] = [
      ...known.map((k) => ({ ...k, ...(added.length > 0 && k.leftAt === undefined ? { leftAt: this.#now() } : {}) })),
      ...added.map((k, i) => ({ contentKey: k, transport: i === added.length - 1 ? gift.transport : null })),
    ]
    const patch: Partial<BoardRecord> = {
      keys,
      ...(this.record.contentKey ? {} : { contentKey: keys[0]?.contentKey }),
      ...(this.record.invitation && this.sealed.standing !== 'waiting' ? { invitation: undefined } : {}),
    }
    this.record = { ...this.record, ...patch }
    await this.#deps.onRecordChange?.(patch)
  }

  get syncStatus(): SyncStatus {
    return this.#rooms.status
  }

  onSyncStatus(cb: (s: SyncStatus) => void): () => void {
    return this.#rooms.onStatus(cb)
  }

  /** Stops replicating (the person chose to go offline) or starts again. */
  setOnline(online: boolean): void {
    this.#rooms.setOnline(online)
  }

  // ── membership policy ────────────────────────────────────────────────────

  /**
   * Lets newcomers in as the board's rules say: the inviter's own devices
   * admit requests on its invitations at once; a moderator's device admits
   * them when the inviter's has not within a few seconds (so a newcomer is let
   * in while the inviter is offline). Invitations that ask first, that expired
   * (by this device's clock), are used up or revoked admit nobody. Devices
   * that joined with an invite from before membership are admitted by a
   * moderator while the board's first key is in use.
   */
  #onCircle(): void {
    if (this.#closed || this.sealed.standing !== 'member') return
    if (this.record.invitation) void this.#tookKeys({ contentKeys: [], transport: this.#currentTransport() })
    if (this.#admitTimer) clearTimeout(this.#admitTimer)
    const now = this.#now()
    let nextCheck: number | null = null
    const myMember = this.sealed.circle.memberOf(this.me)
    const current = this.sealed.circle.managed ? this.sealed.circle.membership().current?.key : null
    // Read once: this runs at every change of the circle (dozens a second while a large board syncs), and each
    // reading works the rights out from the membership (12 ms of one task on the benchmark's joining peer, read per request).
    const moderator = this.sealed.canModerate
    const requests = this.sealed.circle.openRequests()
    const invites = requests.length > 0 ? new Map(this.sealed.circle.invites().map((i) => [i.id, i])) : null
    for (const request of requests) {
      const invite = invites?.get(request.invite)
      if (!invite || invite.revoked || invite.used >= invite.uses || invite.epoch !== current || invite.ask) continue
      if (invite.expiresAt !== null && now > invite.expiresAt) continue
      const mine = this.sealed.circle.memberOf(invite.createdBy) === myMember
      const waited = now - request.seenAt
      if (mine || (moderator && invite.as !== 'device' && waited >= MODERATOR_ADMIT_AFTER_MS)) this.#admitOnce(request.hash)
      else if (moderator && invite.as !== 'device') nextCheck = Math.min(nextCheck ?? Infinity, MODERATOR_ADMIT_AFTER_MS - waited)
    }
    if (moderator) for (const j of this.sealed.legacyJoiners()) this.#admitOnce(j.hash)
    // One rotation at a time: each change of the membership seen while one is
    // on its way would queue another. Once it is done, look again.
    if (this.sealed.circle.managed && moderator && this.sealed.circle.membership().needsRekey && !this.#rekeying) {
      this.#rekeying = true
      void this.sealed
        .rekey()
        .then(() => this.flush())
        .then(
          () => {
            this.#rekeying = false
            this.#onCircle()
          },
          () => (this.#rekeying = false),
        )
    }
    if (nextCheck !== null) this.#admitTimer = setTimeout(() => this.#onCircle(), Math.max(0, nextCheck) + 50)
  }

  /** Admits a request by itself, once: again only if it failed before anything was signed. */
  #admitOnce(hash: string): void {
    if (this.#admittedHere.has(hash)) return
    this.#admittedHere.add(hash)
    void this.admit(hash).catch((e: unknown) => {
      if (!(e instanceof AdmissionRefused)) this.#admittedHere.delete(hash)
    })
  }

  /**
   * Creates an invitation and returns its link: it carries the room's
   * transport secret, the board id and a one-time invitation secret, never a
   * content key. `expiresAt` is checked by the admitting device's clock.
   */
  async invite(opts: { uses: number; expiresAt: number | null; purpose: InvitePurpose; ask: boolean }): Promise<string> {
    const secret = generateInvitationSecret()
    const invitation = await deriveInvitation(secret)
    await this.sealed.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: opts.uses, expiresAt: opts.expiresAt, as: opts.purpose, ask: opts.ask })
    await this.flush()
    const device = this.record.device ?? this.#deps.device
    return inviteLink(this.#deps.appUrl?.() ?? '', {
      version: 3,
      transportSecret: this.#currentTransport(),
      boardId: fromBase64url(this.id)!,
      invitationSecret: secret,
      inviter: device.signPublic,
      purpose: opts.purpose,
    })
  }

  async revokeInvite(id: string): Promise<void> {
    await this.sealed.revoke(id)
    await this.flush()
  }

  async admit(requestHash: string): Promise<void> {
    await this.sealed.admit(requestHash)
    await this.flush()
  }

  async refuse(requestHash: string): Promise<void> {
    await this.sealed.refuse(requestHash)
    await this.flush()
  }

  /** Removes a member (every device of theirs) and rotates the board's keys. */
  async removeMember(memberId: string): Promise<void> {
    const member = this.sealed.circle.membership().members.get(memberId)
    if (!member) throw new Error('No such member')
    await this.removeDevices(member.devices.filter((d) => this.sealed.circle.membership().isActive(d)))
  }

  /** Removes devices (a lost phone, a relay) and rotates the board's keys. */
  async removeDevices(tags: readonly string[]): Promise<void> {
    await this.sealed.remove(tags)
    await this.flush()
    this.#rooms.connect()
  }

  async setRole(memberId: string, role: Role): Promise<void> {
    await this.sealed.setRole(memberId, role)
    await this.flush()
  }

  async setMembersMayInvite(value: boolean): Promise<void> {
    await this.sealed.setMembersMayInvite(value)
    await this.flush()
  }

  // ── expiry ───────────────────────────────────────────────────────────────

  // Only the items a transaction touched are read to keep the next expiry
  // current; every item is read only when a sweep runs (on open and when the
  // timer fires), not on every change.
  readonly #onTransaction = (tx: Y.Transaction): void => {
    if (this.#closed || tx.doc !== this.doc) return
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
      // Never later than the item's expiry (earliestExpiry.ts): at worst a sweep that finds nothing due.
      const at = map instanceof Y.Map ? earliestExpiry(map) : null
      if (at !== null && at > now && (this.#nextExpiryAt === null || at < this.#nextExpiryAt)) this.#setExpiryTimer(at)
    }
  }

  /**
   * Deletes expired items now (one pass over every item) and sets a timer for
   * the next one to expire. This device's own items are deleted for everyone
   * (a signed change, so their text also leaves its compacted history); other
   * members' are deleted here only — every device does the same when its own
   * clock gets there, and no member may delete another's post.
   */
  #sweep(): void {
    if (this.#closed) return
    const now = this.#now()
    const { expired, next } = findExpired(this.doc, now)
    const mine = new Set(this.sealed.standing === 'member' ? expired.filter((id) => this.#owns(id)) : [])
    deleteItems(this.doc, [...mine])
    deleteItems(this.doc, expired.filter((id) => !mine.has(id)), LOCAL_ORIGIN)
    this.#setExpiryTimer(next)
  }

  #setExpiryTimer(at: number | null): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer)
    this.#expiryTimer = null
    this.#nextExpiryAt = at
    if (at === null || this.#closed) return
    this.#expiryTimer = setTimeout(() => this.#sweep(), Math.min(MAX_TIMER, Math.max(0, at - this.#now()) + 50))
  }

  // ── the board ────────────────────────────────────────────────────────────

  get meta(): BoardMeta {
    return readMeta(this.doc)
  }

  /** Whether this device's member owns an item (its id names one of the member's devices, or it created an older item). */
  #owns(id: string): boolean {
    const owner = itemOwner(id)
    const myMember = this.sealed.circle.memberOf(this.me)
    if (owner) return owner === this.me || (myMember !== null && this.sealed.circle.memberOf(owner) === myMember)
    const map = this.doc.getMap('items').get(id)
    const client = map instanceof Y.Map ? map._item?.id.client : undefined
    return client !== undefined && this.sealed.authorOfClient(client) === myMember
  }

  /** What this device may do with an item: exactly what the engine on every device will accept. */
  actionsFor(id: ItemId): ItemActions {
    const member = this.sealed.standing === 'member'
    const own = member && this.#owns(id)
    const moderator = member && this.sealed.canModerate
    return { edit: own && itemOwner(id) === this.me, delete: own || moderator, moderate: !own && moderator, pin: moderator }
  }

  /** The fingerprint people compare for a device's signing key. */
  fingerprintOf(sign: Uint8Array): string {
    return fingerprint(sign)
  }

  get canModerate(): boolean {
    return this.sealed.standing === 'member' && this.sealed.canModerate
  }

  /**
   * Resolves once every change so far is sealed into entries and those are on
   * disk — or, where this device cannot save now (a full device, storage
   * refused), once they wait in memory for the next write: `unsaved` says so.
   * They reach the other members either way.
   */
  async flush(): Promise<void> {
    await this.sealed.flush()
    await this.#store.flush().catch((err: unknown) => {
      if (!isStorageRefusal(err)) throw err
    })
  }

  /** This device could not save its latest changes: they wait in memory, written with the next change or `flush`. */
  get unsaved(): boolean {
    return this.#store.failing
  }

  onUnsaved(cb: (unsaved: boolean) => void): () => void {
    return this.#store.onFailing(cb)
  }

  async createItem(draft: unknown): Promise<Result<Item>> {
    const result = createItem(this.doc, draft, this.#now(), newItemId(this.me))
    if (result.ok) await this.flush()
    return result
  }

  async updateItem(id: ItemId, patch: unknown): Promise<Result<Item>> {
    const result = updateItem(this.doc, id, patch, this.#now())
    if (result.ok) await this.flush()
    return result
  }

  /** Deletes an item: one's own, or — as a moderator — someone else's, leaving a trace every member sees. */
  async deleteItem(id: ItemId): Promise<boolean> {
    const actions = this.actionsFor(id)
    if (!actions.delete) return false
    const deleted = actions.moderate ? removeItem(this.doc, id, this.#now()) : deleteItem(this.doc, id)
    await this.flush()
    return deleted
  }

  async setPinned(id: ItemId, pinned: boolean): Promise<boolean> {
    if (!this.actionsFor(id).pin) return false
    const done = setPinned(this.doc, id, pinned)
    await this.flush()
    return done
  }

  async updateMeta(patch: unknown): Promise<Result<BoardMeta>> {
    const result = updateMeta(this.doc, patch, this.#now())
    if (result.ok) await this.flush()
    return result
  }

  /** Changes this device's name on the board (a new signed profile entry). */
  async setDisplayName(name: string): Promise<void> {
    await this.sealed.join(name)
    await this.flush()
  }

  /** ICE servers for the peer connections made from now on (see Hearth.updateNetwork); later rooms use the new plan too. */
  updateNetwork(plan: NetworkPlan): void {
    this.#rooms.updateNetwork(plan)
  }

  /** Closes the board; `keepVerdicts: false` for a wipe, where nothing more is written. */
  async close(opts: { readonly keepVerdicts?: boolean } = {}): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    // Seals waiting for a room go on at once, before the engine is flushed below.
    const leaving = this.#rooms.close()
    for (const t of [this.#expiryTimer, this.#metaTimer, this.#admitTimer]) if (t) clearTimeout(t)
    for (const c of this.#cleanups.splice(0)) c()
    await leaving
    await this.flush().catch(() => {})
    // What it judged since the last save, so the next opening need not judge it again; losing it costs only time.
    if (opts.keepVerdicts !== false) {
      await this.sealed.saveVerdicts().catch(() => {})
      // A compaction that arrived just before the app was put away leaves the records now, not at the next opening.
      await this.#store.forget().catch(() => {})
    }
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
async function migrateLegacy(record: BoardRecord, sealed: SealedBoard, deps: SessionDeps, contentKey: Uint8Array, flushSealed: () => Promise<void>): Promise<void> {
  const updates = await readLegacyBoard(record.id)
  if (updates) {
    const legacy = new Y.Doc()
    Y.transact(legacy, () => updates.forEach((u) => Y.applyUpdate(legacy, u)))
    if (legacy.getMap('items').size > 0 || legacy.getMap('meta').size > 0) {
      await sealed.importLegacy(Y.encodeStateAsUpdate(legacy))
    }
    legacy.destroy()
  }
  // The sealed copy is on disk before the plain one goes.
  await sealed.flush()
  await flushSealed()
  await deps.onRecordChange?.({ format: 2, contentKey })
  await deleteLegacyBoardData(record.id)
}

/**
 * Writes a new board's first state — the founder's genesis (which makes this
 * device its founder, bound to the board id) and the board's name — as sealed
 * entries to disk, before the board appears in any list.
 */
export async function sealNewBoard(
  record: Pick<BoardRecord, 'id' | 'displayName' | 'transportSecret'> & { contentKey: Uint8Array; nonce: Uint8Array },
  meta: BoardMeta,
  device: DeviceKeyMaterial,
  now: () => number,
  openStore: (doc: Y.Doc) => Promise<BoardStore>,
): Promise<void> {
  const sealedDoc = new Y.Doc()
  const store = await openStore(sealedDoc)
  await store.loaded
  const sealed = new SealedBoard(sealedDoc, {
    boardId: fromBase64url(record.id)!,
    signer: await importDeviceSigner(device),
    agreement: await importAgreement(device.agreePkcs8, device.agreePublic),
    contentKeys: [{ key: record.contentKey, transport: record.transportSecret }],
    rules: BOARD_RULES,
    now,
  })
  await sealed.start()
  await sealed.found(record.displayName, record.nonce)
  initBoard(sealed.readable, meta, now())
  await sealed.flush()
  await store.flush()
  sealed.destroy()
  await store.destroy()
  sealedDoc.destroy()
}
