import * as encoding from 'lib0/encoding'

/**
 * A Yjs update that fills a client's clock range [from, to) with garbage (a
 * GC struct) and changes nothing else. When an entry is refused, its
 * author's clocks are used up all the same: the author's next entries start
 * after them, and Yjs would hold those back forever waiting for the gap.
 * Every device fills the gap the same way, so the board stays the same.
 *
 * Update format v1: [1 client] [1 struct] client, clock, GC (info 0, length),
 * then an empty delete set.
 */
export function placeholderUpdate(client: number, from: number, to: number): Uint8Array {
  if (to <= from) throw new RangeError('empty placeholder')
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint(e, client)
  encoding.writeVarUint(e, from)
  encoding.writeUint8(e, 0)
  encoding.writeVarUint(e, to - from)
  encoding.writeVarUint(e, 0)
  return encoding.toUint8Array(e)
}
