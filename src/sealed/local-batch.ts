import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { sameBytes } from './screen.ts'

/**
 * The updates of one task's local changes, merged into one. Y.mergeUpdates
 * decodes every struct's content and writes it again: 27 ms for the 1,000
 * items of a script's burst (836 KB), more than performing them. But a
 * device's own changes, one transaction after another, are one run of its
 * own client's clock: each update is that client's structs from where the
 * last one ended, then the transaction's deletions. Their struct bytes are
 * joined as they are, under one header, and the deletions merged; Yjs reads
 * the result as the same structs and the same deletions.
 *
 * Anything else (a transaction that wrote under another client id, a gap
 * in the clock, an update whose end is not the transaction's deletions as
 * Yjs writes them) is merged by Y.mergeUpdates, as before.
 */
export class LocalBatch {
  readonly #updates: Uint8Array[] = []
  /** The run so far, while every update continues it. */
  #run: { client: number; from: number; to: number; structs: number; bytes: Uint8Array[]; deletions: DeleteSet[] } | null = null
  #joinable = true
  #bytes = 0

  /** Whether the updates so far are joined as one run (else take() merges them with Y.mergeUpdates). */
  get joined(): boolean {
    return this.#joinable
  }

  /** Bytes of the updates added. */
  get bytes(): number {
    return this.#bytes
  }

  /** Adds one local transaction's update, as Yjs emitted it with the transaction (null: an update not known to be one of this device's transactions). */
  add(update: Uint8Array, tr: Y.Transaction | null): void {
    this.#updates.push(update)
    this.#bytes += update.byteLength
    if (this.#joinable) this.#joinable = tr !== null && this.#join(update, tr)
  }

  /** The whole batch as one update, or null if empty. */
  take(): Uint8Array | null {
    if (this.#updates.length === 0) return null
    if (this.#updates.length === 1) return this.#updates[0]!
    const run = this.#run
    if (!this.#joinable || !run) return Y.mergeUpdates(this.#updates)
    const e = encoding.createEncoder()
    if (run.structs === 0) encoding.writeVarUint(e, 0)
    else {
      encoding.writeVarUint(e, 1)
      encoding.writeVarUint(e, run.structs)
      encoding.writeVarUint(e, run.client)
      encoding.writeVarUint(e, run.from)
      for (const b of run.bytes) encoding.writeUint8Array(e, b)
    }
    writeDeletions(e, Y.mergeDeleteSets(run.deletions))
    return encoding.toUint8Array(e)
  }

  #join(update: Uint8Array, tr: Y.Transaction): boolean {
    const client = tr.doc.clientID
    for (const [c, clock] of tr.afterState) if (c !== client && tr.beforeState.get(c) !== clock) return false
    const from = tr.beforeState.get(client) ?? 0
    const to = tr.afterState.get(client) ?? 0
    const deletions = writeDeletions(encoding.createEncoder(), tr.deleteSet)
    const tail = encoding.toUint8Array(deletions)
    const end = update.length - tail.length
    if (end < 1 || !sameBytes(update.subarray(end), tail)) return false
    const d = decoding.createDecoder(update.subarray(0, end))
    const clients = decoding.readVarUint(d)
    let structs = 0
    if (clients === 1) {
      structs = decoding.readVarUint(d)
      if (decoding.readVarUint(d) !== client || decoding.readVarUint(d) !== from || to <= from) return false
    } else if (clients !== 0 || to !== from || d.pos !== end) return false
    this.#run ??= { client, from, to: from, structs: 0, bytes: [], deletions: [] }
    const run = this.#run
    if (run.client !== client || (structs > 0 && run.to !== from)) return false
    if (structs > 0) {
      run.bytes.push(update.subarray(d.pos, end))
      run.structs += structs
      run.to = to
    }
    run.deletions.push(tr.deleteSet)
    return true
  }
}

type DeleteSet = Y.Transaction['deleteSet']

/** A delete set as Yjs's update format v1 writes it (writeDeleteSet): clients in descending order, then each one's ranges. */
function writeDeletions(e: encoding.Encoder, ds: DeleteSet): encoding.Encoder {
  const clients = [...ds.clients.entries()].sort((a, b) => b[0] - a[0])
  encoding.writeVarUint(e, clients.length)
  for (const [client, items] of clients) {
    encoding.writeVarUint(e, client)
    encoding.writeVarUint(e, items.length)
    for (const item of items) {
      encoding.writeVarUint(e, item.clock)
      encoding.writeVarUint(e, item.len)
    }
  }
  return e
}
