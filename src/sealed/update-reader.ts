import * as decoding from 'lib0/decoding'
import { byte, json, readName, readText, skipAny } from './update-values.ts'

/**
 * What the judge needs of a Yjs update (format v1), read the way Yjs reads
 * one to integrate it (`readClientsStructRefs`, then `readDeleteSet`), with
 * lib0's own readers — but without building Items or their content. A
 * struct's place (client, clock, length, neighbours, parent, field) and the
 * kind of its content are kept; values are read and checked (every string
 * is checked to be UTF-8 as Yjs's decoder checks it, so that one Yjs would
 * throw on throws here too: update-values.ts) and dropped. Judging the 10,000-item board this way costs a fraction
 * of `Y.decodeUpdate`'s objects and garbage.
 *
 * Stricter than Yjs, never looser: where Yjs reads past the end of the update
 * (a missing byte reads as `undefined`), this throws. So for every update it
 * reads, Yjs reads the same structs (tests/sealed/update-reader.test.ts
 * compares both on random and damaged updates).
 */
export const GC_REF = 0
export const DELETED_REF = 1
export const TYPE_REF = 7
export const ANY_REF = 8
export const SKIP_REF = 10

const YMAP_TYPE_REF = 1
const XML_ELEMENT_TYPE_REF = 3
const XML_HOOK_TYPE_REF = 5
const LAST_TYPE_REF = 6

/**
 * The structs of one update, column by column: what `readColumns` fills. One
 * set of columns is reused by every read (judging reads one update at a time,
 * synchronously), so reading a board's updates makes no object per struct.
 * Valid until the next `readColumns`. Ids are two numbers each; a missing one
 * has client -1.
 */
export class UpdateColumns {
  blocks = 0
  count = 0
  /** How many of the structs are skipped gaps (Yjs holds back whatever comes after one). */
  skips = 0
  client = new Float64Array(64)
  clock = new Float64Array(64)
  length = new Float64Array(64)
  ref = new Uint8Array(64)
  /** Bit 1: content is a Y.Map (a type, ref 7); bit 2: content is exactly one value, `false` (ref 8). */
  flags = new Uint8Array(64)
  originClient = new Float64Array(64)
  originClock = new Float64Array(64)
  rightClient = new Float64Array(64)
  rightClock = new Float64Array(64)
  /** The struct holding the type the struct goes in; client -1 when the parent is a root (`parentName`) or none. */
  parentClient = new Float64Array(64)
  parentClock = new Float64Array(64)
  /** Written in order from 0 by every read, so they grow by appending, once; a later read overwrites them. */
  parentName: (string | null)[] = []
  parentSub: (string | null)[] = []
  ds = new Map<number, { clock: number; len: number }[]>()

  /** Room for one more struct: every column doubled when full. */
  grow(): void {
    if (this.count >= this.client.length) this.reserve(this.client.length * 2)
  }

  /** Room for `n` structs in all, made at once (copying columns of a few hundred thousand values costs more than it seems). */
  reserve(n: number): void {
    if (n <= this.client.length) return
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n)
      b.set(a)
      return b
    }
    const u8 = (a: Uint8Array) => {
      const b = new Uint8Array(n)
      b.set(a)
      return b
    }
    this.client = f64(this.client)
    this.clock = f64(this.clock)
    this.length = f64(this.length)
    this.ref = u8(this.ref)
    this.flags = u8(this.flags)
    this.originClient = f64(this.originClient)
    this.originClock = f64(this.originClock)
    this.rightClient = f64(this.rightClient)
    this.rightClock = f64(this.rightClock)
    this.parentClient = f64(this.parentClient)
    this.parentClock = f64(this.parentClock)
  }
}

export const IS_MAP = 1
export const LONE_FALSE = 2

/** Columns kept between reads hold at most this many structs: one huge update does not keep its memory for good. */
const STRUCTS_KEPT = 1 << 16
let columns = new UpdateColumns()

/** The columns every read in one go shares (valid until the next such read). */
export function sharedColumns(): UpdateColumns {
  if (columns.client.length > STRUCTS_KEPT) columns = new UpdateColumns()
  return columns
}

