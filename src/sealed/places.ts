import * as Y from 'yjs'
import type { UpdateColumns } from './update-reader.ts'

/**
 * Where the judge (authority.ts) finds what an update's structs build on and
 * delete, without an object per struct: places of one shape, the update's
 * own places in columns, one reused answer for a lookup, and the search
 * through a client's stored structs.
 */

/**
 * Where a struct sits in the board: an entry of the owned root (`key`), a
 * field of one (`key`, `field`), a moderated root's (`field` names the root,
 * `key` the entry, if any), or nowhere anyone sees. One shape for all, so
 * the judge's hot paths read them without asking which.
 */
export const NOWHERE = 0
export const ENTRY = 1
export const FIELD = 2
export const MODERATED = 3
export type Kind = typeof NOWHERE | typeof ENTRY | typeof FIELD | typeof MODERATED

export interface Location {
  readonly kind: Kind
  readonly key: string | null
  readonly field: string | null
}

export const place = (kind: Kind, key: string | null = null, field: string | null = null): Location => ({ kind, key, field })
export const NONE = place(NOWHERE)

/** What a struct the update builds on was found to be: a place, or not here yet (`client`, `clock`), or void. */
export const FOUND = 0
export const WAIT = 1
export const VOIDED = 2

/** The struct an update builds on, as `resolve` leaves it (one, reused: placing a board's structs makes no object per struct). */
export class Found {
  status: typeof FOUND | typeof WAIT | typeof VOIDED = FOUND
  kind: Kind = NOWHERE
  key: string | null = null
  field: string | null = null
  client = 0
  clock = 0

  set(kind: Kind, key: string | null, field: string | null): void {
    this.status = FOUND
    this.kind = kind
    this.key = key
    this.field = field
  }

  copy(from: Found): void {
    this.status = from.status
    this.kind = from.kind
    this.key = from.key
    this.field = from.field
    this.client = from.client
    this.clock = from.clock
  }
}

/**
 * The index of the stored struct holding `clock` (below the client's state), searched for from `hint` on when
 * the struct there starts at or before it: steps doubling until past it, then halving. Anything else, as Yjs does.
 */
export function findFrom(structs: readonly (Y.Item | Y.GC)[], clock: number, hint: number): number {
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
 * Where the update's own Items go, found by any clock inside them, column by column (no object per struct).
 * Its structs are contiguous (step 1), so a clock's struct is found in one step by its offset from the first —
 * unless a few structs span many clocks (garbage can claim any length), where a binary search over the
 * structs finds it.
 */
export class LocalStructs {
  readonly #c: UpdateColumns
  readonly #kind: Uint8Array
  readonly #key: (string | null)[]
  readonly #field: (string | null)[]
  readonly #from: number
  readonly #to: number
  /** The index of the struct holding each clock from `#from`, when that table is small. */
  readonly #indexOf: Int32Array | null

  constructor(c: UpdateColumns) {
    this.#c = c
    // One slot per struct, made at once: pushing tens of thousands one by one regrows the arrays again and again.
    // A struct not placed yet (a refusal or a wait ends the placing) is nowhere.
    this.#kind = new Uint8Array(c.count)
    this.#key = new Array<string | null>(c.count).fill(null)
    this.#field = new Array<string | null>(c.count).fill(null)
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

  /** Places the update's struct `i` (garbage nowhere): each in order, once. */
  place(i: number, kind: Kind, key: string | null, field: string | null): void {
    this.#kind[i] = kind
    this.#key[i] = key
    this.#field[i] = field
  }

  /** The place of the struct holding `clock`, into `found`: nowhere for garbage. */
  find(clock: number, found: Found): void {
    const i = this.#indexAt(clock)
    if (i < 0) found.set(NOWHERE, null, null)
    else found.set(this.#kind[i] as Kind, this.#key[i]!, this.#field[i]!)
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
