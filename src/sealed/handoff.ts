import { deviceTag, toBase64url } from '../crypto/index.ts'
import type { AuthorLog } from './author-log.ts'
import { tagOfKey } from './entry-key.ts'
import { decodeRotate, entryHash } from './payloads.ts'
import type { SharedEntries } from './shared-entries.ts'

/**
 * The entries that lead out of an epoch (its key id): each rotation from it
 * — its lockboxes, and the signed membership change that made it — for a
 * device that keeps pointing stragglers to the next room.
 */
export function handoffEntries(logs: ReadonlyMap<string, AuthorLog>, entries: SharedEntries, carrier: boolean, from: string): [string, Uint8Array][] {
  const done = [...logs.values()].flatMap((log) => [...log.done.values()])
  const out: [string, Uint8Array][] = []
  for (const d of done) {
    if (d.entry.header.kind !== 'rotate' || !d.plain) continue
    const r = decodeRotate(d.plain)
    if (!r || toBase64url(r.parent) !== from) continue
    out.push([d.key, d.bytes])
    const control = done.find((c) => c.hash === r.control)
    if (control) out.push([control.key, control.bytes])
    else if (carrier) {
      // A carrier cannot read the membership change, but it holds it: same author, found by its hash.
      const tag = deviceTag(d.entry.header.author)
      for (const [key, value] of entries.map) {
        if (tagOfKey(key) === tag && value instanceof Uint8Array && entryHash(value) === r.control) out.push([key, value])
      }
    }
  }
  return out
}
