import * as Y from 'yjs'
import type { ContentRules } from './content-rules.ts'
import { ENTRY, FIELD, findFrom, Found, FOUND, LocalStructs, MODERATED, NONE, NOWHERE, place, VOIDED, WAIT, type Kind, type Location } from './places.ts'
import { ANY_REF, borrowColumns, ColumnsReading, DELETED_REF, GC_REF, IS_MAP, LONE_FALSE, returnColumns, sharedColumns, SKIP_REF, TYPE_REF, type UpdateColumns } from './update-reader.ts'

/**
 * Judges one Yjs update of the readable board before it is applied: may the
 * member who signed it make every change it makes? Decided from the decoded
 * update alone — the parent of every new struct (which entry, which field)
 * and every range of its delete set, resolved against structs already in the
 * readable doc, whose place never changes once known. Nothing a writer
 * controls (timestamps, names, the time it arrives) enters the verdict, so
 * every honest device reaches the same one.
 *
 * Rules (see ContentRules): anyone may create entries under their own key;
 * only the owner may change an entry's fields or replace it; only the owner or
 * a moderator may delete it (a deletion of the whole entry takes its fields
 * with it); moderator fields and moderated roots are moderators' alone;
 * nothing may be created anywhere else. One forbidden change refuses the
 * whole update.
 */
export interface Author {
  /** The Yjs client id bound to the author's key (the only one it may write). */
  readonly client: number
  readonly tag: string
  readonly moderator: boolean
  /** Old (version 1) entries created entries under keys that do not name their owner. */
  readonly legacy: boolean
}

export interface AuthorityContext {
  readonly doc: Y.Doc
  readonly rules: ContentRules
  /** Device tag of the member a Yjs client id is bound to, or null. */
  ownerOfClient(client: number): string | null
  /** Whether a struct id lies in a voided range (entries of a removed or equivocating device past its cutoff). */
  isVoid(client: number, clock: number): boolean
}

export interface ClockRange {
  readonly from: number
  readonly to: number
}

/** Why an update is refused that deletes a struct of its own author none of their entries holds (a snapshot so is void: entry-handler.ts). */
export const DELETES_UNHELD = 'deletes a change of its own author that none of their entries holds'

export type RefusalReason = 'foreign_changes' | 'forbidden_edit' | 'forbidden_delete' | 'unknown_type' | 'bad_payload' | 'depends_on_void'

export type Judgement =
  | { readonly kind: 'accept'; readonly range: ClockRange | null; readonly edited: readonly string[] }
  | { readonly kind: 'refuse'; readonly reason: RefusalReason; readonly range: ClockRange | null; readonly detail: string }
  | { readonly kind: 'wait'; readonly client: number; readonly clock: number }

class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly detail: string,
  ) {
    super(detail)
  }
}

export function judgeUpdate(ctx: AuthorityContext, author: Author, update: Uint8Array): Judgement {
  const steps = judging(ctx, author, new ColumnsReading(update, sharedColumns()), Infinity)
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
  }
}

/** Structs read, then placed, between two chances to yield when judging in slices. */
export const JUDGE_STEP_STRUCTS = 2048

/**
 * The same judgement, in slices: between steps of a few thousand structs,
 * `slices.breathe()` lets the page run once its slice is spent, so a large
 * entry (a prolific author's whole history, up to 16 MiB) is judged without
 * one long task on the main thread. The caller makes sure nothing the
 * judgement reads changes meanwhile but what never changes a verdict: this
 * device's own new changes (pump.ts).
 */
export async function judgeUpdateInSlices(ctx: AuthorityContext, author: Author, update: Uint8Array, slices: { breathe(): Promise<void> }): Promise<Judgement> {
  // Columns of its own: a judgement made in between (another board, a compaction) reuses the shared ones.
  const columns = borrowColumns()
  try {
    const steps = judging(ctx, author, new ColumnsReading(update, columns), JUDGE_STEP_STRUCTS)
    for (;;) {
      const r = steps.next()
      if (r.done) return r.value
      await slices.breathe()
    }
  } finally {
    returnColumns(columns)
  }
}

