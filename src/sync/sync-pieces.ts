import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'

/**
 * y-webrtc answers a peer's sync step 1 with ONE message holding everything
 * the peer lacks. A board bigger than the data channel's message cap would
 * then never reach a new device, and even below it the peer decodes nothing
 * until the last byte is in. This splits such an answer into pieces of at
 * most `pieceBytes` (except a single struct bigger than that): every piece
 * but the last is sent as a sync "update" message, the last as the step 2
 * that tells the peer it is in sync. Each piece is a valid Yjs update — the
 * same structs with the same ids, never re-created — so the receiver applies
 * (and the sealed engine checks) them one by one as they arrive.
 *
 * Wire format of y-webrtc/y-protocols: varuint messageSync (0), varuint
 * step2 (1) or update (2), varuint8array update. Update format v1.
 */
const MESSAGE_SYNC = 0
const STEP_2 = 1
const UPDATE = 2

/**
 * Splits a y-webrtc sync step 2 message that is bigger than `pieceBytes`;
 * anything else is returned as is. The structs of the clients in `first`
 * come first (see `splitUpdate`).
 */
export function splitSyncMessage(message: Uint8Array, pieceBytes: number, first?: ReadonlySet<number>): Uint8Array[] {
  if (message.byteLength <= pieceBytes || message[0] !== MESSAGE_SYNC || message[1] !== STEP_2) return [message]
  let update: Uint8Array
  try {
    const at = { i: 2 }
    const length = readVarUint(message, at)
    if (length === null || at.i + length !== message.byteLength) return [message]
    update = message.subarray(at.i)
  } catch {
    return [message]
  }
  const pieces = splitUpdate(update, pieceBytes - 16, first)
  return pieces.map((piece, i) => frame(i === pieces.length - 1 ? STEP_2 : UPDATE, piece))
}

function frame(type: number, update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MESSAGE_SYNC)
  encoding.writeVarUint(e, type)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

function readVarUint(bytes: Uint8Array, at: { i: number }): number | null {
  let n = 0
  let mul = 1
  for (let k = 0; k < 8; k++) {
    const b = bytes[at.i++]
    if (b === undefined) return null
    n += (b & 0x7f) * mul
    if (b < 0x80) return n
    mul *= 0x80
  }
  return null
}

interface Run {
  readonly client: number
  readonly structs: (Y.Item | Y.GC)[]
}

/**
 * Splits a Yjs update (v1) into updates of about `maxBytes` each: runs of
 * consecutive structs per client (one run per client per piece, as the
 * format requires), then the delete set on its own.
 *
 * The structs of the clients in `first` go first, each client's in their
 * order; the rest follow as the update has them (Yjs writes clients by
 * descending id, which says nothing about what they hold). A sealed board
 * names the clients that wrote its membership (SealedBoard.circleClients):
 * a device that joins can judge nothing before it has those, and pieces
 * that arrive before them wait, to be judged only after the last byte.
 */
export function splitUpdate(update: Uint8Array, maxBytes: number, first?: ReadonlySet<number>): Uint8Array[] {
  if (update.byteLength <= maxBytes) return [update]
  const decoded = Y.decodeUpdate(update) as unknown as { structs: (Y.Item | Y.GC | Y.Skip)[]; ds: { clients: Map<number, { clock: number; len: number }[]> } }
  const { ds } = decoded
  const structs = first && first.size > 0 ? [...decoded.structs.filter((s) => first.has(s.id.client)), ...decoded.structs.filter((s) => !first.has(s.id.client))] : decoded.structs
  const pieces: Uint8Array[] = []
  let runs: Run[] = []
  let size = 0
  const flush = () => {
    if (runs.length > 0) pieces.push(encodeRuns(runs))
    runs = []
    size = 0
  }
  for (const s of structs) {
    if (s instanceof Y.Skip) continue // a gap: the next struct starts a new run
    const bytes = structSize(s)
    const last = runs[runs.length - 1]
    const continues = last !== undefined && last.client === s.id.client && lastEnd(last) === s.id.clock
    if (size > 0 && size + bytes > maxBytes) flush()
    const open = runs[runs.length - 1]
    if (open && continues && open.client === s.id.client) open.structs.push(s)
    else {
      // One run per client per piece: a client's second run goes to the next piece.
      if (runs.some((r) => r.client === s.id.client)) flush()
      runs.push({ client: s.id.client, structs: [s] })
    }
    size += bytes
  }
  flush()
  if (ds.clients.size > 0) pieces.push(encodeDeleteSet(ds))
  return pieces.length > 0 ? pieces : [update]
}

const lastEnd = (run: Run): number => {
  const s = run.structs[run.structs.length - 1]!
  return s.id.clock + s.length
}

function structSize(s: Y.Item | Y.GC): number {
  const e = new Y.UpdateEncoderV1()
  s.write(e, 0)
  return e.toUint8Array().byteLength + 8
}

function encodeRuns(runs: readonly Run[]): Uint8Array {
  const e = new Y.UpdateEncoderV1()
  encoding.writeVarUint(e.restEncoder, runs.length)
  for (const run of runs) {
    encoding.writeVarUint(e.restEncoder, run.structs.length)
    e.writeClient(run.client)
    encoding.writeVarUint(e.restEncoder, run.structs[0]!.id.clock)
    for (const s of run.structs) s.write(e, 0)
  }
  encoding.writeVarUint(e.restEncoder, 0) // no deletions in this piece
  return e.toUint8Array()
}

function encodeDeleteSet(ds: { clients: Map<number, { clock: number; len: number }[]> }): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0) // no structs
  encoding.writeVarUint(e, ds.clients.size)
  for (const [client, items] of [...ds.clients].sort((a, b) => b[0] - a[0])) {
    encoding.writeVarUint(e, client)
    encoding.writeVarUint(e, items.length)
    for (const item of items) {
      encoding.writeVarUint(e, item.clock)
      encoding.writeVarUint(e, item.len)
    }
  }
  return encoding.toUint8Array(e)
}
