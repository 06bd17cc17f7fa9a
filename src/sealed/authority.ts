import * as Y from 'yjs'
import type { ContentRules } from './content-rules.ts'
import { ANY_REF, DELETED_REF, GC_REF, IS_MAP, LONE_FALSE, readColumns, SKIP_REF, TYPE_REF, type UpdateColumns } from './update-reader.ts'

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

export type RefusalReason = 'foreign_changes' | 'forbidden_edit' | 'forbidden_delete' | 'unknown_type' | 'bad_payload' | 'depends_on_void'

export type Judgement =
  | { readonly kind: 'accept'; readonly range: ClockRange | null; readonly edited: readonly string[] }
  | { readonly kind: 'refuse'; readonly reason: RefusalReason; readonly range: ClockRange | null; readonly detail: string }
  | { readonly kind: 'wait'; readonly client: number; readonly clock: number }

/** Where a struct sits in the board. */
type Location =
  | { readonly t: 'entry'; readonly key: string }
  | { readonly t: 'field'; readonly key: string; readonly field: string }
  | { readonly t: 'moderated'; readonly root: string; readonly key: string | null }
  | { readonly t: 'none' }

const NONE: Location = { t: 'none' }
const VOID = { t: 'void' } as const

type Resolved = Location | { readonly t: 'wait'; readonly client: number; readonly clock: number } | { readonly t: 'void' } | { readonly t: 'bad'; readonly why: string }

class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly detail: string,
  ) {
    super(detail)
  }
}

export function judgeUpdate(ctx: AuthorityContext, author: Author, update: Uint8Array): Judgement {
  let c: UpdateColumns
  try {
    c = readColumns(update)
  } catch {
    return { kind: 'refuse', reason: 'bad_payload', range: null, detail: 'not a Yjs update' }
  }
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
    return judge(ctx, author, c, range)
  } catch (e) {
    if (e instanceof Refusal) return { kind: 'refuse', reason: e.reason, range: range && { from: Math.min(range.from, stateOf(ctx.doc, author.client)), to: range.to }, detail: e.detail }
    throw e
  }
}

const stateOf = (doc: Y.Doc, client: number) => Y.getState(doc.store, client)

function judge(given: AuthorityContext, author: Author, c: UpdateColumns, range: ClockRange | null): Judgement {
  // Every field of an entry asks who owns it: the key is read once per entry.
  // The fields of one entry come one after another: the last key asked about is kept apart.
  const owners = new Map<string, string | null>()
  let lastKey: string | null = null
  let lastOwner: string | null = null
  const ownerOf = (key: string) => {
    if (key === lastKey) return lastOwner
    let owner = owners.get(key)
    if (owner === undefined) owners.set(key, (owner = given.rules.ownerOf(key)))
    lastKey = key
    lastOwner = owner
    return owner
  }
  const ctx: AuthorityContext = { ...given, rules: { ...given.rules, ownerOf } }
  const { doc } = ctx
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
  const waiting = placeStructs(ctx, author, c, fresh, local, edited)
  if (waiting) return waiting

  // 3. Everything the update deletes.
  const deletions = deletionsOf(ctx, author, c, fresh)
  if (!Array.isArray(deletions)) return deletions
  const deletedEntries = new Set<string>()
  // A struct that restates clocks this device has and runs on past them: Yjs integrates only its new part, next
  // to the stored struct before it, and deletes that struct as the map value it replaces.
  if (fresh && range && fresh.from > range.from && local.inside(fresh.from)) deletions.push(locationOfStored(ctx, Y.createID(author.client, fresh.from - 1)))
  for (const loc of deletions) if (loc.t === 'entry') deletedEntries.add(loc.key)
  for (const loc of deletions) mayDelete(ctx, author, loc, deletedEntries)
  return { kind: 'accept', range, edited: [...edited] }
}

/**
 * Step 2 of `judge`: places each of the update's structs (in `local`) and checks the author may write it there;
 * the entries whose fields it edits go into `edited`. A wait judgement if a struct it builds on is not here yet.
 */