/** The judgement, yielding after every `step` structs read or placed. */
function* judging(ctx: AuthorityContext, author: Author, reading: ColumnsReading, step: number): Generator<void, Judgement, void> {
  try {
    while (!reading.read(step)) yield
  } catch {
    return { kind: 'refuse', reason: 'bad_payload', range: null, detail: 'not a Yjs update' }
  }
  const c = reading.columns
  // The clocks this update uses up under its author's own client (what a placeholder fills if it is refused).
  // In one block (every update Yjs writes) they are all one client's, each struct right after the one before.
  let first = -1
  let last = -1
  if (c.blocks <= 1) {
    if (c.count > 0 && c.client[0] === author.client) {
      first = 0
      last = c.count - 1
    }
  } else {
    for (let i = 0; i < c.count; i++) {
      if (c.client[i] !== author.client) continue
      if (first < 0) first = i
      last = i
    }
  }
  const range = first >= 0 ? { from: c.clock[first]!, to: c.clock[last]! + c.length[last]! } : null
  try {
    return yield* judge(ctx, author, c, range, step)
  } catch (e) {
    if (e instanceof Refusal) return { kind: 'refuse', reason: e.reason, range: range && { from: Math.min(range.from, stateOf(ctx.doc, author.client)), to: range.to }, detail: e.detail }
    throw e
  }
}

const stateOf = (doc: Y.Doc, client: number) => Y.getState(doc.store, client)

/**
 * Who owns each entry key, asked once per key: every field of an entry asks, and the fields of one entry come
 * one after another, so the last key asked about is kept apart. One per judgement, of one class (the judge's
 * calls through it stay monomorphic, update after update).
 */
class Owners {
  readonly #rules: ContentRules
  readonly #known = new Map<string, string | null>()
  #lastKey: string | null = null
  #lastOwner: string | null = null

  constructor(rules: ContentRules) {
    this.#rules = rules
  }

  of(key: string): string | null {
    if (key === this.#lastKey) return this.#lastOwner
    let owner = this.#known.get(key)
    if (owner === undefined) this.#known.set(key, (owner = this.#rules.ownerOf(key)))
    this.#lastKey = key
    this.#lastOwner = owner
    return owner
  }
}

/** What one judgement reads: the context, the author, and the owners found so far. */
interface Judging {
  readonly ctx: AuthorityContext
  readonly author: Author
  readonly owners: Owners
}

function* judge(ctx: AuthorityContext, author: Author, c: UpdateColumns, range: ClockRange | null, step: number): Generator<void, Judgement, void> {
  const { doc } = ctx
  const j: Judging = { ctx, author, owners: new Owners(ctx.rules) }
  // 1. Every struct under the author's own client id, contiguous, with no gap before it — and all of it
  // integrated by Yjs at once, or a struct held back would land later where nobody judged it: Yjs keeps
  // only a client's last block of structs, and holds back whatever comes after a skipped gap.
  if (c.blocks <= 1) {
    // One block: one client's structs, each at the clock after the one before (the reader counts them so).
    if (c.count > 0 && c.client[0] !== author.client) throw new Refusal('foreign_changes', `a struct of client ${c.client[0]}`)
    if (c.skips > 0) throw new Refusal('bad_payload', 'a skipped gap')
  } else {
    let expected = range?.from ?? 0
    for (let i = 0; i < c.count; i++) {
      if (c.client[i] !== author.client) throw new Refusal('foreign_changes', `a struct of client ${c.client[i]}`)
      if (c.clock[i] !== expected) throw new Refusal('bad_payload', 'structs are not contiguous')
      if (c.ref[i] === SKIP_REF) throw new Refusal('bad_payload', 'a skipped gap')
      expected += c.length[i]!
    }
    throw new Refusal('bad_payload', 'more than one block of structs')
  }
  if (range && range.from > stateOf(doc, author.client)) throw new Refusal('bad_payload', 'a gap before its first struct')

  // 2. Where each new struct goes, and whether the author may put it there.
  // The author's clocks this device already has are not new, whatever the update restates about them: Yjs
  // skips those structs and keeps its own, so what builds on them or deletes them is judged where they are.
  const fresh = range && { from: Math.max(range.from, stateOf(doc, author.client)), to: range.to }
  const local = new LocalStructs(c)
  const edited = new Set<string>()
  const placing = new Placing(j, c, fresh, local, edited)
  for (let i = 0; i < c.count; i += step) {
    const waiting = placing.run(i, Math.min(c.count, i + step))
    if (waiting) return waiting
    if (i + step < c.count) yield
  }

  // 3. Everything the update deletes.
  const deletions = deletionsOf(j, c, fresh)
  if (!Array.isArray(deletions)) return deletions
  const deletedEntries = new Set<string>()
  // A struct that restates clocks this device has and runs on past them: Yjs integrates only its new part, next
  // to the stored struct before it, and deletes that struct as the map value it replaces.
  if (fresh && range && fresh.from > range.from && local.inside(fresh.from)) deletions.push(locationOfStored(ctx, author.client, fresh.from - 1))
  for (const loc of deletions) if (loc.kind === ENTRY) deletedEntries.add(loc.key!)
  for (const loc of deletions) mayDelete(j, loc, deletedEntries)
  return { kind: 'accept', range, edited: [...edited] }
}

/**
 * Where the struct (client, clock) is, for a struct at clock `at` of this update, into `found`: one of the
 * update's own (`local`), one stored in the readable doc, or one not here yet (a wait, unless it is void).
 */
function resolve(j: Judging, found: Found, local: LocalStructs, fresh: ClockRange | null, client: number, clock: number, at: number): void {
  if (client === j.author.client && fresh && clock >= fresh.from && clock < fresh.to) {
    // Yjs looks a client's own clocks up as already integrated: one still to come is not there (it throws).
    if (clock >= at) throw new Refusal('bad_payload', 'builds on a later struct of its own')
    local.find(clock, found)
    return
  }
  if (clock >= stateOf(j.ctx.doc, client)) {
    if (j.ctx.isVoid(client, clock)) found.status = VOIDED
    else {
      found.status = WAIT
      found.client = client
      found.clock = clock
    }
    return
  }
  const loc = locationOfStored(j.ctx, client, clock)
  found.set(loc.kind, loc.key, loc.field)
}

/**
 * Step 2 of `judge`: places each of the update's structs (in `local`) and checks the author may write it there;
 * the entries whose fields it edits go into `edited`. Run over the structs in order, in steps.
 */
class Placing {
  /** Clocks of the entries this update creates (all its structs are its author's: step 1). */
  readonly #createdHere = new Set<number>()
  /** Where the struct goes, and (for a struct between two neighbours) where its right neighbour is. */
  readonly #at = new Found()
  readonly #right = new Found()

