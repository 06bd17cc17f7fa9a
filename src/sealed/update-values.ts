import * as decoding from 'lib0/decoding'

/**
 * The values inside a Yjs update, read the way lib0 reads them but without
 * making them where the judge does not need them (update-reader.ts): a
 * string's UTF-8 is checked as lib0's decoder checks it, a value of lib0's
 * `readAny` encoding is skipped, names of fields and roots come from a small
 * table. Past the end of the update, where lib0 reads `undefined` and goes
 * on, these throw.
 */
class Truncated extends Error {}

/** A byte; past the end Yjs reads `undefined` and goes on, this throws. */
export function byte(d: decoding.Decoder): number {
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
export function skipAny(d: decoding.Decoder): void {
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

/**
 * A field's name or a root's: a board's updates name the same few dozen
 * fields over and over, so names read are kept in a small table, found by a
 * hash of all their bytes (a few probes, so two names in use do not evict
 * each other), and an arriving name's bytes are compared with the kept ones
 * (the same bytes decode to the same string); anything else is decoded as
 * lib0 decodes it. The table never grows: a writer sending new names only
 * replaces slots.
 */
const NAME_SLOTS = 256
const NAME_PROBES = 4
const NAME_BYTES_KEPT = 40
const nameBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(NAME_SLOTS).fill(undefined)
const nameStrings: string[] = new Array<string>(NAME_SLOTS).fill('')

export function readName(d: decoding.Decoder): string {
  const start = d.pos
  const len = decoding.readVarUint(d)
  const a = d.arr
  const at = d.pos
  if (len > a.length - at) throw new Truncated('unexpected end of the update')
  if (len === 0 || len > NAME_BYTES_KEPT) {
    d.pos = start
    return decoding.readVarString(d)
  }
  // FNV-1a over the name's bytes.
  let h = 0x811c9dc5
  for (let k = 0; k < len; k++) h = Math.imul(h ^ a[at + k]!, 0x01000193)
  const home = (h >>> 0) & (NAME_SLOTS - 1)
  let free = -1
  for (let p = 0; p < NAME_PROBES; p++) {
    const slot = (home + p) & (NAME_SLOTS - 1)
    const kept = nameBytes[slot]
    if (kept === undefined) {
      if (free < 0) free = slot
      continue
    }
    if (kept.length !== len) continue
    let k = 0
    while (k < len && kept[k] === a[at + k]) k++
    if (k === len) {
      d.pos = at + len
      return nameStrings[slot]!
    }
  }
  d.pos = start
  const name = decoding.readVarString(d)
  const slot = free >= 0 ? free : home
  nameBytes[slot] = a.slice(at, at + len)
  nameStrings[slot] = name
  return name
}

/** A string, as lib0 reads it, but never past the end of the update. */
export function readText(d: decoding.Decoder): string {
  const at = d.pos
  const len = decoding.readVarUint(d)
  if (len > d.arr.length - d.pos) throw new Truncated('unexpected end of the update')
  d.pos = at
  return decoding.readVarString(d)
}

export const json = (text: string): void => void JSON.parse(text)