function placeStructs(ctx: AuthorityContext, author: Author, c: UpdateColumns, fresh: ClockRange | null, local: LocalStructs, edited: Set<string>): Judgement | null {
  const { doc, rules } = ctx
  // Clocks of the entries this update creates (all its structs are its author's: step 1).
  const createdHere = new Set<number>()
  /** Where the struct (client, clock) is, for a struct at clock `at` of this update. */
  const resolveId = (client: number, clock: number, at: number): Resolved => {
    if (client === author.client && fresh && clock >= fresh.from && clock < fresh.to) {
      // Yjs looks a client's own clocks up as already integrated: one still to come is not there (it throws).
      if (clock >= at) throw new Refusal('bad_payload', 'builds on a later struct of its own')
      return local.at(clock) ?? NONE
    }
    if (clock >= stateOf(doc, client)) return ctx.isVoid(client, clock) ? VOID : { t: 'wait', client, clock }
    return locationOfStored(ctx, Y.createID(client, clock))
  }
  for (let i = 0; i < c.count; i++) {
    const ref = c.ref[i]!
    if (ref === GC_REF) {
      local.push(undefined) // garbage carries no content (step 1 refused skips)
      continue
    }
    const clock = c.clock[i]!
    const parentName = c.parentName[i]!
    const parentClient = c.parentClient[i]!
    const parentSub = c.parentSub[i]!
    const origin = c.originClient[i]! >= 0
    const rightOrigin = c.rightClient[i]! >= 0
    let loc: Resolved
    if (parentName !== null) {
      if (parentName === rules.owned) loc = parentSub === null ? { t: 'bad', why: 'a list in the owned root' } : { t: 'entry', key: parentSub }
      else if (rules.moderated.includes(parentName)) loc = { t: 'moderated', root: parentName, key: parentSub }
      else loc = { t: 'bad', why: `an unknown root “${parentName.slice(0, 40)}”` }
    } else if (parentClient >= 0) {
      const p = resolveId(parentClient, c.parentClock[i]!, clock)
      if (p.t === 'entry' && parentSub !== null) loc = { t: 'field', key: p.key, field: parentSub }
      else if (p.t === 'wait' || p.t === 'void') loc = p
      else loc = { t: 'bad', why: 'nested below a field' }
    } else {
      loc = origin ? resolveId(c.originClient[i]!, c.originClock[i]!, clock) : rightOrigin ? resolveId(c.rightClient[i]!, c.rightClock[i]!, clock) : { t: 'bad', why: 'no parent' }
      // Its place is its left neighbour's, but Yjs waits for both neighbours before it integrates it.
      if (origin && rightOrigin && loc.t !== 'wait' && loc.t !== 'void') {
        const right = resolveId(c.rightClient[i]!, c.rightClock[i]!, clock)
        if (right.t === 'wait' || right.t === 'void') loc = right
      }
    }
    if (loc.t === 'wait') return { kind: 'wait', client: loc.client, clock: loc.clock }
    if (loc.t === 'void') throw new Refusal('depends_on_void', 'builds on a voided change')
    if (loc.t === 'bad') throw new Refusal('unknown_type', loc.why)
    local.push(loc)
    // After a garbage-collected struct: Yjs integrates it as garbage too, so it changes nothing.
    if (loc.t === 'none') continue
    checkContent(ref, c.flags[i]!, loc)
    const creation = loc.t === 'entry' && !origin && !rightOrigin
    if (creation) createdHere.add(clock)
    const inNewEntry = parentClient === author.client && createdHere.has(c.parentClock[i]!)
    mayWrite(ctx, author, ref, c.flags[i]!, loc, creation, inNewEntry)
    if (loc.t === 'field' && !inNewEntry && !rules.moderatorFields.includes(loc.field)) edited.add(loc.key)
  }
  return null
}