  readonly #j: Judging
  readonly #c: UpdateColumns
  readonly #fresh: ClockRange | null
  readonly #local: LocalStructs
  readonly #edited: Set<string>

  constructor(j: Judging, c: UpdateColumns, fresh: ClockRange | null, local: LocalStructs, edited: Set<string>) {
    this.#j = j
    this.#c = c
    this.#fresh = fresh
    this.#local = local
    this.#edited = edited
  }

  /** Places structs `from` to `to` (after every one before them); a wait judgement if a struct one builds on is not here yet. */
  run(from: number, to: number): Judgement | null {
    const j = this.#j
    const c = this.#c
    const fresh = this.#fresh
    const local = this.#local
    const edited = this.#edited
    const { rules } = j.ctx
    const author = j.author
    const createdHere = this.#createdHere
    const at = this.#at
    const right = this.#right
    for (let i = from; i < to; i++) {
      const ref = c.ref[i]!
      if (ref === GC_REF) {
        local.place(i, NOWHERE, null, null) // garbage carries no content (step 1 refused skips)
        continue
      }
      const clock = c.clock[i]!
      const parentName = c.parentName[i]!
      const parentClient = c.parentClient[i]!
      const parentSub = c.parentSub[i]!
      const origin = c.originClient[i]! >= 0
      const rightOrigin = c.rightClient[i]! >= 0
      if (parentName !== null) {
        if (parentName === rules.owned) {
          if (parentSub === null) throw new Refusal('unknown_type', 'a list in the owned root')
          at.set(ENTRY, parentSub, null)
        } else if (rules.moderated.includes(parentName)) at.set(MODERATED, parentSub, parentName)
        else throw new Refusal('unknown_type', `an unknown root “${parentName.slice(0, 40)}”`)
      } else if (parentClient >= 0) {
        resolve(j, at, local, fresh, parentClient, c.parentClock[i]!, clock)
        if (at.status === FOUND) {
          if (at.kind !== ENTRY || parentSub === null) throw new Refusal('unknown_type', 'nested below a field')
          at.set(FIELD, at.key, parentSub)
        }
      } else {
        if (origin) resolve(j, at, local, fresh, c.originClient[i]!, c.originClock[i]!, clock)
        else if (rightOrigin) resolve(j, at, local, fresh, c.rightClient[i]!, c.rightClock[i]!, clock)
        else throw new Refusal('unknown_type', 'no parent')
        // Its place is its left neighbour's, but Yjs waits for both neighbours before it integrates it.
        if (origin && rightOrigin && at.status === FOUND) {
          resolve(j, right, local, fresh, c.rightClient[i]!, c.rightClock[i]!, clock)
          if (right.status !== FOUND) at.copy(right)
        }
      }
      if (at.status === WAIT) return { kind: 'wait', client: at.client, clock: at.clock }
      if (at.status === VOIDED) throw new Refusal('depends_on_void', 'builds on a voided change')
      const kind = at.kind
      const key = at.key
      const field = at.field
      local.place(i, kind, key, field)
      // After a garbage-collected struct: Yjs integrates it as garbage too, so it changes nothing.
      if (kind === NOWHERE) continue
      const flags = c.flags[i]!
      checkContent(ref, flags, kind)
      const creation = kind === ENTRY && !origin && !rightOrigin
      if (creation) createdHere.add(clock)
      const inNewEntry = parentClient === author.client && createdHere.has(c.parentClock[i]!)
      mayWrite(j, ref, flags, kind, key, field, creation, inNewEntry)
      if (kind === FIELD && !inNewEntry && !rules.moderatorFields.includes(field!)) edited.add(key!)
    }
    return null
  }
}

/** Step 3 of `judge`: where everything the update deletes is, or a wait judgement if some of it is not here yet. */
function deletionsOf(j: Judging, c: UpdateColumns, fresh: ClockRange | null): Location[] | Judgement {
  const { ctx, author } = j
  const { doc } = ctx
  const deletions: Location[] = []
  for (const [client, ranges] of c.ds) {
    const state = stateOf(doc, client)
    const structs = doc.store.clients.get(client)
    // A client's stored structs follow one another clock by clock: after the first, the next is the one after it,
    // and a later range (Yjs writes them in order) is looked for from there on.
    let index = -1
    for (const r of ranges) {
      const end = r.clock + r.len
      for (let clock = r.clock; clock < end; ) {
        if (client === author.client && fresh && clock >= fresh.from && clock < fresh.to) {
          // Its own new structs were judged as they were written: deleting them again takes back nothing anyone else wrote.
          clock = Math.min(end, fresh.to)
          index = -1
          continue
        }
        if (clock >= state) {
          if (ctx.isVoid(client, clock)) break
          // The author's own clocks come from their own earlier entries, all handled before this one (or from this
          // one): a deletion of one that is not here deletes nothing they wrote, and waiting for it would hold up
          // every later entry of theirs, and everything built on them, for good.
          if (client === author.client) throw new Refusal('forbidden_delete', DELETES_UNHELD)
          return { kind: 'wait', client, clock }
        }
        index = index >= 0 && structs![index]?.id.clock === clock ? index : findFrom(structs!, clock, index)
        const struct = structs![index]!
        if (struct instanceof Y.Item) deletions.push(locationOfItem(ctx, struct))
        clock = struct.id.clock + struct.length
        index++
      }
    }
  }
  return deletions
}

function checkContent(ref: number, flags: number, kind: Kind): void {
  if (ref === DELETED_REF) return
  if (kind === ENTRY) {
    if (ref === TYPE_REF && (flags & IS_MAP) !== 0) return
    throw new Refusal('unknown_type', 'an entry that is not a map')
  }
  if (ref === ANY_REF) return
  throw new Refusal('unknown_type', 'a field that is not a plain value')
}

/** The owner of an owned entry: named by its key, or (older keys) whoever created its first value. */
function ownerOfEntry(j: Judging, key: string, creating: boolean): string | null {
  const named = j.owners.of(key)
  if (named) return named
  const { ctx, author } = j
  const map = ctx.doc.share.get(ctx.rules.owned) as unknown as { _map: Map<string, Y.Item> } | undefined
  let first = map?._map.get(key) ?? null
  while (first?.left) first = first.left as Y.Item
  if (first) return ctx.ownerOfClient(first.id.client)
  return creating && author.legacy ? author.tag : null
}

/** Whether the author may write a struct at this place (`kind` is not nowhere); throws the refusal if not. */
function mayWrite(j: Judging, ref: number, flags: number, kind: Kind, key: string | null, field: string | null, creation: boolean, inNewEntry: boolean): void {
  const { ctx, author } = j
  switch (kind) {
    case ENTRY: {
      if (creation && j.owners.of(key!) === null) {
        // An older key can be created only by an old entry, and never over someone else's entry.
        const owner = ownerOfEntry(j, key!, true)
        if (!author.legacy || owner !== author.tag) throw new Refusal('forbidden_edit', 'creates an entry under a key that is not its own')
        return
      }
      if (ownerOfEntry(j, key!, creation) !== author.tag) throw new Refusal('forbidden_edit', `writes entry ${key!.slice(0, 12)}… of another member`)
      return
    }
    case FIELD: {
      if (ctx.rules.moderatorFields.includes(field!)) {
        if (author.moderator) return
        // An entry's owner writes the field's initial `false` when creating it. In a snapshot, an entry its
        // owner deleted since keeps that write as a tombstone (its value garbage-collected): still the
        // initial write, in the same new entry, and it sets nothing anyone could read.
        const initialFalse = ref === ANY_REF && (flags & LONE_FALSE) !== 0
        const tombstone = ref === DELETED_REF
        if (inNewEntry && (initialFalse || tombstone) && ownerOfEntry(j, key!, true) === author.tag) return
        throw new Refusal('forbidden_edit', `sets “${field}”, which only moderators set`)
      }
      // The fields of an entry this update creates are its creator's (already checked): an older key's entry is not in the doc yet to name one.
      if (ownerOfEntry(j, key!, inNewEntry) !== author.tag) throw new Refusal('forbidden_edit', `edits entry ${key!.slice(0, 12)}… of another member`)
      return
    }
    case MODERATED:
      if (!author.moderator) throw new Refusal('forbidden_edit', `writes ${field}, which only moderators write`)
      return
  }
}

function mayDelete(j: Judging, loc: Location, deletedEntries: Set<string>): void {
  const { ctx, author } = j
  switch (loc.kind) {
    case ENTRY:
      if (author.moderator || ownerOfEntry(j, loc.key!, false) === author.tag) return
      throw new Refusal('forbidden_delete', `deletes entry ${loc.key!.slice(0, 12)}… of another member`)
    case FIELD:
      if (ownerOfEntry(j, loc.key!, false) === author.tag) return
      if (author.moderator && (ctx.rules.moderatorFields.includes(loc.field!) || deletedEntries.has(loc.key!))) return
      throw new Refusal('forbidden_delete', `deletes a field of entry ${loc.key!.slice(0, 12)}… of another member`)
    case MODERATED:
      if (author.moderator) return
      throw new Refusal('forbidden_delete', `deletes from ${loc.field}, which only moderators change`)
    case NOWHERE:
      // Garbage, or a struct outside the board: deleting it changes nothing anyone sees.
      return
  }
}

/** Where the stored struct holding (client, clock) is (below the client's state). */
function locationOfStored(ctx: AuthorityContext, client: number, clock: number): Location {
  const structs = ctx.doc.store.clients.get(client)
  if (!structs) return NONE
  const struct = structs[Y.findIndexSS(structs, clock)]
  return struct instanceof Y.Item ? locationOfItem(ctx, struct) : NONE
}

/** Where an integrated struct sits, from its parent chain (kept for deleted structs: see readable.ts). */
function locationOfItem(ctx: AuthorityContext, item: Y.Item): Location {
  const parent = item.parent as Y.AbstractType<unknown> | null
  if (!parent) return NONE
  const owned = ctx.doc.share.get(ctx.rules.owned)
  if (parent === owned) return item.parentSub === null ? NONE : place(ENTRY, item.parentSub)
  for (const root of ctx.rules.moderated) if (parent === ctx.doc.share.get(root)) return place(MODERATED, item.parentSub, root)
  const holder = parent._item
  if (holder && holder.parent === owned && holder.parentSub !== null && item.parentSub !== null) return place(FIELD, holder.parentSub, item.parentSub)
  return NONE
}
