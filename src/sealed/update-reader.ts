import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'

/**
 * What the judge needs of a Yjs update (format v1), read the way Yjs reads
 * one to integrate it (`readClientsStructRefs`, then `readDeleteSet`), with
 * lib0's own readers — but without building Items or their content. A
 * struct's place (client, clock, length, neighbours, parent, field) and the
 * kind of its content are kept; values are read and checked (every string
 * is checked to be UTF-8 as Yjs's decoder checks it, so that one Yjs would
 * throw on throws here too) and dropped. Judging the 10,000-item board this way costs a fraction
 * of `Y.decodeUpdate`'s objects and garbage.
 *
 * Stricter than Yjs, never looser: where Yjs reads past the end of the update
 * (a missing byte reads as `undefined`), this throws. So for every update it
 * reads, Yjs reads the same structs (tests/sealed/update-reader.test.ts
 * compares both on random and damaged updates).
 */
export interface ReadStruct {
  readonly client: number
  readonly clock: number
  readonly length: number
  /** 0: garbage (GC); 10: a skipped range (Skip); otherwise an Item with content of this kind (Yjs's content refs). */
  readonly ref: number
  readonly origin: Y.ID | null
  readonly rightOrigin: Y.ID | null
  /** A root's name, the id of the struct holding the type it goes in, or null (its neighbours say). */
  readonly parent: string | Y.ID | null
  readonly parentSub: string | null
  /** Content is a Y.Map (a type, ref 7). */
  readonly isMap: boolean
  /** Content is exactly one value, `false` (ref 8). */
  readonly loneFalse: boolean
}

export interface ReadUpdate {
  /** How many blocks of structs the update holds (Yjs keeps one per client, the last). */
  readonly blocks: number
  readonly structs: readonly ReadStruct[]
  readonly ds: ReadonlyMap<number, readonly { readonly clock: number; readonly len: number }[]>
}

export const GC_REF = 0
export const DELETED_REF = 1
export const TYPE_REF = 7
export const ANY_REF = 8
export const SKIP_REF = 10

const YMAP_TYPE_REF = 1
const XML_ELEMENT_TYPE_REF = 3
const XML_HOOK_TYPE_REF = 5
const LAST_TYPE_REF = 6

class Truncated extends Error {}

/** A byte; past the end Yjs reads `undefined` and goes on, this throws. */
function byte(d: decoding.Decoder): number {
  if (d.pos >= d.arr.length) throw new Truncated('unexpected end of the update')
  return d.arr[d.pos++]!
}

function skipBytes(d: decoding.Decoder, n: number): void {
  if (n > d.arr.length - d.pos) throw new Truncated('unexpected end of the update')
  d.pos += n
}

/**
 * Reads and drops a string, checking it is UTF-8 exactly as lib0 checks it
 * (a fatal TextDecoder, per the WHATWG decoder: no overlong form, surrogate,
 * code point past U+10FFFF or cut sequence), without making the string.
 */
function skipString(d: decoding.Decoder): void {
  const len = decoding.readVarUint(d)
  if (len > d.arr.length - d.pos) throw new Truncated('unexpected end of the update')
  const a = d.arr
  const end = d.pos + len
  let i = d.pos
  while (i < end) {
    const b = a[i]!
    if (b < 0x80) {
      i++
      continue
    }
    // The range the first continuation byte must be in, and how many follow it.
    let lo = 0x80
    let hi = 0xbf
    let more: number
    if (b >= 0xc2 && b <= 0xdf) more = 0
    else if (b >= 0xe0 && b <= 0xef) {
      more = 1
      if (b === 0xe0) lo = 0xa0
      else if (b === 0xed) hi = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      more = 2
      if (b === 0xf0) lo = 0x90
      else if (b === 0xf4) hi = 0x8f
    } else throw new TypeError('not UTF-8')
    if (i + 1 + more >= end) throw new TypeError('not UTF-8')
    const c = a[i + 1]!
    if (c < lo || c > hi) throw new TypeError('not UTF-8')
    for (let k = 2; k <= more + 1; k++) if ((a[i + k]! & 0xc0) !== 0x80) throw new TypeError('not UTF-8')
    i += more + 2
  }
  d.pos = end
}

