import { deviceTag, fromBase64url, keyId, openLockbox, toBase64url, type EntryCrypto, type EntryKind, type KeyAgreement } from '../crypto/index.ts'
import type { Verified } from './author-log.ts'
import type { Circle } from './circle.ts'
import type { Rejection } from './diagnostics.ts'
import type { BoardKeys } from './keys.ts'
import { sameBytes } from './screen.ts'
import { Slices } from './yield.ts'
import { decodeGift, decodeRequest, decodeRotate, decodeWelcome, lockboxContext, requestProofMessage, type KeyGift } from './payloads.ts'

/** Where keys came from: the key id (base64url) that sealed the welcome or rotation, and for a rotation the epoch it leads out of. */
export interface KeySource {
  readonly kind: 'welcome' | 'rotate'
  readonly sealedUnder: string
  readonly from: string | null
}

/** What settling a request, welcome or rotation needs from the engine. */
export interface SideContext {
  readonly boardId: Uint8Array
  readonly agreement: KeyAgreement
  readonly myTag: string
  /** A relay: it cannot read membership and takes every rotation sealed to its key. */
  readonly carrier: boolean
  readonly circle: Circle
  readonly keys: BoardKeys
  /** Where a request's invitation proof is checked (the engine's entry crypto: a worker's, on a page). */
  readonly crypto: Pick<EntryCrypto, 'verify'>
  /** The hash of this device's own request (its first entry), once handled. */
  ownRequest(): string | undefined
  /** Whether this device asked and its request is not handled yet (it is in its turn, once its admission is known). */
  ownRequestWaiting(): boolean
  takeGift(gift: KeyGift, source: KeySource): Promise<void>
  /** Whether a welcome's keys are the board's own (welcome-check.ts); null: not known yet. */
  welcomeIsTheBoards(gift: KeyGift, sealedUnder: Uint8Array): Promise<boolean | null>
  reject(reason: Rejection, key: string, author: string, detail: string): void
  now(): number
}

async function openGift(lockboxes: Parameters<typeof openLockbox>[0], agreement: KeyAgreement, context: Uint8Array): Promise<KeyGift | null> {
  const gift = await openLockbox(lockboxes, agreement, context)
  return gift ? decodeGift(gift) : null
}

/** Kinds whose meaning does not depend on their author's earlier entries: looked at as soon as they can be read. */
const SIDE_KINDS = new Set<EntryKind>(['request', 'welcome', 'rotate'])
/** The order `settle` looks at them in: what gives this device keys before what only the circle's admitters need. */
const SETTLE_ORDER: Partial<Record<EntryKind, number>> = { welcome: 0, rotate: 1, request: 2 }

/**
 * Requests, welcomes and rotations are looked at once what they depend on is
 * known (an invitation, this device's own request, a valid membership
 * change), not in their author's turn: a newcomer's keys arrive in a welcome
 * that comes after entries it can read only with those keys. Until then they
 * wait, and are looked at again each time the circle changes; each is
 * settled once.
 */
export class SideEntries {
  readonly #ctx: SideContext
  /** Requests, welcomes and rotations waiting for what they depend on. */
  readonly #awaiting = new Map<string, Verified>()
  /** Hashes of requests, welcomes and rotations already looked at. */
  readonly #settled = new Set<string>()
  /** Whether a welcome or rotation came to wait since the last look. */
  #fresh = false
  /** Each waiting entry's author tag, worked out once (decided requests wait, and are looked at again at every run's end). */
  readonly #tags = new WeakMap<Verified, string>()

  constructor(ctx: SideContext) {
    this.#ctx = ctx
  }

  isSettled(hash: string): boolean {
    return this.#settled.has(hash)
  }

  /** A request, welcome or rotation that can be read waits for its look, unless it had it. Other entries are passed over. */
  wait(v: Verified): void {
    if (v.plain && SIDE_KINDS.has(v.entry.header.kind) && !this.#settled.has(v.hash) && this.#awaiting.get(v.key) !== v) {
      this.#awaiting.set(v.key, v)
      if (v.entry.header.kind !== 'request') this.#fresh = true
    }
  }

  /**
   * Whether a welcome or rotation came to wait since the last look: the pump
   * looks at once (a newcomer's keys must not wait for a quiet moment).
   * Requests wait for the end of the pump's run: only the circle's admitters
   * need them, and by then the circle is known, so a request it already
   * decided is not checked at all (settleSideEntry).
   */
  get fresh(): boolean {
    return this.#fresh
  }

