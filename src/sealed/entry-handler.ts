import * as Y from 'yjs'
import { boundClientId, fromBase64url, legacyBoundClientId, toBase64url } from '../crypto/index.ts'
import { DELETES_UNHELD, judgeUpdate, judgeUpdateInSlices, type Author, type AuthorityContext, type Judgement } from './authority.ts'
import { judgeLegacy } from './legacy-judge.ts'
import { CONTENT_KINDS, type AuthorLog, type AuthorLogs, type Done, type Outcome, type Verified } from './author-log.ts'
import type { Circle } from './circle.ts'
import type { ContentRules } from './content-rules.ts'
import type { Rejection } from './diagnostics.ts'
import { entryKey } from './entry-key.ts'
import { decodeControl } from './membership/ops.ts'
import type { ControlEntry } from './membership/state.ts'
import { SEALED_ORIGIN } from './origins.ts'
import { headsBeforeOwnLater, restates } from './late-entries.ts'
import { decodeContent } from './payloads.ts'
import { placeholderUpdate } from './placeholder.ts'
import { decodeJoin } from './profile.ts'
import type { SideEntries } from './side-entries.ts'
import { holdsBack, type KeptVerdicts } from './verdicts.ts'
import { Slices } from './yield.ts'

/**
 * What became of an entry in its turn: 'wait' leaves it (and its author's
 * later entries) for later; 'circle' is done and changed the circle; 'judge'
 * leaves it, too large to judge in this task, for `judgeAside` first.
 */
export type Step = 'wait' | 'done' | 'circle' | 'judge'

/**
 * A content update larger than this is judged in slices, outside the pump's
 * transaction (`judgeAside`), then handled with that judgement: about 1 ms
 * of judging on a laptop, and a whole history can be 16 MiB.
 */
export const JUDGE_IN_SLICES_FROM = 64 * 1024

/** An entry to judge in slices, and what it is judged with. */
interface ToJudge {
  readonly key: string
  readonly judgedWith: string
  readonly author: Author
  readonly update: Uint8Array
}

/** A judgement made in slices, good for its entry while the readable doc is the one it was made against and no entry was handled since. */
interface JudgedAside {
  readonly judgedWith: string
  readonly doc: Y.Doc
  readonly handled: number
  readonly judgement: Judgement
}

/** What handling one entry needs from the engine. */
export interface EntryHandlerContext {
  /** This device's tag: its own content entries keep their payloads once handled (compaction rewrites them). */
  readonly myTag: string
  readonly circle: Circle
  readonly logs: AuthorLogs
  readonly rules: ContentRules
  /** Whether `legacy` entries (a whole pre-sealed-boards doc) are accepted. */
  readonly allowLegacy: boolean
  readonly side: SideEntries
  /** Verdicts this device reached before, believed while the board opens. */
  readonly kept: KeptVerdicts
  /** The readable doc being built (a rebuild replaces it). */
  readable(): Y.Doc
  /** Applies an accepted entry's update to the readable doc (a large one in parts, the rest before the next entry: pump.ts). */
  apply(update: Uint8Array): void
  reject(reason: Rejection, key: string, author: string | null, detail?: string | null): void
  /** Removes from the shared map an entry that is invalid for everyone alike. */
  collect(key: string, value: unknown): void
  /** The entry has left the queue: a report that it waited goes. */
  settle(key: string): void
  /** A verdict already given may be wrong now: the readable doc is to be built again. */
  rebuild(): void
}

/**
 * One entry, in its author's turn, inside the pump's transaction on the
 * readable doc. It decides what becomes of it: a profile or a membership
 * change feeds the circle; a request, welcome or rotation waits for what it
 * depends on (side-entries.ts); content is judged against its author's
 * rights at the heads it names (authority.ts) and applied, or refused as a
 * whole with its clocks filled (placeholder.ts); an entry past its author's
 * cutoff, or that does not decrypt, is void. Once a removed device's
 * entries up to its cutoff are handled, its later Yjs clocks are void.
 */
export class EntryHandler {
  readonly #ctx: EntryHandlerContext
  readonly #clients = new Map<string, number>()
  /** Request keys of invitations read in this round, imported before the next. */
  readonly #requestKeys: Uint8Array[] = []
  /**
   * How many entries this handler has handled: whatever can change a verdict (the readable doc, a cutoff that
   * voids, a member let in) comes with one. An entry that waits is not handled.
   */
  #handled = 0
  #toJudge: ToJudge | null = null
  /**
   * Judgements made in slices, by entry key. One is used once; one that waits is kept while nothing is handled,
   * so large entries waiting on what has not come are not judged again round after round (two of them would
   * otherwise take turns for ever, each judged aside while the other waits).
   */
  readonly #asides = new Map<string, JudgedAside>()

