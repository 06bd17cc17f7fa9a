import * as encoding from 'lib0/encoding'
import { readColumns, type UpdateColumns } from './update-reader.ts'

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
 * The update is read with the judge's light reader (update-reader.ts, a
 * fraction of what applying costs). An update that is small, that the reader
 * refuses, that has gaps (Yjs holds back what follows one) or that names a
 * client twice (Yjs reads only the last) is returned whole: Yjs gives its
 * verdict on those, as it always did.
 */
export function splitUpdate(update: Uint8Array, maxBytes: number): Uint8Array[] {
  if (update.length <= maxBytes) return [update]
  let c: UpdateColumns
  try {
    c = readColumns(update)
  } catch {
    return [update]
  }
  if (c.skips > 0 || c.count < 2) return [update]
  // Parts as [first, end) struct indices, cut once a part holds `maxBytes` of structs.
  const cuts: number[] = [0]
  const firstClock = new Map<number, number>()
  let size = 0
  for (let n = 0; n < c.count; n++) {
    if (n === 0 || c.client[n] !== c.client[n - 1]) {
      if (firstClock.has(c.client[n]!)) return [update]
      firstClock.set(c.client[n]!, c.clock[n]!)
    }
    size += c.end[n]! - c.start[n]!
    if (size >= maxBytes && n < c.count - 1) {
      cuts.push(n + 1)
      size = 0
    }
  }
  cuts.push(c.count)
  if (cuts.length <= 2) return [update]
  // Each part's runs of one client's structs, and where each client's structs end once the part is applied.
  const runs: [from: number, to: number][][] = []
  const ends: Map<number, number>[] = []
  for (let k = 0; k + 1 < cuts.length; k++) {
    const mine: [number, number][] = []
    const end = new Map<number, number>()
    for (let n = cuts[k]!; n < cuts[k + 1]!; ) {
      let to = n + 1
      while (to < cuts[k + 1]! && c.client[to] === c.client[n]) to++
      mine.push([n, to])
      end.set(c.client[n]!, c.clock[to - 1]! + c.length[to - 1]!)
      n = to
    }
    runs.push(mine)
    ends.push(end)
  }
  /** Where a client's structs end once parts 0…k are applied (where they begin in this update, before any; no bound for a client with none). */
  const bound = (client: number, k: number): number => {
    for (let j = k; j >= 0; j--) {
      const end = ends[j]!.get(client)
      if (end !== undefined) return end
    }
    return firstClock.get(client) ?? Infinity
  }
  const last = cuts.length - 2
  const parts: Uint8Array[] = []
  for (let k = 0; k <= last; k++) {
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, runs[k]!.length)
    for (const [from, to] of runs[k]!) {
      encoding.writeVarUint(e, to - from)
      encoding.writeVarUint(e, c.client[from]!)
      encoding.writeVarUint(e, c.clock[from]!)
      encoding.writeUint8Array(e, update.subarray(c.start[from]!, c.end[to - 1]!))
    }
    // The deletions whose structs are there once this part is applied, and were not before it.
    const ds: [client: number, ranges: number[]][] = []
    for (const [client, ranges] of c.ds) {
      const lo = k === 0 ? 0 : bound(client, k - 1)
      const hi = k === last ? Infinity : bound(client, k)
      const mine: number[] = []
      for (const r of ranges) {
        const from = Math.max(r.clock, lo)
        const to = Math.min(r.clock + r.len, hi)
        if (to > from) mine.push(from, to - from)
      }
      if (mine.length > 0) ds.push([client, mine])
    }
    encoding.writeVarUint(e, ds.length)
    for (const [client, ranges] of ds) {
      encoding.writeVarUint(e, client)
      encoding.writeVarUint(e, ranges.length / 2)
      for (const x of ranges) encoding.writeVarUint(e, x)
    }
    parts.push(encoding.toUint8Array(e))
  }
  return parts
}
