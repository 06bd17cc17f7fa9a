/**
 * Snappy decompression (the raw format LevelDB compresses table blocks
 * with), for reading a browser profile's IndexedDB files the way a forensic
 * tool does. Returns null for anything that is not valid snappy.
 */
export function unsnappy(input: Uint8Array, maxOut = 64 * 1024 * 1024): Uint8Array | null {
  let pos = 0
  let length = 0
  for (let shift = 0; ; shift += 7) {
    if (pos >= input.length || shift > 28) return null
    const b = input[pos++]!
    length |= (b & 0x7f) << shift
    if (!(b & 0x80)) break
  }
  if (length < 0 || length > maxOut) return null
  const out = new Uint8Array(length)
  let o = 0
  while (pos < input.length) {
    const tag = input[pos++]!
    const kind = tag & 3
    if (kind === 0) {
      let len = tag >>> 2
      if (len >= 60) {
        const extra = len - 59
        if (pos + extra > input.length) return null
        len = 0
        // Unsigned: a fourth byte of 0x80 or more would make the shifted value negative (and the copy go backwards).
        for (let i = 0; i < extra; i++) len = (len | (input[pos++]! << (8 * i))) >>> 0
      }
      len += 1
      if (pos + len > input.length || o + len > length) return null
      out.set(input.subarray(pos, pos + len), o)
      pos += len
      o += len
      continue
    }
    let len: number
    let offset: number
    if (kind === 1) {
      len = ((tag >>> 2) & 7) + 4
      if (pos >= input.length) return null
      offset = ((tag >>> 5) << 8) | input[pos++]!
    } else if (kind === 2) {
      len = (tag >>> 2) + 1
      if (pos + 2 > input.length) return null
      offset = input[pos]! | (input[pos + 1]! << 8)
      pos += 2
    } else {
      len = (tag >>> 2) + 1
      if (pos + 4 > input.length) return null
      offset = (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24)) >>> 0
      pos += 4
    }
    if (offset === 0 || offset > o || o + len > length) return null
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset]!
  }
  return o === length ? out : null
}