/** Columns for a read in steps, given back after it: a second such read meanwhile makes its own. */
let spare: UpdateColumns | null = null

/** Columns of its own for a read in steps (a judgement in slices), kept from one such read to the next: a large board's judgements would otherwise each allocate megabytes. */
export function borrowColumns(): UpdateColumns {
  const c = spare ?? new UpdateColumns()
  spare = null
  return c
}

/** Gives back what `borrowColumns` lent, once nothing reads it any more: emptied, so no entry's keys or field names stay in memory with it. */
export function returnColumns(c: UpdateColumns): void {
  c.parentName.fill(null)
  c.parentSub.fill(null)
  c.count = 0
  c.ds = new Map()
  if (c.client.length <= STRUCTS_KEPT) spare = c
}

/** Reads one update into the shared columns (valid until the next call). Throws where Yjs would throw, or would read past the end. */
export function readColumns(update: Uint8Array): UpdateColumns {
  const reading = new ColumnsReading(update, sharedColumns())
  reading.read(Infinity)
  return reading.columns
}

/**
 * How many structs to make room for before reading `update`: as many as its
 * first block says it holds (an update Yjs writes for one client is one
 * block: every entry a board accepts, a whole history included), never more
 * than one per 16 bytes of it (a struct takes at least 2, a board's about
 * 50: a block that claims more is read, and grows the columns, as it goes).
 * What cannot be read here is left to the read, which throws.
 */
export function structsAhead(update: Uint8Array): number {
  const most = update.length >> 4
  try {
    const d = decoding.createDecoder(update)
    return decoding.readVarUint(d) === 0 ? 0 : Math.min(decoding.readVarUint(d), most)
  } catch {
    return Math.min(most, STRUCTS_KEPT)
  }
}

/**
 * Reading one update into columns in steps, for a judgement made in slices
 * (authority.ts): `read(n)` reads up to `n` more structs, and the delete set
 * once they are all read. The columns are the caller's own (the shared ones
 * are overwritten by any judgement made in between).
 */
export class ColumnsReading {
  readonly columns: UpdateColumns
  readonly #d: decoding.Decoder
  /** Structs of the last update read past this one's count: their names are cleared once this one is read, or throws. */
  readonly #before: number
  #blocksLeft = -1
  #structsLeft = 0
  #client = 0
  #clock = 0
  #done = false
  /** What the read threw: thrown again by any later `read`. */
  #failed: unknown = null

  constructor(update: Uint8Array, c: UpdateColumns = new UpdateColumns()) {
    this.columns = c
    this.#d = decoding.createDecoder(update)
    this.#before = c.count
    // Room made at once, not by doubling: doubling the columns from 131,072 structs to 262,144 took 40–48 ms
    // in Node (the copies, and the collection they set off), one step of a judgement in slices.
    c.reserve(structsAhead(update))
    c.count = 0
    c.skips = 0
    c.blocks = 0
    c.ds = new Map()
  }