  constructor(ctx: EntryHandlerContext) {
    this.#ctx = ctx
  }

  /** The request keys of invitations read since last asked. */
  takeRequestKeys(): Uint8Array[] {
    return this.#requestKeys.splice(0)
  }

  /** One entry, in its turn. 'wait' leaves it (and its author's later entries) for later. */
  handle(tag: string, log: AuthorLog, v: Verified): Step {
    const { circle } = this.#ctx
    const h = v.entry.header
    // `advance` false: the entry stands for nothing (a void snapshot), and the author's entries it would cover are still to handle.
    const finish = (outcome: Outcome, extra: Partial<Done> = {}, advance = true): 'done' => {
      this.#handled++
      log.pending.delete(v.key)
      this.#ctx.settle(v.key)
      // Others' content is in the readable doc once handled: its payload is let go (as much again as the board's
      // text, outside the JS heap), and decrypted again if the doc is ever rebuilt. This device's own is kept for
      // compaction, and so is what is not content (the circle and the side entries read it again).
      const keep = tag === this.#ctx.myTag || !CONTENT_KINDS.has(h.kind)
      log.done.set(v.key, keep ? { ...v, outcome, ...extra } : { ...v, plain: undefined, outcome, ...extra })
      if (advance) log.frontier = Math.max(log.frontier, h.seq)
      this.#markVoidFrom(tag, log)
      return 'done'
    }
    const cutoff = circle.cutoffOf(tag)
    if (cutoff !== null && h.seq > cutoff && h.kind !== 'control') {
      this.#ctx.reject(circle.equivocators.has(tag) ? 'equivocation' : 'removed_author', v.key, tag)
      this.#ctx.collect(v.key, v.bytes)
      return finish('void')
    }
    if (v.plain === undefined) {
      // A welcome or rotation sealed in a room whose key this device does
      // not hold decides nothing in its author's turn (it is looked at apart,
      // side-entries.ts), and must not hold up the author's later entries: a
      // newcomer is sent every content key but only the current room's
      // secret, and the lockboxes its inviter sealed in earlier rooms come
      // before its own admission. A gift brings a room's secret only with
      // that room's newest key, so a room this device lacks now does not come
      // later for lockboxes it could use.
      if (h.kind === 'welcome' || h.kind === 'rotate') return finish('other')
      return 'wait'
    }
    if (v.plain === null) {
      this.#ctx.reject('decrypt_failed', v.key, tag)
      this.#ctx.collect(v.key, v.bytes)
      return finish('void')
    }
    switch (h.kind) {
      case 'join': {
        const join = decodeJoin(v.plain)
        if (!join) {
          this.#ctx.reject('bad_payload', v.key, tag, 'not a profile')
          return finish('void')
        }
        if (circle.collides(tag, h.author)) {
          // Its key was ground to write under a member's Yjs client id.
          this.#ctx.reject('not_member', v.key, tag, 'its Yjs client id equals a member’s')
          return finish('void')
        }
        circle.addProfile(tag, h.author, h.seq, join, fromBase64url(join.agree)!)
        finish('other')
        return 'circle'
      }
      case 'control': {
        const control = decodeControl(v.plain)
        if (!control) {
          this.#ctx.reject('bad_payload', v.key, tag, 'not a membership change')
          return finish('void')
        }
        const entry: ControlEntry = { hash: v.hash, author: tag, authorKey: h.author, seq: h.seq, parents: control.parents.map(toBase64url), op: control.op }
        if (control.op.t === 'invite') this.#requestKeys.push(control.op.requestKey)
        circle.addControl(entry)
        finish('other')
        return 'circle'
      }
      case 'request':
      case 'welcome':
      case 'rotate':
        this.#ctx.side.wait(v)
        return finish('other')
      default:
        return this.#handleContent(tag, log, v, finish)
    }
  }