/** Step 3 of `judge`: where everything the update deletes is, or a wait judgement if some of it is not here yet. */
function deletionsOf(ctx: AuthorityContext, author: Author, c: UpdateColumns, fresh: ClockRange | null): Location[] | Judgement {
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

/**
 * The index of the stored struct holding `clock` (below the client's state), searched for from `hint` on when
 * the struct there starts at or before it: steps doubling until past it, then halving. Anything else, as Yjs does.
 */
function findFrom(structs: readonly (Y.Item | Y.GC)[], clock: number, hint: number): number {
  if (hint < 0 || hint >= structs.length || structs[hint]!.id.clock > clock) return Y.findIndexSS(structs as (Y.Item | Y.GC)[], clock)
  let lo = hint
  let step = 1
  while (lo + step < structs.length && structs[lo + step]!.id.clock <= clock) {
    lo += step
    step *= 2
  }
  // structs[lo] starts at or before the clock; the one at lo + step (if any) after it.
  let hi = Math.min(lo + step, structs.length) - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (structs[mid]!.id.clock <= clock) lo = mid
    else hi = mid - 1
  }
  return lo
}

/**
 * Where the update's own Items go, found by any clock inside them. Its structs are contiguous (step 1), so a
 * clock's struct is found in one step by its offset from the first — unless a few structs span many clocks
 * (garbage can claim any length), where a binary search over the structs finds it.
 */
class LocalStructs {
  readonly #c: UpdateColumns
  readonly #locs: (Location | undefined)[]
  #placed = 0
  readonly #from: number
  readonly #to: number
  /** The index of the struct holding each clock from `#from`, when that table is small. */
  readonly #indexOf: Int32Array | null

  constructor(c: UpdateColumns) {
    this.#c = c
    // One slot per struct, made at once: pushing tens of thousands one by one regrows the array again and again.
    this.#locs = new Array<Location | undefined>(c.count).fill(undefined)
    const last = c.count - 1
    this.#from = c.count > 0 ? c.clock[0]! : 0
    this.#to = c.count > 0 ? c.clock[last]! + c.length[last]! : 0
    const clocks = this.#to - this.#from
    this.#indexOf = clocks <= 4 * c.count + 64 ? new Int32Array(clocks) : null
    if (this.#indexOf) {
      for (let i = 0; i < c.count; i++) {
        const start = c.clock[i]! - this.#from
        const end = start + c.length[i]!
        for (let k = start; k < end; k++) this.#indexOf[k] = i
      }
    }
  }

  /** Places the next of the update's structs (garbage as undefined): each in order, once. */
  push(loc: Location | undefined): void {
    this.#locs[this.#placed++] = loc
  }

  /** The place of the Item holding `clock`; undefined for garbage (or a struct not placed). */
  at(clock: number): Location | undefined {
    const i = this.#indexAt(clock)
    return i < 0 ? undefined : this.#locs[i]
  }

  /** Whether `clock` lies inside one of the update's structs, not at its start. */
  inside(clock: number): boolean {
    const i = this.#indexAt(clock)
    return i >= 0 && this.#c.clock[i]! < clock
  }

  #indexAt(clock: number): number {
    if (clock < this.#from || clock >= this.#to) return -1
    if (this.#indexOf) return this.#indexOf[clock - this.#from]!
    const c = this.#c
    let lo = 0
    let hi = c.count - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (clock < c.clock[mid]!) hi = mid - 1
      else if (clock >= c.clock[mid]! + c.length[mid]!) lo = mid + 1
      else return mid
    }
    return -1
  }
}

function checkContent(ref: number, flags: number, loc: Location): void {
  if (ref === DELETED_REF) return
  if (loc.t === 'entry') {
    if (ref === TYPE_REF && (flags & IS_MAP) !== 0) return
    throw new Refusal('unknown_type', 'an entry that is not a map')
  }
  if (ref === ANY_REF) return
  throw new Refusal('unknown_type', 'a field that is not a plain value')
}

/** The owner of an owned entry: named by its key, or (older keys) whoever created its first value. */
function ownerOfEntry(ctx: AuthorityContext, key: string, author: Author, creating: boolean): string | null {
  const named = ctx.rules.ownerOf(key)
  if (named) return named
  const map = ctx.doc.share.get(ctx.rules.owned) as unknown as { _map: Map<string, Y.Item> } | undefined
  let first = map?._map.get(key) ?? null
  while (first?.left) first = first.left as Y.Item
  if (first) return ctx.ownerOfClient(first.id.client)
  return creating && author.legacy ? author.tag : null
}