  /** Reads up to `n` more structs (the delete set after the last); returns whether the whole update is read. Throws where `readColumns` throws. */
  read(n: number): boolean {
    if (this.#failed !== null) throw this.#failed
    if (this.#done) return true
    const c = this.columns
    const d = this.#d
    try {
      if (this.#blocksLeft < 0) this.#blocksLeft = c.blocks = decoding.readVarUint(d)
      for (let k = 0; k < n; ) {
        if (this.#structsLeft === 0) {
          if (this.#blocksLeft === 0) {
            readDeleteSet(c, d)
            this.#finish()
            return true
          }
          this.#blocksLeft--
          this.#structsLeft = decoding.readVarUint(d)
          this.#client = decoding.readVarUint(d)
          this.#clock = decoding.readVarUint(d)
          continue
        }
        this.#clock += readStruct(c, d, this.#client, this.#clock)
        this.#structsLeft--
        k++
      }
    } catch (e) {
      this.#finish()
      this.#failed = e ?? new Error('unreadable update')
      throw e
    }
    return false
  }

  #finish(): void {
    this.#done = true
    const c = this.columns
    if (this.#before > c.count) {
      c.parentName.fill(null, c.count, this.#before)
      c.parentSub.fill(null, c.count, this.#before)
    }
  }
}

/** The update's delete set, as Yjs's `readDeleteSet` reads it (a function of its own, like `readStruct`: compiled on its own, apart from the struct loop). */
function readDeleteSet(c: UpdateColumns, d: decoding.Decoder): void {
  const clients = decoding.readVarUint(d)
  for (let i = 0; i < clients; i++) {
    const client = decoding.readVarUint(d)
    const n = decoding.readVarUint(d)
    if (n === 0) continue
    let ranges = c.ds.get(client)
    if (!ranges) c.ds.set(client, (ranges = []))
    for (let k = 0; k < n; k++) ranges.push({ clock: decoding.readVarUint(d), len: decoding.readVarUint(d) })
  }
}

/** Reads one struct at `clock` of `client` into the next row of the columns; returns its length (a function of its own: it is compiled on its own, soon). */
function readStruct(c: UpdateColumns, d: decoding.Decoder, client: number, clock: number): number {
  c.grow()
  const n = c.count
  const info = byte(d)
  const ref = info & 0x1f
  c.client[n] = client
  c.clock[n] = clock
  c.ref[n] = ref
  c.flags[n] = 0
  c.originClient[n] = -1
  c.rightClient[n] = -1
  c.parentClient[n] = -1
  c.parentName[n] = null
  c.parentSub[n] = null
  if (ref === GC_REF || ref === SKIP_REF) {
    if (ref === SKIP_REF) c.skips++
    const length = decoding.readVarUint(d)
    c.length[n] = length
    c.count++
    return length
  }
  if ((info & 0x80) !== 0) {
    c.originClient[n] = decoding.readVarUint(d)
    c.originClock[n] = decoding.readVarUint(d)
  }
  if ((info & 0x40) !== 0) {
    c.rightClient[n] = decoding.readVarUint(d)
    c.rightClock[n] = decoding.readVarUint(d)
  }
  if ((info & 0xc0) === 0) {
    if (decoding.readVarUint(d) === 1) c.parentName[n] = readName(d)
    else {
      c.parentClient[n] = decoding.readVarUint(d)
      c.parentClock[n] = decoding.readVarUint(d)
    }
    // A key in a root map names an entry (each its own: not worth keeping); in a nested map, a field.
    if ((info & 0x20) !== 0) c.parentSub[n] = c.parentName[n] !== null ? readText(d) : readName(d)
  }
  let length = 1
  switch (ref) {
    case DELETED_REF:
      length = decoding.readVarUint(d)
      break
    case 2: // JSON
      length = decoding.readVarUint(d)
      for (let k = 0; k < length; k++) {
        const text = decoding.readVarString(d)
        if (text !== 'undefined') json(text)
      }
      break
    case 3: // binary
      decoding.readVarUint8Array(d)
      break
    case 4: // string
      length = decoding.readVarString(d).length
      break
    case 5: // embed
      json(decoding.readVarString(d))
      break
    case 6: // format
      decoding.readVarString(d)
      json(decoding.readVarString(d))
      break
    case TYPE_REF: {
      const typeRef = decoding.readVarUint(d)
      if (typeRef > LAST_TYPE_REF) throw new TypeError('not a type Yjs knows')
      if (typeRef === XML_ELEMENT_TYPE_REF || typeRef === XML_HOOK_TYPE_REF) decoding.readVarString(d)
      if (typeRef === YMAP_TYPE_REF) c.flags[n] = IS_MAP
      break
    }
    case ANY_REF: {
      length = decoding.readVarUint(d)
      const at = d.pos
      for (let k = 0; k < length; k++) skipAny(d)
      if (length === 1 && d.pos === at + 1 && d.arr[at] === 121) c.flags[n] = LONE_FALSE
      break
    }
    case 9: {
      // A subdocument: its guid and options (Yjs reads `opts.shouldLoad`, which throws on null or undefined).
      decoding.readVarString(d)
      if (d.pos < d.arr.length && (d.arr[d.pos] === 126 || d.arr[d.pos] === 127)) throw new TypeError('subdocument options that are not an object')
      skipAny(d)
      break
    }
    default:
      throw new TypeError('not content Yjs knows')
  }
  c.length[n] = length
  c.count++
  return length
}
