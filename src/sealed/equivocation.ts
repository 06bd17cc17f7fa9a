import { deviceTag, parseEntry, verifyEntry, type EntryHeader, type ParsedEntry } from '../crypto/index.ts'

/**
 * Equivocation: two validly signed entries of one author that cannot both be
 * honest — two different entries for the same sequence range, ranges that
 * overlap without one being a snapshot of the other, or a snapshot over
 * something that is not content. Such a pair is proof against its author: it
 * is kept in the shared map (`!<tag>`), so a device that arrives later
 * reaches the same verdict, and everything the author signed from the first
 * sequence number in dispute on is void on every device. That is what stops
 * a split view: devices no longer take one version for an erasure of the
 * other and put it back forever.
 */
const CONTENT = new Set<EntryHeader['kind']>(['update', 'snapshot', 'legacy'])

/** The first sequence number in dispute, or null when the two entries can both be honest. */
export function conflictAt(a: EntryHeader, b: EntryHeader): number | null {
  if (a.from === b.from && a.seq === b.seq) return a.from
  const aInB = b.from <= a.from && a.seq <= b.seq
  const bInA = a.from <= b.from && b.seq <= a.seq
  const disjoint = a.seq < b.from || b.seq < a.from
  if (disjoint) return null
  if (aInB || bInA) {
    const [outer, inner] = aInB ? [b, a] : [a, b]
    return outer.kind === 'snapshot' && CONTENT.has(inner.kind) ? null : inner.from
  }
  return Math.max(a.from, b.from)
}

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(8 + a.length + b.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, a.length)
  out.set(a, 4)
  view.setUint32(4 + a.length, b.length)
  out.set(b, 8 + a.length)
  return out
}

export function encodeProof(a: Uint8Array, b: Uint8Array): Uint8Array {
  return concat(a, b)
}

export interface Proof {
  readonly author: string
  /** Everything the author signed from here on is void. */
  readonly from: number
}

/** Checks a proof found in the shared map: both entries of one author, this board, validly signed, in conflict. */
export async function verifyProof(bytes: unknown, boardId: Uint8Array): Promise<Proof | null> {
  if (!(bytes instanceof Uint8Array) || bytes.length < 8) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const la = view.getUint32(0)
  if (4 + la + 4 > bytes.length) return null
  const lb = view.getUint32(4 + la)
  if (8 + la + lb !== bytes.length) return null
  const a = parseEntry(bytes.subarray(4, 4 + la))
  const b = parseEntry(bytes.subarray(8 + la))
  if (!a.ok || !b.ok) return null
  return check(a.entry, b.entry, bytes.subarray(4, 4 + la), bytes.subarray(8 + la), boardId)
}

/** Whether two verified-to-parse entries prove equivocation; null if not. */
export async function check(a: ParsedEntry, b: ParsedEntry, aBytes: Uint8Array, bBytes: Uint8Array, boardId: Uint8Array): Promise<Proof | null> {
  const same = (x: Uint8Array, y: Uint8Array) => x.length === y.length && x.every((v, i) => v === y[i])
  if (!same(a.header.author, b.header.author) || same(aBytes, bBytes)) return null
  if (!same(a.header.boardId, boardId) || !same(b.header.boardId, boardId)) return null
  const at = conflictAt(a.header, b.header)
  if (at === null) return null
  if (!(await verifyEntry(a)) || !(await verifyEntry(b))) return null
  return { author: deviceTag(a.header.author), from: at }
}
