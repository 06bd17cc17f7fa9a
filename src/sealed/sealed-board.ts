import type * as Y from 'yjs'
import { boundClientId, deviceTag, foundedBoardId, toBase64url, type TransportSecret } from '../crypto/index.ts'
import { Admission } from './admission.ts'
import { AuthorLogs } from './author-log.ts'
import { Carrier } from './carrier.ts'
import { Circle, type MemberView, type RequestInfo } from './circle.ts'
import { Diagnostics, type Rejection } from './diagnostics.ts'
import { EntryHandler } from './entry-handler.ts'
import { handoffEntries } from './handoff.ts'
import { BoardKeys } from './keys.ts'
import { legacyJoiners } from './legacy-joiners.ts'
import { LocalWrites } from './local-writes.ts'
import { MembershipActions, type InviteOptions, type Invitation } from './membership-actions.ts'
import type { Role } from './membership/ops.ts'
import { SEALED_ORIGIN } from './origins.ts'
import { OwnEntries } from './own-entries.ts'
import type { KeyGift } from './payloads.ts'
import { Pump } from './pump.ts'
import { applyParked } from './readable.ts'
import { withDefaults, type SealedBoardOptions, type SettledOptions } from './sealed-board-options.ts'
import { SharedEntries } from './shared-entries.ts'
import { SideEntries, type KeySource } from './side-entries.ts'
import { TaskQueue } from './task-queue.ts'
import { decreasesSignature } from './verdict-check.ts'
import { welcomeIsTheBoards } from './welcome-check.ts'
import { KeptVerdicts, type KeptVerdict } from './verdicts.ts'
import { sliceEnds } from './yield.ts'

export { SEALED_ORIGIN, LOCAL_ORIGIN } from './origins.ts'
export type { KeySource } from './side-entries.ts'
export type { SealedBoardOptions } from './sealed-board-options.ts'
export type { VerdictStore } from './verdicts.ts'

/** An admission that would not count on other devices (invitation used up, revoked, of another epoch; no right to admit): no keys were sent. */
export class AdmissionRefused extends Error {
  constructor(readonly verdict: string) {
    super(`The admission does not count (${verdict}); no keys were sent`)
  }
}

/**
 * A sealed board: the shared, replicated document holds only signed,
 * encrypted entries; the readable board doc lives in memory and is built from
 * the entries that pass every check.
 *
 *   sealed doc (y-webrtc, the device store)     readable doc (memory only)
 *   Y.Map 'entries': key → entry bytes   ──▶    the board as core/ knows it
 *                                        ◀──    local changes, sealed as entries
 *
 * Anyone in the room can write anything into the sealed doc, so nothing there
 * is trusted. Every entry is parsed, checked against the board, its key and
 * its author's signature, then handled in its author's sequence order:
 * membership changes (control entries) feed the circle (circle.ts); content
 * is judged against its author's rights (authority.ts) and applied, or
 * refused as a whole with its clocks filled (placeholder.ts). When a later
 * membership change alters a verdict (a removal's cutoff, an equivocation),
 * the readable doc is rebuilt from the entries, so every device that holds
 * the same entries shows the same board. This device's own changes go
 * through the very same judgement.
 *
 * This class is the coordinator: it holds what the parts share (the shared
 * map, the author logs, the circle, the keys, the one queue of engine tasks)
 * and the public API, and hands each part only what its context names:
 *
 *   admission.ts           shared-map changes → entries waiting in their author's log
 *   pump.ts                entries in turn → the readable doc; it owns that doc
 *     entry-handler.ts     what becomes of one entry in its turn
 *     verdict-check.ts     whether a membership change alters a verdict given
 *     verdicts.ts          the verdicts this device reached, kept for its next opening
 *   side-entries.ts        requests, welcomes and rotations, once they can be settled
 *   local-writes.ts        changes made on the readable doc → this device's entries
 *   own-entries.ts         sealing this device's entries, and compacting them
 *   membership-actions.ts  this device's membership changes and rotations
 *   carrier.ts             a relay's way: keep entries, read only what leads on
 */
