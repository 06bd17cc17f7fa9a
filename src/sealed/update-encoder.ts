import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { deleteSetStart } from './split-update.ts'

/**
 * Yjs's update encoder (format v1), writing strings faster: byte for byte the
 * same output. lib0 writes a string's UTF-8 into a scratch buffer, then copies
 * it into the update one byte at a time, each byte checking for room; a
 * sealed burst of 1,000 posts spent about half of its encoding there. Here a
 * short ASCII string (keys, kinds, tags) is written as its char codes, and
 * any other is copied in one piece.
 *
 * Used where Hearth encodes its own changes to seal them (local-batch.ts) and
 * where it rewrites an author's history (compaction.ts).
 */
export class UpdateEncoder extends Y.UpdateEncoderV1 {
  override writeString(s: string): void {
    writeVarString(this.restEncoder, s)
  }

  override writeAny(any: unknown): void {
    writeAny(this.restEncoder, any)
  }
}

/**
 * `Y.encodeStateAsUpdate(doc, stateVector)`, with this encoder. A doc holding pending
 * updates (structs or deletions whose parents it lacks) is encoded by Yjs
 * itself, which adds them: Yjs recognises only its own encoder's class for that.
 */
export function encodeStateAsUpdate(doc: Y.Doc, stateVector?: Uint8Array): Uint8Array {
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) return Y.encodeStateAsUpdate(doc, stateVector)
  return Y.encodeStateAsUpdateV2(doc, stateVector, new UpdateEncoder())
}

type DeleteSet = ReturnType<typeof Y.createDeleteSet>

/**
 * The structs `doc` has integrated, from `stateVector` on (with this
 * encoder), then `ds` as the delete set in place of the doc's own (none
 * when null). What waits in the doc (structs or deletions whose parents it
 * lacks) is not written. Null if the structs cannot be told from the delete
 * set (never for an update Yjs wrote with nothing pending).
 */
export function encodeStructs(doc: Y.Doc, stateVector: Uint8Array, ds: DeleteSet | null): Uint8Array | null {
  const { store } = doc
  const { pendingStructs, pendingDs } = store
  store.pendingStructs = null
  store.pendingDs = null
  let update: Uint8Array
  try {
    update = Y.encodeStateAsUpdateV2(doc, stateVector, new UpdateEncoder())
  } finally {
    store.pendingStructs = pendingStructs
    store.pendingDs = pendingDs
  }
  const at = deleteSetStart(update)
  if (at === null) return null
  const e = encoding.createEncoder()
  encoding.writeUint8Array(e, update.subarray(0, at))
  // Yjs's writeDeleteSet, format v1: clients in descending order, each one's ranges as clock and length.
  const clients = ds ? [...ds.clients].filter(([, items]) => items.length > 0).sort((a, b) => b[0] - a[0]) : []
  encoding.writeVarUint(e, clients.length)
  for (const [client, items] of clients) {
    encoding.writeVarUint(e, client)
    encoding.writeVarUint(e, items.length)
    for (const { clock, len } of items) {
      encoding.writeVarUint(e, clock)
      encoding.writeVarUint(e, len)
    }
  }
  return encoding.toUint8Array(e)
}

/**
 * The structs of `client` that `doc` holds from clock `from` on — up to the
 * first that reaches `upTo`, so that a long history is taken in parts — with
 * no deletions, or null if it holds none there: what someone else's structs
 * build on (a moderator's pin on a member's post), for a replay of theirs to
 * integrate them (compaction.ts). Written as Yjs's `writeStructs` writes
 * them, without reading the rest of the doc.
 */
export function structsOf(doc: Y.Doc, client: number, from: number, upTo = Infinity): Uint8Array | null {
  const structs = doc.store.clients.get(client)
  if (!structs || Y.getState(doc.store, client) <= from) return null
  const clock = Math.max(from, structs[0]!.id.clock)
  const first = Y.findIndexSS(structs, clock)
  let end = first + 1
  while (end < structs.length && structs[end]!.id.clock < upTo) end++
  const encoder = new UpdateEncoder()
  encoding.writeVarUint(encoder.restEncoder, 1)
  encoding.writeVarUint(encoder.restEncoder, end - first)
  encoder.writeClient(client)
  encoding.writeVarUint(encoder.restEncoder, clock)
  structs[first]!.write(encoder, clock - structs[first]!.id.clock)
  for (let i = first + 1; i < end; i++) structs[i]!.write(encoder, 0)
  // No deletions.
  encoding.writeVarUint(encoder.restEncoder, 0)
  return encoder.toUint8Array()
}

/** Up to this length, an ASCII string is written char by char; longer ones are copied whole. */
const SHORT = 32
const utf8 = new TextEncoder()
/** A string of up to MAX_SCRATCH UTF-16 units fits here as UTF-8 (3 bytes a unit at most), as in lib0. */
const scratch = new Uint8Array(30_000)
const MAX_SCRATCH = scratch.length / 3

/** lib0's `writeVarString`: the UTF-8 length as a var uint, then the bytes (lone surrogates become U+FFFD, as TextEncoder writes them). */
export function writeVarString(encoder: encoding.Encoder, s: string): void {
  const n = s.length
  if (n <= SHORT) {
    let ascii = true
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false
        break
      }
    }
    if (ascii) {
      encoding.writeVarUint(encoder, n)
      for (let i = 0; i < n; i++) encoding.write(encoder, s.charCodeAt(i))
      return
    }
  }
  if (n < MAX_SCRATCH) {
    const written = utf8.encodeInto(s, scratch).written
    encoding.writeVarUint(encoder, written)
    encoding.writeUint8Array(encoder, scratch.subarray(0, written))
  } else {
    encoding.writeVarUint8Array(encoder, utf8.encode(s))
  }
}

/**
 * lib0's `writeAny`, with strings (values, and an object's keys, at any
 * depth) written by `writeVarString`. Every other value is written by lib0
 * itself, so numbers keep lib0's choice of integer, float32 or float64.
 */
export function writeAny(encoder: encoding.Encoder, data: unknown): void {
  if (typeof data === 'string') {
    encoding.write(encoder, 119)
    writeVarString(encoder, data)
  } else if (Array.isArray(data)) {
    encoding.write(encoder, 117)
    encoding.writeVarUint(encoder, data.length)
    for (let i = 0; i < data.length; i++) writeAny(encoder, data[i])
  } else if (typeof data === 'object' && data !== null && !(data instanceof Uint8Array)) {
    encoding.write(encoder, 118)
    const keys = Object.keys(data)
    encoding.writeVarUint(encoder, keys.length)
    for (const key of keys) {
      writeVarString(encoder, key)
      writeAny(encoder, (data as Record<string, unknown>)[key])
    }
  } else {
    encoding.writeAny(encoder, data as Parameters<typeof encoding.writeAny>[1])
  }
}