/** Reads and drops one value of lib0's `readAny` encoding, as lib0 reads it. */
function skipAny(d: decoding.Decoder): void {
  switch (byte(d)) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return
    case 125:
      if (d.pos >= d.arr.length) throw new Truncated('unexpected end of the update')
      decoding.readVarInt(d)
      return
    case 124: // float32
      skipBytes(d, 4)
      return
    case 123: // float64
    case 122: // bigint64
      skipBytes(d, 8)
      return
    case 119:
      skipString(d)
      return
    case 118: {
      const n = decoding.readVarUint(d)
      for (let i = 0; i < n; i++) {
        skipString(d)
        skipAny(d)
      }
      return
    }
    case 117: {
      const n = decoding.readVarUint(d)
      for (let i = 0; i < n; i++) skipAny(d)
      return
    }
    case 116:
      decoding.readVarUint8Array(d)
      return
    default:
      throw new TypeError('not a value lib0 can read')
  }
}

const readId = (d: decoding.Decoder): Y.ID => Y.createID(decoding.readVarUint(d), decoding.readVarUint(d))

/**
 * A field's name or a root's: a board's updates name the same dozen fields
 * over and over, so the last few names read are kept and the bytes compared
 * (the same bytes decode to the same string); anything else is decoded as
 * lib0 decodes it.
 */
const names: { bytes: Uint8Array; name: string }[] = []
let nextName = 0
const NAMES_KEPT = 16
const NAME_BYTES_KEPT = 40

function readName(d: decoding.Decoder): string {
  const start = d.pos
  const len = decoding.readVarUint(d)
  if (len <= NAME_BYTES_KEPT && len <= d.arr.length - d.pos) {
    const at = d.pos
    for (const kept of names) {
      const b = kept.bytes
      if (b.length !== len) continue
      let k = 0
      while (k < len && b[k] === d.arr[at + k]) k++
      if (k === len) {
        d.pos = at + len
        return kept.name
      }
    }
  }
  d.pos = start
  const name = decoding.readVarString(d)
  if (len <= NAME_BYTES_KEPT) {
    names[nextName] = { bytes: d.arr.slice(d.pos - len, d.pos), name }
    nextName = (nextName + 1) % NAMES_KEPT
  }
  return name
}

const json = (text: string): void => void JSON.parse(text)

/** Throws where Yjs would throw, or would read past the end. */
export function readUpdate(update: Uint8Array): ReadUpdate {
  const d = decoding.createDecoder(update)
  const blocks = decoding.readVarUint(d)
  const structs: ReadStruct[] = []
  for (let b = 0; b < blocks; b++) {
    const count = decoding.readVarUint(d)
    const client = decoding.readVarUint(d)
    let clock = decoding.readVarUint(d)
    for (let i = 0; i < count; i++) {
      const info = byte(d)
      const ref = info & 0x1f
      if (ref === GC_REF || ref === SKIP_REF) {
        const length = decoding.readVarUint(d)
        structs.push({ client, clock, length, ref, origin: null, rightOrigin: null, parent: null, parentSub: null, isMap: false, loneFalse: false })
        clock += length
        continue
      }
      const origin = (info & 0x80) !== 0 ? readId(d) : null
      const rightOrigin = (info & 0x40) !== 0 ? readId(d) : null
      const parentInfo = (info & 0xc0) === 0
      const parent = parentInfo ? (decoding.readVarUint(d) === 1 ? readName(d) : readId(d)) : null
      const parentSub = parentInfo && (info & 0x20) !== 0 ? readName(d) : null
      let length = 1
      let isMap = false
      let loneFalse = false
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
          isMap = typeRef === YMAP_TYPE_REF
          break
        }
        case ANY_REF: {
          length = decoding.readVarUint(d)
          const at = d.pos
          for (let k = 0; k < length; k++) skipAny(d)
          loneFalse = length === 1 && d.pos === at + 1 && d.arr[at] === 121
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
      structs.push({ client, clock, length, ref, origin, rightOrigin, parent, parentSub, isMap, loneFalse })
      clock += length
    }
  }
  const ds = new Map<number, { clock: number; len: number }[]>()
  const clients = decoding.readVarUint(d)
  for (let i = 0; i < clients; i++) {
    const client = decoding.readVarUint(d)
    const n = decoding.readVarUint(d)
    if (n === 0) continue
    let ranges = ds.get(client)
    if (!ranges) ds.set(client, (ranges = []))
    for (let k = 0; k < n; k++) ranges.push({ clock: decoding.readVarUint(d), len: decoding.readVarUint(d) })
  }
  return { blocks, structs, ds }
}