  /**
   * Looks at every waiting entry with the circle as it now stands (keys to
   * take, requests to check; `keysOnly`: welcomes and rotations only).
   * Returns whether any was settled.
   */
  async settle(keysOnly = false): Promise<boolean> {
    this.#fresh = false
    let changed = false
    // Keys first: a newcomer's welcome is what lets it read anything, and a large board brings it dozens of
    // old requests, each a signature to check if it is still open. Those go after, in slices rather than one long task.
    const slices = new Slices()
    const waiting = [...this.#awaiting].filter(([, v]) => !keysOnly || v.entry.header.kind !== 'request')
    const order = waiting.sort(([, a], [, b]) => SETTLE_ORDER[a.entry.header.kind]! - SETTLE_ORDER[b.entry.header.kind]!)
    for (const [key, v] of order) {
      await slices.breathe()
      if (this.#awaiting.get(key) !== v) continue
      let tag = this.#tags.get(v)
      if (tag === undefined) this.#tags.set(v, (tag = deviceTag(v.entry.header.author)))
      if (await settleSideEntry(this.#ctx, v, tag)) {
        this.#awaiting.delete(key)
        this.#settled.add(v.hash)
        changed = true
      }
    }
    return changed
  }
}

/** Returns whether the entry is settled (false: look again when the circle changes). */
async function settleSideEntry(ctx: SideContext, v: Verified, tag: string): Promise<boolean> {
  const h = v.entry.header
  if (!v.plain) return true
  if (h.kind === 'request') {
    // Admitted or refused already (every open of a board reads every request ever made): nothing to show or
    // admit, and its proof is not checked. Looked at again when the circle changes, should that decision be
    // voided: first and cheaply, since such requests wait, and every run of the pump ends with a look.
    if (ctx.circle.requestDecided(v.hash, tag)) return false
    const r = decodeRequest(v.plain)
    if (!r) return true
    const invite = ctx.circle.invites().find((i) => i.id === toBase64url(r.invite))
    if (!invite) return false
    if (!(await ctx.crypto.verify(invite.pub, r.proof, requestProofMessage(ctx.boardId, h.author, r.agree)))) {
      ctx.reject('bad_signature', v.key, tag, 'the invitation proof does not verify')
      return true
    }
    if (!ctx.circle.requests.has(v.hash)) ctx.circle.requests.set(v.hash, { hash: v.hash, tag, sign: h.author, agree: r.agree, name: r.name, invite: invite.id, seenAt: ctx.now() })
    return true
  }
  if (h.kind === 'welcome') {
    const w = decodeWelcome(v.plain)
    if (!w) return true
    const mine = ctx.ownRequest()
    // Read before this device's own request had its turn: whether it answers that request is known only then.
    if (!mine && ctx.ownRequestWaiting()) return false
    if (!mine || w.request !== mine) return true
    const gift = await openGift(w.lockboxes, ctx.agreement, lockboxContext('welcome', ctx.boardId, fromBase64url(w.request)!))
    // Only this device can tell: said, so that someone can be asked to let it in again.
    if (!gift) {
      ctx.reject('left_out', v.key, tag, 'the welcome answering this device’s request holds no lockbox that opens for it')
      return true
    }
    // Anyone who can read the request can answer it: only the board's own keys, for the room it was asked in, are
    // taken. A welcome with no content key is a relay's: for any other device it gives nothing of the board.
    const theBoards = !ctx.carrier && gift.contentKeys.length === 0 ? false : await ctx.welcomeIsTheBoards(gift, h.keyId)
    if (theBoards === null) return false
    if (theBoards) await ctx.takeGift(gift, { kind: 'welcome', sealedUnder: toBase64url(h.keyId), from: null })
    else ctx.reject('bad_payload', v.key, tag, 'a welcome whose keys are not the board’s, or whose room is not the one this device asked in')
    return true
  }
  const r = decodeRotate(v.plain)
  if (!r) return true
  const source: KeySource = { kind: 'rotate', sealedUnder: toBase64url(h.keyId), from: toBase64url(r.parent) }
  if (!ctx.carrier) {
    // A rotation is followed only once its membership change is known to be valid: a removed device cannot lure anyone away.
    if (ctx.keys.hasContentKey(toBase64url(r.key)) || ctx.keys.transport(toBase64url(r.key))) return true
    const m = ctx.circle.membership()
    if (m.verdicts.get(r.control) !== 'ok') return m.verdicts.has(r.control) && m.verdicts.get(r.control) !== 'waiting'
    const epoch = m.epochs.get(toBase64url(r.key))
    if (!epoch || epoch.hash !== r.control || !epoch.recipients.has(ctx.myTag)) return true
  }
  // A carrier cannot read membership: it takes every rotation sealed to its own key, and its owner decides which rooms to follow.
  const gift = await openGift(r.lockboxes, ctx.agreement, lockboxContext('rotate', ctx.boardId, r.key))
  if (gift && !ctx.carrier && !gift.contentKeys.some((k) => sameBytes(keyId(k), r.key))) {
    // A lockbox that opens, holding another key than the one the rotation names: this device is left out as surely
    // as by one that does not open (found by an audit on 2026-12-07: it took the other key, and said nothing).
    ctx.reject('left_out', v.key, tag, 'this device is among the rotation’s recipients, but its lockbox holds another key than the one the rotation names')
    return true
  }
  if (gift) await ctx.takeGift(gift, source)
  // Listed, yet nothing opens: only this device can tell. What is posted from now on stays unreadable here, and so
  // does every later rotation (sealed in rooms whose keys came in this one): it needs a new invitation. Said, with who sealed it.
  else if (!ctx.carrier) ctx.reject('left_out', v.key, tag, 'this device is among the rotation’s recipients, but no lockbox in it opens for it')
  return true
}
