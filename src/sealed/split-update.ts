import { concatBytes } from '@noble/hashes/utils.js'
import * as encoding from 'lib0/encoding'

/**
 * Cuts a Yjs update (format v1) into updates of about `maxBytes` each, at
 * struct boundaries, so that one large entry is applied in slices with the
 * page let run between (pump.ts). Applied in order, the parts leave the doc
 * exactly as the whole would. Each part carries the deletions of the structs
 * that are there once it is applied, so nothing deleted shows, even between
 * two slices; deletions of structs the update does not hold go with the
 * first part (Yjs holds back those of structs not there yet, as it would
 * for the whole).
 *
 * Only accepted entries are cut, so only the framing is read, the way Yjs's
 * `readClientsStructRefs` reads it: strings, values and binary content are
 * skipped by their length, never decoded or checked (the judge's reader,
 * update-reader.ts, checks them, at three to four times the cost). An
 * update that is small, that does not read to its end, that has gaps (Yjs
 * holds back what follows one) or that names a client twice (Yjs reads only
 * the last) is returned whole: Yjs gives its verdict on those, as it
 * always did.
 */
export function splitUpdate(update: Uint8Array, maxBytes: number): Uint8Array[] {
  return [...cutLazily(update, maxBytes)]
}

/**
 * `splitUpdate`, with each part made only when it is asked for: the update
 * is read through here (its framing, not its values), and each part's bytes
 * are copied as the part is taken, so a caller that applies the parts in
 * slices copies the update in slices too (a board's stored state is
 * megabytes). Whether it is cut at all is decided here, as by `splitUpdate`.
 */
export function cutLazily(update: Uint8Array, maxBytes: number): Iterable<Uint8Array> {
  if (update.length <= maxBytes) return [update]
  try {
    return cut(update, maxBytes)
  } catch {
    return [update]
  }
}

/**
 * Where an update's delete set begins, after its structs; null for an
 * update `cutLazily` would leave whole (a gap, a client named twice, one that
 * does not read).
 */
export function deleteSetStart(update: Uint8Array): number | null {
  try {
    return cutRuns(new Cursor(update), Infinity)?.ds ?? null
  } catch {
    return null
  }
}

/**
 * The delete set of an update: per client, clock and length pairs in order
 * of clock; null for an update `cutLazily` would leave whole.
 */
export function deleteSetOf(update: Uint8Array): Map<number, number[]> | null {
  const at = deleteSetStart(update)
  if (at === null) return null
  try {
    return readDeleteSet(update, at)
  } catch {
    return null
  }
}

class Unreadable extends Error {}

/** A run of consecutive structs of one client inside one part: where its bytes are, and its clocks. */
interface Run {
  readonly client: number
  readonly clock: number
  count: number
  readonly start: number
  end: number
  /** The clock after its last struct. */
  endClock: number
}

/**
 * One pass over the structs' framing (readClientsStructRefs, format v1),
 * cutting parts as it goes: runs and their bounds, no row per struct. Null
 * when the update is to stay whole (a client named twice).
 */
function cutRuns(d: Cursor, maxBytes: number): { parts: Run[][]; ds: number } | null {
  const parts: Run[][] = [[]]
  const named = new Set<number>()
  let partStart = -1
  const blocks = d.uint()
  for (let b = 0; b < blocks; b++) {
    const count = d.uint()
    const client = d.uint()
    let clock = d.uint()
    if (count === 0) continue
    if (named.has(client)) return null
    named.add(client)
    let run: Run | null = null
    for (let i = 0; i < count; i++) {
      const start = d.pos
      const length = skipStruct(d)
      clock += length
      if (partStart < 0) partStart = start
      if (run) {
        run.count++
        run.end = d.pos
        run.endClock = clock
      } else {
        run = { client, clock: clock - length, count: 1, start, end: d.pos, endClock: clock }
        parts[parts.length - 1]!.push(run)
      }
      // A part is full: the next struct begins the next one (a cut after the update's last struct is taken back below).
      if (d.pos - partStart >= maxBytes) {
        parts.push([])
        partStart = -1
        run = null
      }
    }
  }
  if (parts[parts.length - 1]!.length === 0) parts.pop()
  return { parts, ds: d.pos }
}