export class SealedBoard {
  /** What is replicated and persisted: entries only. */
  readonly sealed: Y.Doc
  readonly diagnostics = new Diagnostics()
  readonly circle: Circle
  readonly keys: BoardKeys
  readonly #entries: SharedEntries
  readonly #opts: SettledOptions
  readonly #myTag: string
  readonly #logs = new AuthorLogs()
  readonly #tasks = new TaskQueue()
  /** This device's entries: sealing, sequence numbers, compaction. */
  readonly #own: OwnEntries
  /** Changes made on the readable doc, sealed as entries. */
  readonly #writes: LocalWrites
  /** Changes to the shared map, checked into the author logs. */
  readonly #admission: Admission
  /** This device's membership changes. */
  readonly #actions: MembershipActions
  /** A relay's way with other devices' entries. */
  readonly #carrier: Carrier
  /** Requests, welcomes and rotations, looked at when what they depend on is known. */
  readonly #side: SideEntries
  /** Entries handled in turn into the readable doc. */
  readonly #pump: Pump
  /** Verdicts this device reached before (believed while the board opens) and keeps for the next opening. */
  readonly #kept: KeptVerdicts
  #entriesRead = 0
  readonly #listeners = { circle: new Set<() => void>(), reset: new Set<(doc: Y.Doc) => void>(), keys: new Set<(gift: KeyGift, source: KeySource | null) => void>() }