  #handleContent(tag: string, log: AuthorLog, v: Verified, finish: (o: Outcome, extra?: Partial<Done>, advance?: boolean) => 'done'): 'wait' | 'done' | 'judge' {
    const { circle } = this.#ctx
    const h = v.entry.header
    if (h.kind === 'legacy' && !this.#ctx.allowLegacy) {
      this.#ctx.reject('foreign_changes', v.key, tag, 'a whole old board, on a board that never had one')
      this.#ctx.collect(v.key, v.bytes)
      return finish('void')
    }
    const content = h.version === 1 || h.kind === 'legacy' ? { heads: null, update: v.plain! } : decodeContent(v.plain!)
    if (!content) {
      this.#ctx.reject('bad_payload', v.key, tag)
      return finish('void')
    }
    if (!circle.knows(tag)) return 'wait'
    let rights = circle.rightsAt(tag, h.seq, content.heads)
    if (rights.kind === 'wait' && content.heads) {
      const before = headsBeforeOwnLater(log, h.seq, content.heads)
      if (before) rights = circle.rightsAt(tag, h.seq, before)
    }
    if (rights.kind === 'wait') return 'wait'
    const judgedWith = `${rights.active}/${rights.moderator}`
    if (!rights.active) {
      this.#ctx.reject('not_member', v.key, tag)
      return finish('refused', { heads: content.heads, judgedWith, range: null })
    }
    const version1 = h.version === 1
    const author: Author = {
      client: version1 || h.kind === 'legacy' ? legacyBoundClientId(h.author) : this.#clientOf(tag, h.author),
      tag,
      moderator: rights.moderator,
      legacy: version1 || h.kind === 'legacy',
    }
    const { kept: verdicts } = this.#ctx
    const kept = h.kind === 'legacy' ? undefined : verdicts.for(v.hash, judgedWith)
    // Never judged against a doc that holds back part of what it was given (verdicts.ts).
    if (!kept && verdicts.active && holdsBack(this.#ctx.readable())) return 'wait'
    const judgement =
      h.kind === 'legacy'
        ? judgeLegacy(this.#ctx.rules, content.update)
        : kept
          ? ({ kind: 'accept', range: kept.range, edited: [] } as const)
          : this.#judge(v.key, judgedWith, author, content.update)
    if (judgement === null) return 'judge'
    if (judgement.kind === 'wait') return 'wait'
    if (!kept && h.kind !== 'legacy') verdicts.judged()
    if (h.kind === 'snapshot' && judgement.kind === 'accept' && h.seq <= log.frontier && !restates(log, v, judgement.range, content.update, author.client, this.#ctx.readable().store)) {
      // Over entries this device handled, a snapshot only says again what they did. One that adds to them was signed
      // since (a removed or demoted author numbers it under their cutoff, and names the heads they had then, to write
      // with rights they lost): it is void, and the entries it would stand for stay.
      this.#ctx.reject('forbidden_edit', v.key, tag, 'a snapshot that adds to the entries it stands for')
      this.#ctx.collect(v.key, v.bytes)
      return finish('void', {}, false)
    }
    if (h.kind === 'snapshot' && judgement.kind === 'refuse' && judgement.detail === DELETES_UNHELD) {
      // It does not hold what the entries it covers wrote (the struct it deletes is theirs): standing for them, it would
      // leave their clocks unknown here, and everything built on them waiting. Void: those entries are handled instead.
      this.#ctx.reject(judgement.reason, v.key, tag, judgement.detail)
      this.#ctx.collect(v.key, v.bytes)
      return finish('void', {}, false)
    }
    if (h.kind === 'snapshot') {
      // A snapshot stands for the entries it covers, whatever became of them.
      for (let seq = h.from; seq <= h.seq; seq++) {
        for (const d of log.done.startingAt(seq)) if (d.key !== v.key && d.entry.header.seq <= h.seq && CONTENT_KINDS.has(d.entry.header.kind)) log.done.delete(d.key)
      }
    }
    if (judgement.kind === 'refuse') {
      this.#ctx.reject(judgement.reason, v.key, tag, judgement.detail)
      if (v.speculative) this.#ctx.rebuild()
      else if (judgement.range && judgement.range.to > judgement.range.from) Y.applyUpdate(this.#ctx.readable(), placeholderUpdate(author.client, judgement.range.from, judgement.range.to), SEALED_ORIGIN)
      return finish('refused', { heads: content.heads, judgedWith, range: judgement.range })
    }
    if (!v.speculative) this.#ctx.apply(content.update)
    return finish('applied', { heads: content.heads, judgedWith, range: judgement.range })
  }

  /**
   * The judgement of a content entry in its turn: a small update's now; a
   * large one's only if `judgeAside` made it with the same rights, against
   * the readable doc as it still stands, with no entry handled since, or
   * null (the pump calls `judgeAside`, then comes back).
   */
  #judge(key: string, judgedWith: string, author: Author, update: Uint8Array): Judgement | null {
    const aside = this.#asides.get(key)
    if (aside) {
      const good = aside.judgedWith === judgedWith && aside.doc === this.#ctx.readable() && aside.handled === this.#handled
      if (!good || aside.judgement.kind !== 'wait') this.#asides.delete(key)
      if (good) return aside.judgement
    }
    if (update.length < JUDGE_IN_SLICES_FROM) return judgeUpdate(this.#authority(), author, update)
    this.#toJudge = { key, judgedWith, author, update }
    return null
  }

  /**
   * Judges, in slices, the entry whose turn came with step 'judge', against
   * the readable doc as it stands; the pump then handles that entry again,
   * before anything else changes the doc. What else may change it meanwhile
   * is only this device's own new changes, which never move a struct the
   * judgement has placed.
   */
  async judgeAside(slices: { breathe(): Promise<void> }): Promise<void> {
    const next = this.#toJudge
    this.#toJudge = null
    if (!next) return
    const doc = this.#ctx.readable()
    const handled = this.#handled
    // Those made before an entry was handled, or on a doc since rebuilt, are good for nothing any more.
    for (const [key, a] of this.#asides) if (a.handled !== handled || a.doc !== doc) this.#asides.delete(key)
    const judgement = await judgeUpdateInSlices(this.#authority(), next.author, next.update, slices)
    this.#asides.set(next.key, { judgedWith: next.judgedWith, doc, handled, judgement })
  }

  /**
   * Whether this device's own `update`, sealed as its content entry ending at
   * `seq` on `heads`, would be accepted now — on this device and so on every
   * other. Compaction asks before it seals a snapshot: a snapshot is judged
   * with its author's rights as they are when it is written, and it stands
   * for the entries it covers, so one holding a write the author may no
   * longer make (a moderator since demoted, who renamed the board) would take
   * every one of those entries with it.
   *
   * The judgement is kept for the snapshot's turn (as one made aside is):
   * the same update, judged with the same rights against the same doc with
   * nothing handled since, is not judged twice.
   */
  async admits(tag: string, key: Uint8Array, from: number, seq: number, heads: readonly string[], update: Uint8Array): Promise<boolean> {
    const { circle } = this.#ctx
    const rights = circle.rightsAt(tag, seq, heads)
    if (rights.kind !== 'ok' || !rights.active) return false
    const author: Author = { client: this.#clientOf(tag, key), tag, moderator: rights.moderator, legacy: false }
    const doc = this.#ctx.readable()
    const handled = this.#handled
    // In slices: a snapshot is the author's whole history. It runs in the engine's turn, so nothing but this device's own new changes touches the doc meanwhile.
    const judgement = await judgeUpdateInSlices(this.#authority(), author, update, new Slices())
    if (judgement.kind !== 'accept') return false
    // Good only if nothing was handled meanwhile or since, on this very doc (`#judge` checks when its turn comes).
    this.#asides.set(entryKey({ author: key, kind: 'snapshot', from, seq }), { judgedWith: `${rights.active}/${rights.moderator}`, doc, handled, judgement })
    return true
  }

  /** What the judge reads: the readable doc as it stands, the rules, who owns a client id, and what is void. */
  #authority(): AuthorityContext {
    const { circle } = this.#ctx
    return { doc: this.#ctx.readable(), rules: this.#ctx.rules, ownerOfClient: (c) => circle.ownerOfClient(c), isVoid: (c, clock) => this.#isVoid(c, clock) }
  }

  /** A device's bound Yjs client id (a hash: computed once per device). */
  #clientOf(tag: string, key: Uint8Array): number {
    let client = this.#clients.get(tag)
    if (client === undefined) this.#clients.set(tag, (client = boundClientId(key)))
    return client
  }

  /** Once a device's entries up to its cutoff are all handled, its Yjs clocks from there on are void. */
  #markVoidFrom(tag: string, log: AuthorLog): void {
    const cutoff = this.#ctx.circle.cutoffOf(tag)
    if (cutoff === null || log.frontier < cutoff) return
    const keys = this.#ctx.circle.keysOf(tag)
    if (!keys) return
    for (const client of [boundClientId(keys.sign), legacyBoundClientId(keys.sign)]) {
      if (!log.voidFrom.has(client)) log.voidFrom.set(client, Y.getState(this.#ctx.readable().store, client))
    }
  }

  #isVoid(client: number, clock: number): boolean {
    const tag = this.#ctx.circle.ownerOfClient(client)
    const log = tag ? this.#ctx.logs.get(tag) : undefined
    // Its cutoff may have arrived after its last entry was handled (no entry of it comes any more to mark it).
    if (tag && log) this.#markVoidFrom(tag, log)
    const from = log?.voidFrom.get(client)
    return from !== undefined && clock >= from
  }
}