/** Reads the update's framing now (it throws here if it is unreadable); the parts are made as they are taken. */
function cut(update: Uint8Array, maxBytes: number): Iterable<Uint8Array> {
  const scanned = cutRuns(new Cursor(update), maxBytes)
  if (!scanned || scanned.parts.length <= 1) return [update]
  const runs = scanned.parts
  const deletions = readDeleteSet(update, scanned.ds)
  // Per client (its runs are in consecutive parts, one a part): the part of its first run, where that run begins, and where each run ends.
  const clients = new Map<number, { first: number; clock: number; ends: number[] }>()
  for (const [k, part] of runs.entries()) {
    for (const run of part) {
      const c = clients.get(run.client)
      if (c) c.ends.push(run.endClock)
      else clients.set(run.client, { first: k, clock: run.clock, ends: [run.endClock] })
    }
  }
  /** Where a client's structs end once parts 0…k are applied (where they begin in this update, before any; no bound for a client with none). */
  const bound = (client: number, k: number): number => {
    const c = clients.get(client)
    if (!c) return Infinity
    if (k < c.first) return c.clock
    return c.ends[Math.min(k - c.first, c.ends.length - 1)]!
  }
  return partsOf(update, runs, deletions, bound)
}

function* partsOf(update: Uint8Array, runs: readonly Run[][], deletions: ReadonlyMap<number, number[]>, bound: (client: number, k: number) => number): Generator<Uint8Array, void, void> {
  const last = runs.length - 1
  // Per client, how many of its deleted ranges (in order of clock) lie wholly below the parts still to write: a part's lower bound only grows.
  const passed = new Map<number, number>()
  for (let k = 0; k <= last; k++) {
    // The structs' bytes are copied once, into the part itself (an encoder would copy them twice).
    const pieces: Uint8Array[] = []
    let e = encoding.createEncoder()
    encoding.writeVarUint(e, runs[k]!.length)
    for (const run of runs[k]!) {
      encoding.writeVarUint(e, run.count)
      encoding.writeVarUint(e, run.client)
      encoding.writeVarUint(e, run.clock)
      pieces.push(encoding.toUint8Array(e), update.subarray(run.start, run.end))
      e = encoding.createEncoder()
    }
    // The deletions whose structs are there once this part is applied, and were not before it.
    const ds: [client: number, ranges: number[]][] = []
    for (const [client, ranges] of deletions) {
      const lo = k === 0 ? 0 : bound(client, k - 1)
      const hi = k === last ? Infinity : bound(client, k)
      let i = passed.get(client) ?? 0
      while (i < ranges.length && ranges[i]! + ranges[i + 1]! <= lo) i += 2
      passed.set(client, i)
      const mine: number[] = []
      for (; i < ranges.length && ranges[i]! < hi; i += 2) {
        const a = Math.max(ranges[i]!, lo)
        const b = Math.min(ranges[i]! + ranges[i + 1]!, hi)
        if (b > a) mine.push(a, b - a)
      }
      if (mine.length > 0) ds.push([client, mine])
    }
    encoding.writeVarUint(e, ds.length)
    for (const [client, ranges] of ds) {
      encoding.writeVarUint(e, client)
      encoding.writeVarUint(e, ranges.length / 2)
      for (const x of ranges) encoding.writeVarUint(e, x)
    }
    pieces.push(encoding.toUint8Array(e))
    yield concatBytes(...pieces)
  }
}


/** A position in the update, and Yjs's variable-length unsigned integers read at it. */
class Cursor {
  pos = 0
  constructor(readonly a: Uint8Array) {}

  uint(): number {
    let n = 0
    let mult = 1
    for (;;) {
      if (this.pos >= this.a.length) throw new Unreadable()
      const b = this.a[this.pos++]!
      n += (b & 0x7f) * mult
      if (b < 0x80) return n
      mult *= 128
      if (mult > 2 ** 53) throw new Unreadable()
    }
  }

  skip(n: number): void {
    if (n > this.a.length - this.pos) throw new Unreadable()
    this.pos += n
  }

  /** A struct's id: client, clock. */
  skipId(): void {
    this.uint()
    this.uint()
  }

  /** A string or a buffer: its length, then its bytes. */
  skipBytes(): void {
    this.skip(this.uint())
  }
}