  constructor(sealed: Y.Doc, opts: SealedBoardOptions) {
    this.sealed = sealed
    this.#entries = new SharedEntries(sealed)
    this.#opts = withDefaults(opts)
    this.keys = new BoardKeys(this.#opts.crypto)
    this.#kept = new KeptVerdicts(opts.verdicts)
    const { boardId, signer, carrier } = this.#opts
    const myTag = (this.#myTag = deviceTag(signer.publicKey))
    const boardIdText = toBase64url(boardId)
    const founder = opts.founder ? deviceTag(opts.founder) : null
    this.circle = new Circle({
      founder: opts.founder ?? null,
      isFounderGenesis: (e) => e.op.t === 'genesis' && (e.author === founder || foundedBoardId(e.authorKey, e.op.nonce) === boardIdText),
    })
    // What most parts need; each takes only what its context names.
    const shared = {
      boardId,
      myTag,
      carrier,
      circle: this.circle,
      keys: this.keys,
      crypto: this.#opts.crypto,
      logs: this.#logs,
      entries: this.#entries,
      diagnostics: this.diagnostics,
      reject: (reason: Rejection, key: string, author: string | null, detail: string | null = null, via: string | null = null) =>
        this.diagnostics.record({ reason, key, author, via, detail, at: this.#opts.now() }),
      now: () => this.#opts.now(),
      pump: () => this.#pump.run(),
      rebuild: () => this.#pump.requestRebuild(),
      readable: () => this.#pump.readable,
      notifyCircle: () => this.#notifyCircle(),
      takeGift: (gift: KeyGift, source: KeySource | null) => this.#takeGift(gift, source),
    }
    this.#own = new OwnEntries({
      ...shared,
      readable: () => this.#pump.settled(),
      signer,
      rules: this.#opts.rules,
      admits: (from, seq, heads, update) => handler.admits(myTag, signer.publicKey, from, seq, heads, update),
      snapshotBytes: this.#opts.snapshotBytes,
      log: () => this.#logs.of(myTag),
      enterRoom: (id) => {
        const transport = this.keys.transport(id)
        return transport && this.#opts.inRoom ? this.#opts.inRoom(transport) : null
      },
    })
    this.#writes = new LocalWrites({ own: this.#own, compactAfter: this.#opts.compactAfter, compactWhenQuiet: this.#opts.compactWhenQuiet, client: boundClientId(signer.publicKey), readable: shared.readable, run: (task) => this.#tasks.run(task) })
    this.#admission = new Admission({ ...shared, pendingLimits: this.#opts.pendingLimits, carry: (key, bytes, entry) => this.#carrier.carry(key, bytes, entry) })
    this.#side = new SideEntries({ ...shared, agreement: opts.agreement, crypto: this.#opts.crypto, ownRequest: () => this.#logs.of(myTag).done.get(`${myTag}.1`)?.hash, ownRequestWaiting: () => this.#logs.of(myTag).pending.get(`${myTag}.1`)?.entry.header.kind === 'request', welcomeIsTheBoards: (gift, sealedUnder) => welcomeIsTheBoards(gift, sealedUnder, this.#logs, this.circle) })
    this.#carrier = new Carrier({ ...shared, side: this.#side })
    this.#actions = new MembershipActions({ ...shared, signer, founder: opts.founder, own: this.#own })
    const handler = new EntryHandler({
      ...shared,
      rules: this.#opts.rules,
      allowLegacy: this.#opts.allowLegacy,
      side: this.#side,
      kept: this.#kept,
      collect: (key, value) => this.#entries.collect(key, value),
      settle: (key) => this.#admission.settle(key),
      // What the judge reads is the readable doc with every accepted entry wholly applied.
      readable: () => this.#pump.settled(),
      apply: (update) => this.#pump.apply(update),
    })
    const reset = (doc: Y.Doc) => {
      for (const l of this.#listeners.reset) l(doc)
    }
    this.#pump = new Pump({ ...shared, side: this.#side, handler, kept: this.#kept, writes: this.#writes, reset }, boundClientId(signer.publicKey))
  }

  /** The board, readable, in memory only. Replaced when the engine rebuilds it (see onReset). */
  get readable(): Y.Doc {
    return this.#pump.readable
  }

  get myTag(): string {
    return this.#myTag
  }

  /** How many entries the last `start()` read (compaction keeps this bounded). */
  get entriesRead(): number {
    return this.#entriesRead
  }

  /**
   * Reads every entry already in the sealed doc (after it loaded from disk),
   * then follows changes: remote entries are checked and applied, local
   * changes to the readable doc are sealed.
   */
  async start(): Promise<void> {
    for (const k of this.#opts.contentKeys) await this.keys.addContentKey(k.key, k.transport ?? null)
    if (this.#opts.transport) await this.keys.addPublicKey(this.#opts.transport as TransportSecret)
    if (this.#opts.request) await this.keys.addRequestKey(this.#opts.request.key)
    const keys = [...this.#entries.keys()]
    this.#entriesRead = keys.length
    await this.#kept.load()
    await this.#tasks.run(() => this.#admission.ingest(new Map(keys.map((k) => [k, { value: this.#entries.get(k), via: 'storage' }]))))
    if (this.#kept.opened(decreasesSignature(this.circle))) {
      // Kept while other devices were cut off than now: what was applied on their word is judged again.
      this.#pump.requestRebuild()
      await this.#tasks.run(() => this.#pump.run())
    }
    this.#scheduleVerdictSave()
    this.#own.continueLog()
    this.sealed.on('beforeTransaction', this.#beginSlice)
    this.sealed.on('afterTransaction', this.#onSealedTransaction)
    this.#writes.listen(this.#pump.readable)
  }

  /** Resolves when every local change so far is sealed into the shared doc (and any work it started is done). */
  async flush(): Promise<void> {
    this.#writes.flush()
    await this.#tasks.idle()
  }

  destroy(): void {
    this.#kept.stop()
    this.#own.close()
    this.#tasks.stop()
    this.#writes.stop(this.#pump.readable)
    this.sealed.off('beforeTransaction', this.#beginSlice)
    this.sealed.off('afterTransaction', this.#onSealedTransaction)
    for (const set of Object.values(this.#listeners)) set.clear()
    this.#pump.readable.destroy()
  }

  // ── what the app reads ───────────────────────────────────────────────────

  /** Where this device stands: a member, waiting to be let in, or removed. */
  get standing(): 'member' | 'waiting' | 'removed' {
    return this.circle.standingOf(this.#myTag)
  }

  members(): MemberView[] {
    return this.circle.members()
  }

  /** The member whose bound Yjs client created a readable-doc struct (for author display), by member id. */
  authorOfClient(client: number): string | null {
    const tag = this.circle.ownerOfClient(client)
    return tag ? this.circle.memberOf(tag) : null
  }

  /** Whether this device may moderate now (delete others' posts, pin, rename the board). */
  get canModerate(): boolean {
    const r = this.circle.rightsAt(this.#myTag, this.#own.seq + 1, this.circle.heads())
    return r.kind === 'ok' && r.active && r.moderator
  }

  /** Entries not (yet) applied. */
  pendingCount(): number {
    return this.#logs.pendingCount()
  }

  /**
   * The sealed doc's Yjs clients that hold the circle: membership changes,
   * profiles, welcomes and key rotations. A device joining a large board can
   * judge nothing before it has them, so a sync sends their structs first
   * (sync-pieces.ts). A client that also wrote content sends that early too;
   * nothing else depends on the order. Requests to join are not the circle
   * (an admission carries the device it lets in): every member's first
   * client holds one, and counting them put every client first, so the
   * founder's circle still came last.
   */
  circleClients(): Set<number> {
    const clients = new Set<number>()
    for (const log of this.#logs.values()) {
      for (const set of [log.done, log.pending]) {
        for (const [key, e] of set) {
          const kind = e.entry.header.kind
          if (kind === 'update' || kind === 'snapshot' || kind === 'request') continue
          const client = this.#entries.clientOf(key)
          if (client !== undefined) clients.add(client)
        }
      }
    }
    return clients
  }

  /** Devices that joined with an old invite (a join entry, no admission) while the board's first key is in use. */
  legacyJoiners(): RequestInfo[] {
    return legacyJoiners(this.#logs, this.circle, this.#opts.now())
  }

  /** The entries that lead out of an epoch (its key id), for a device that keeps pointing stragglers to the next room. */
  handoff(from: string): [string, Uint8Array][] {
    return handoffEntries(this.#logs, this.#entries, this.#opts.carrier, from)
  }

  /** The key id (base64url) and transport secret of the epoch this device writes in, when it holds them. */
  get epoch(): { readonly key: string; readonly transport: TransportSecret | null } | null {
    const key = this.#own.currentKeyId()
    return key ? { key, transport: this.keys.transport(key) } : null
  }

  onCircleChange(listener: () => void): () => void {
    this.#listeners.circle.add(listener)
    return () => this.#listeners.circle.delete(listener)
  }

  /** Called with the new readable doc after a rebuild: whoever holds the old one must take the new one. */
  onReset(listener: (doc: Y.Doc) => void): () => void {
    this.#listeners.reset.add(listener)
    return () => this.#listeners.reset.delete(listener)
  }

  /**
   * Called when this device receives keys (admission, rotation): they must be
   * kept in its keyring. A carrier is told of every transport-only gift it
   * opens, with where it came from (it decides which rooms to follow).
   */
  onKeys(listener: (gift: KeyGift, source: KeySource | null) => void): () => void {
    this.#listeners.keys.add(listener)
    return () => this.#listeners.keys.delete(listener)
  }

  /** The first error an engine task threw, or null. The board may be incomplete while it is set. */
  get failure(): Error | null {
    return this.#tasks.failure
  }

  /** Called once, when an engine task first fails. */
  onFailure(listener: (error: Error) => void): () => void {
    return this.#tasks.onFailure(listener)
  }

  // ── membership actions (each one signed control entry) ──────────────────

  /** Founds the board: the genesis that makes this device its founder. `nonce` hashes with this device's key to the board id. */
  async found(name: string, nonce: Uint8Array, membersMayInvite = true): Promise<void> {
    await this.#tasks.run(() => this.#actions.found(name, nonce, membersMayInvite))
  }

  /**
   * Turns a board from before membership into one with membership: the
   * founder's genesis lists everyone who had joined, as this device knows them.
   */
  async convert(): Promise<void> {
    await this.#tasks.run(() => this.#actions.convert())
  }

  /** Creates an invitation; the secret goes into the invite link and nowhere else. */
  async invite(opts: InviteOptions): Promise<void> {
    await this.#tasks.run(() => this.#actions.invite(opts))
  }

  async revoke(inviteId: string): Promise<void> {
    await this.#tasks.run(() => this.#actions.revoke(inviteId))
  }

  /** Lets a newcomer in: the signed admission, and the board's keys sealed to the newcomer's X25519 key. */
  async admit(requestHash: string): Promise<void> {
    const refused = await this.#tasks.run(() => this.#actions.admit(requestHash))
    if (refused) throw new AdmissionRefused(refused)
  }

  async refuse(requestHash: string): Promise<void> {
    await this.#tasks.run(() => this.#actions.refuse(requestHash))
  }

  /**
   * Removes devices (all of a member's, or one) and rotates the board's keys:
   * a new content key and a new transport secret (a new room), sealed to every
   * remaining device. Each removed device's cutoff is the last of its entries
   * this device accepted: whatever it signs after that is void everywhere.
   */
  async remove(devices: readonly string[]): Promise<void> {
    await this.#tasks.run(() => this.#actions.remove(devices))
  }

  /** A new epoch without removing anyone (after a concurrent rotation left a removed device holding the key). */
  async rekey(): Promise<void> {
    await this.#tasks.run(() => this.#actions.rekey())
  }

  async setRole(member: string, role: Role): Promise<void> {
    await this.#tasks.run(() => this.#actions.setRole(member, role))
  }

  async setMembersMayInvite(value: boolean): Promise<void> {
    await this.#tasks.run(() => this.#actions.setMembersMayInvite(value))
  }

  /** A newcomer asks to be let in: its keys and name, proven with the invitation key, readable by members only. */
  async request(name: string, invitation: Invitation): Promise<void> {
    await this.#tasks.run(() => this.#actions.request(name, invitation))
  }

  /** Writes this device's profile (its name on the board) unless it already shows that name. */
  async join(name: string): Promise<void> {
    await this.#tasks.run(() => this.#actions.join(name))
  }

  /** Seals a legacy (pre-sealed-boards) board state, so every member's migration yields the same items. */
  async importLegacy(state: Uint8Array): Promise<void> {
    await this.#tasks.run(async () => {
      applyParked(this.#pump.readable, [state], SEALED_ORIGIN)
      await this.#own.seal('legacy', state, { speculative: true })
    })
  }

  /** Compacts this device's entries now, as its quiet compaction does: its history written again whole if that changes it. */
  async compactNow(): Promise<void> {
    await this.#tasks.run(async () => void (await this.#own.compact({ fold: true })))
  }

  // ── wiring ───────────────────────────────────────────────────────────────

  /** Keys sent to this device (a welcome, a rotation) or made by it (its own rotation). */
  async #takeGift(gift: KeyGift, source: KeySource | null): Promise<void> {
    let added = false
    for (const [i, k] of gift.contentKeys.entries()) added = (await this.keys.addContentKey(k, i === gift.contentKeys.length - 1 ? gift.transport : null)) || added
    if (gift.contentKeys.length === 0) {
      // A relay's gift: only a transport secret. It may already hold it (its invite carried it), so it is told every time.
      await this.keys.addPublicKey(gift.transport as TransportSecret)
      added = true
      if (this.#opts.carrier) await this.#carrier.readUnread()
    }
    if (added) for (const l of this.#listeners.keys) l(gift, source)
  }

  /**
   * A peer's piece of a sync is applied to the sealed doc in the task that
   * checks its entries after: the task's slice begins with the apply (which
   * takes 10–45 ms for a 256 KiB piece on a joining peer), so the checks
   * that follow go on in a task of their own once it is spent.
   */
  readonly #beginSlice = (tr: Y.Transaction): void => {
    if (tr.origin !== SEALED_ORIGIN) sliceEnds()
  }

  readonly #onSealedTransaction = (tr: Y.Transaction): void => {
    const seen = this.#admission.seen(tr)
    if (seen)
      void this.#tasks.run(async () => {
        await this.#admission.ingest(seen)
        this.#scheduleVerdictSave()
      })
  }

  // ── verdicts kept across openings (verdicts.ts) ──────────────────────────

  #scheduleVerdictSave(): void {
    this.#kept.schedule(() => void this.#tasks.run(() => this.saveVerdicts()))
  }

  /** Keeps every verdict that applied an update (if any was reached since the last save), with the circle's decreases they were reached under. */
  async saveVerdicts(): Promise<void> {
    await this.#kept.save(() => {
      const entries = new Map<string, KeptVerdict>()
      for (const log of this.#logs.values()) {
        for (const d of log.done.values()) {
          if (d.outcome === 'applied' && d.judgedWith !== undefined && d.entry.header.kind !== 'legacy') entries.set(d.hash, { judgedWith: d.judgedWith, range: d.range ?? null })
        }
      }
      return { signature: decreasesSignature(this.circle), entries }
    })
  }

  #notifyCircle(): void {
    for (const l of this.#listeners.circle) l()
  }
}
