import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { UpdateEncoder } from './update-encoder.ts'

/**
 * One run of this device's own transactions on its readable doc, encoded
 * once, when it is sealed. Yjs encodes every transaction for a doc's
 * `'update'` listeners: for a burst of 1,000 posts that was 8.5 ms, three
 * quarters of performing them, against 4.6 ms to encode the same changes
 * once. So the engine listens to `'afterTransaction'` (which Yjs emits
 * without encoding anything) and notes, for each transaction that moved only
 * this device's clock, where its structs begin and end and what it deleted.
 *
 * `take()` writes the run's structs as Yjs's own `writeStructs` does (each
 * struct's `write`, from the run's first clock to its last) and the
 * transactions' deletions merged, as Yjs's `writeDeleteSet` does. A struct
 * created and deleted within the run is written as Yjs holds it by then:
 * deleted, its content gone.
 *
 * A run holds only contiguous clocks of one client on one doc: a
 * transaction that does not continue it is the caller's to seal apart (see
 * local-writes.ts).
 */
export class LocalBatch {
  readonly doc: Y.Doc
  readonly client: number
  /** The run's first clock (-1 while empty). */
  #from = -1
  /** Each transaction's end (the clock after its last struct) and its deletions. */
  readonly #marks: { readonly to: number; readonly deletions: DeleteSet | null }[] = []

  constructor(doc: Y.Doc) {
    this.doc = doc
    this.client = doc.clientID
  }

  /** Whether `tr` continues this run: on its doc, under its client, from where it ended, moving no other client's clock. */
  continues(tr: Y.Transaction): boolean {
    if (tr.doc !== this.doc || tr.doc.clientID !== this.client || !onlyOwn(tr)) return false
    return this.#from < 0 || (tr.beforeState.get(this.client) ?? 0) === this.end
  }

  /** Adds a transaction that continues the run (`continues`). */
  add(tr: Y.Transaction): void {
    const before = tr.beforeState.get(this.client) ?? 0
    if (this.#from < 0) this.#from = before
    this.#marks.push({ to: tr.afterState.get(this.client) ?? before, deletions: tr.deleteSet.clients.size > 0 ? tr.deleteSet : null })
  }

  /** The clock after the run's last struct (-1 while empty). */
  get end(): number {
    return this.#marks.length === 0 ? -1 : this.#marks[this.#marks.length - 1]!.to
  }

  /**
   * The run as Yjs updates (format v1): one, or, where that one would pass
   * `maxBytes`, one per stretch of whole transactions that stays under it (a
   * transaction larger alone is one). Empty if the run changed nothing.
   */
  take(maxBytes = Infinity): Uint8Array[] {
    const n = this.#marks.length
    const whole = this.#encode(0, n)
    if (!whole) return []
    if (whole.byteLength <= maxBytes || n === 1) return [whole]
    // Rare (a script's burst of megabytes): each transaction encoded alone for its size, then stretches of them.
    const sizes = this.#marks.map((_, i) => this.#encode(i, i + 1)?.byteLength ?? 0)
    const parts: Uint8Array[] = []
    let start = 0
    let bytes = 0
    for (let i = 0; i < n; i++) {
      if (i > start && bytes + sizes[i]! > maxBytes) {
        const part = this.#encode(start, i)
        if (part) parts.push(part)
        start = i
        bytes = 0
      }
      bytes += sizes[i]!
    }
    const last = this.#encode(start, n)
    if (last) parts.push(last)
    return parts
  }

  /** Transactions i…j-1 as one update, or null if they changed nothing. */
  #encode(i: number, j: number): Uint8Array | null {
    if (j <= i) return null
    const from = i === 0 ? this.#from : this.#marks[i - 1]!.to
    const to = this.#marks[j - 1]!.to
    const sets = this.#marks.slice(i, j).flatMap((m) => (m.deletions ? [m.deletions] : []))
    const deletions = sets.length === 1 ? sets[0]! : Y.mergeDeleteSets(sets)
    if (to === from && deletions.clients.size === 0) return null
    const encoder = new UpdateEncoder()
    writeStructs(encoder, this.doc, this.client, from, to)
    writeDeletions(encoder.restEncoder, deletions)
    return encoder.toUint8Array()
  }
}

type DeleteSet = Y.Transaction['deleteSet']

/** Whether a transaction moved no clock but its doc's own client's. */
export function onlyOwn(tr: Y.Transaction): boolean {
  const own = tr.doc.clientID
  for (const [client, clock] of tr.afterState) if (client !== own && (tr.beforeState.get(client) ?? 0) !== clock) return false
  return true
}

/**
 * The structs of `client` from clock `from` to `to`, as Yjs's
 * writeClientsStructs writes one client's (one block, or none). Yjs merges
 * a transaction's structs into their left neighbour when it can (typing,
 * values pushed one after another), so a struct may begin before `from` or
 * end after `to`: it is written from `from` (its `write` offset) and up to
 * `to` (a copy of it cut there, as Yjs's splitItem would cut it).
 */
function writeStructs(encoder: Y.UpdateEncoderV1, doc: Y.Doc, client: number, from: number, to: number): void {
  const structs = doc.store.clients.get(client)
  if (!structs || to <= from) {
    encoding.writeVarUint(encoder.restEncoder, 0)
    return
  }
  const first = Y.findIndexSS(structs, from)
  const last = Y.findIndexSS(structs, to - 1)
  encoding.writeVarUint(encoder.restEncoder, 1)
  encoding.writeVarUint(encoder.restEncoder, last - first + 1)
  encoder.writeClient(client)
  encoding.writeVarUint(encoder.restEncoder, from)
  for (let i = first; i <= last; i++) {
    const struct = structs[i]!
    const offset = i === first ? from - struct.id.clock : 0
    const end = struct.id.clock + struct.length
    ;(end > to ? cutAt(struct, to - struct.id.clock) : struct).write(encoder, offset)
  }
}

/** A copy of a struct that ends after its first `length` clocks (the store's struct is left as it is). */
function cutAt(struct: Y.Item | Y.GC | Y.Skip, length: number): Y.Item | Y.GC | Y.Skip {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(struct) as object) as typeof struct, struct)
  if (copy instanceof Y.Item) {
    copy.content = copy.content.copy()
    copy.content.splice(length)
  }
  copy.length = length
  return copy
}

/** A delete set as Yjs's update format v1 writes it (writeDeleteSet): clients in descending order, then each one's ranges. */
function writeDeletions(e: encoding.Encoder, ds: DeleteSet): void {
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
}