// Bits of a struct's info byte.
const ORIGIN = 0x80
const RIGHT_ORIGIN = 0x40
const PARENT_SUB = 0x20

/** Skips one struct; returns its length in clocks. */
function skipStruct(d: Cursor): number {
  d.skip(1)
  const info = d.a[d.pos - 1]!
  const ref = info & 0x1f
  if (ref === 0) return d.uint() // GC
  if (ref === 10) throw new Unreadable() // a gap: Yjs holds back what follows it
  if (info & ORIGIN) d.skipId()
  if (info & RIGHT_ORIGIN) d.skipId()
  if ((info & (ORIGIN | RIGHT_ORIGIN)) === 0) {
    if (d.uint() === 1) d.skipBytes() // a root type's name
    else d.skipId() // the item holding the parent type
    if (info & PARENT_SUB) d.skipBytes()
  }
  switch (ref) {
    case 1: // deleted
      return d.uint()
    case 2: {
      // JSON values
      const n = d.uint()
      for (let i = 0; i < n; i++) d.skipBytes()
      return n
    }
    case 3: // binary
    case 5: // embed
      d.skipBytes()
      return 1
    case 4:
      return utf16Length(d)
    case 6: // format: key and value
      d.skipBytes()
      d.skipBytes()
      return 1
    case 7: {
      // a type; an XML element's or hook's name follows its kind
      const kind = d.uint()
      if (kind === 3 || kind === 5) d.skipBytes()
      return 1
    }
    case 8: {
      // values
      const n = d.uint()
      for (let i = 0; i < n; i++) skipAny(d)
      return n
    }
    case 9: // a subdocument: its guid and options
      d.skipBytes()
      skipAny(d)
      return 1
    default:
      throw new Unreadable()
  }
}

/** A string's length in UTF-16 code units (Yjs's length of a text's content), from its UTF-8 bytes. */
function utf16Length(d: Cursor): number {
  const n = d.uint()
  const end = d.pos + n
  d.skip(n)
  let units = 0
  for (let i = end - n; i < end; i++) {
    const b = d.a[i]!
    // Every byte but a continuation byte starts a code point; one of four bytes is two UTF-16 units.
    if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1
  }
  return units
}

/** Skips one value of lib0's `writeAny`. */
function skipAny(d: Cursor): void {
  d.skip(1)
  switch (d.a[d.pos - 1]) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return
    case 125: // integer
      d.uint()
      return
    case 124: // float32
      d.skip(4)
      return
    case 123: // float64
    case 122: // bigint64
      d.skip(8)
      return
    case 119: // string
    case 116: // bytes
      d.skipBytes()
      return
    case 118: {
      // object
      const n = d.uint()
      for (let i = 0; i < n; i++) {
        d.skipBytes()
        skipAny(d)
      }
      return
    }
    case 117: {
      // array
      const n = d.uint()
      for (let i = 0; i < n; i++) skipAny(d)
      return
    }
    default:
      throw new Unreadable()
  }
}

/** The delete set after the structs: deleted ranges per client (clock, length, clock, length…), in order of clock. */
function readDeleteSet(update: Uint8Array, at: number): Map<number, number[]> {
  const d = new Cursor(update)
  d.pos = at
  const ds = new Map<number, number[]>()
  const clients = d.uint()
  for (let c = 0; c < clients; c++) {
    const client = d.uint()
    const n = d.uint()
    const ranges = ds.get(client) ?? []
    for (let i = 0; i < n; i++) ranges.push(d.uint(), d.uint())
    ds.set(client, ranges)
  }
  if (d.pos !== update.length) throw new Unreadable()
  for (const [client, ranges] of ds) if (!inOrder(ranges)) ds.set(client, byClock(ranges))
  return ds
}

/** Whether ranges (clock, length, …) begin in order of clock, as Yjs writes them. */
function inOrder(ranges: readonly number[]): boolean {
  for (let i = 2; i < ranges.length; i += 2) if (ranges[i]! < ranges[i - 2]!) return false
  return true
}

/** The same ranges in order of the clock they begin at (what `cut` walks them in). */
function byClock(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = []
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!])
  return pairs.sort((a, b) => a[0] - b[0]).flat()
}