function mayWrite(ctx: AuthorityContext, author: Author, ref: number, flags: number, loc: Exclude<Location, { t: 'none' }>, creation: boolean, inNewEntry: boolean): void {
  switch (loc.t) {
    case 'entry': {
      if (creation && ctx.rules.ownerOf(loc.key) === null) {
        // An older key can be created only by an old entry, and never over someone else's entry.
        const owner = ownerOfEntry(ctx, loc.key, author, true)
        if (!author.legacy || owner !== author.tag) throw new Refusal('forbidden_edit', 'creates an entry under a key that is not its own')
        return
      }
      if (ownerOfEntry(ctx, loc.key, author, creation) !== author.tag) throw new Refusal('forbidden_edit', `writes entry ${loc.key.slice(0, 12)}… of another member`)
      return
    }
    case 'field': {
      if (ctx.rules.moderatorFields.includes(loc.field)) {
        if (author.moderator) return
        // An entry's owner writes the field's initial `false` when creating it. In a snapshot, an entry its
        // owner deleted since keeps that write as a tombstone (its value garbage-collected): still the
        // initial write, in the same new entry, and it sets nothing anyone could read.
        const initialFalse = ref === ANY_REF && (flags & LONE_FALSE) !== 0
        const tombstone = ref === DELETED_REF
        if (inNewEntry && (initialFalse || tombstone) && ownerOfEntry(ctx, loc.key, author, true) === author.tag) return
        throw new Refusal('forbidden_edit', `sets “${loc.field}”, which only moderators set`)
      }
      // The fields of an entry this update creates are its creator's (already checked): an older key's entry is not in the doc yet to name one.
      if (ownerOfEntry(ctx, loc.key, author, inNewEntry) !== author.tag) throw new Refusal('forbidden_edit', `edits entry ${loc.key.slice(0, 12)}… of another member`)
      return
    }
    case 'moderated':
      if (!author.moderator) throw new Refusal('forbidden_edit', `writes ${loc.root}, which only moderators write`)
      return
  }
}

function mayDelete(ctx: AuthorityContext, author: Author, loc: Location, deletedEntries: Set<string>): void {
  switch (loc.t) {
    case 'entry':
      if (author.moderator || ownerOfEntry(ctx, loc.key, author, false) === author.tag) return
      throw new Refusal('forbidden_delete', `deletes entry ${loc.key.slice(0, 12)}… of another member`)
    case 'field':
      if (ownerOfEntry(ctx, loc.key, author, false) === author.tag) return
      if (author.moderator && (ctx.rules.moderatorFields.includes(loc.field) || deletedEntries.has(loc.key))) return
      throw new Refusal('forbidden_delete', `deletes a field of entry ${loc.key.slice(0, 12)}… of another member`)
    case 'moderated':
      if (author.moderator) return
      throw new Refusal('forbidden_delete', `deletes from ${loc.root}, which only moderators change`)
    case 'none':
      // Garbage, or a struct outside the board: deleting it changes nothing anyone sees.
      return
  }
}

function locationOfStored(ctx: AuthorityContext, id: Y.ID): Location {
  const structs = ctx.doc.store.clients.get(id.client)
  if (!structs) return { t: 'none' }
  const struct = structs[Y.findIndexSS(structs, id.clock)]
  return struct instanceof Y.Item ? locationOfItem(ctx, struct) : { t: 'none' }
}

/** Where an integrated struct sits, from its parent chain (kept for deleted structs: see readable.ts). */
function locationOfItem(ctx: AuthorityContext, item: Y.Item): Location {
  const parent = item.parent as Y.AbstractType<unknown> | null
  if (!parent) return { t: 'none' }
  const owned = ctx.doc.share.get(ctx.rules.owned)
  if (parent === owned) return item.parentSub === null ? { t: 'none' } : { t: 'entry', key: item.parentSub }
  for (const root of ctx.rules.moderated) if (parent === ctx.doc.share.get(root)) return { t: 'moderated', root, key: item.parentSub }
  const holder = parent._item
  if (holder && holder.parent === owned && holder.parentSub !== null && item.parentSub !== null) return { t: 'field', key: holder.parentSub, field: item.parentSub }
  return { t: 'none' }
}
