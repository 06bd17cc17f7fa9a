import * as Y from 'yjs'
import { legacyBoundClientId, toBase64url } from '../crypto/index.ts'
import type { ClockRange } from './authority.ts'
import { CONTENT_KINDS, type AuthorLog, type Verified } from './author-log.ts'
import { decodeControl } from './membership/ops.ts'
import { deleteSetOf } from './split-update.ts'

/**
 * Entries an author signed after the fact, or that name what comes after
 * them, as the entry handler meets them in their turn (entry-handler.ts): a
 * snapshot over entries already handled that does more than say them again,
 * and heads naming the author's own later membership change.
 */

/**
 * Whether snapshot `v`, over entries of its author this device has all
 * handled, only says again what they did: its author's structs are the
 * clocks those entries used, all of them and no other, and what it deletes
 * of others' is deleted here already. (Deletions of the author's own
 * structs are theirs to make: a compaction folds in those others made.)
 */
export function restates(log: AuthorLog, v: Verified, range: ClockRange | null, update: Uint8Array, client: number, store: Y.Doc['store']): boolean {
  const h = v.entry.header
  const used: ClockRange[] = []
  for (let seq = h.from; seq <= h.seq; seq++) {
    for (const d of log.done.startingAt(seq)) {
      if (d.key !== v.key && d.entry.header.seq <= h.seq && CONTENT_KINDS.has(d.entry.header.kind) && d.range && d.range.to > d.range.from) used.push(d.range)
    }
  }
  used.sort((a, b) => a.from - b.from)
  const writes = range !== null && range.to > range.from
  if (writes !== used.length > 0) return false
  if (writes) {
    let reached = range.from
    for (const r of used) {
      if (r.from > reached) return false
      reached = Math.max(reached, r.to)
    }
    if (used[0]!.from !== range.from || reached !== range.to) return false
  }
  const ds = deleteSetOf(update)
  if (!ds) return false
  for (const [other, ranges] of ds) {
    if (other === client || other === legacyBoundClientId(h.author)) continue
    for (let i = 0; i < ranges.length; i += 2) if (!deletedHere(store, other, ranges[i]!, ranges[i + 1]!)) return false
  }
  return true
}

/** Whether every struct of `client` from `clock`, `len` long, is in `store` and deleted. */
function deletedHere(store: Y.Doc['store'], client: number, clock: number, len: number): boolean {
  const structs = store.clients.get(client)
  if (!structs || clock + len > Y.getState(store, client)) return false
  for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < clock + len; i++) {
    if (!structs[i]!.deleted) return false
  }
  return true
}

/**
 * `heads` with every membership change of the entry's own author numbered
 * after it (`seq`), and waiting in their log, put back to the heads that
 * change was written on. Until December 2026 a compaction named the heads
 * of when it ran, which could hold such a change: in turn, the snapshot
 * waited for it, and it for the snapshot, for ever. An author's own change
 * gives them no right they did not have, so their rights are the same
 * before it. Null if no head is such a change.
 */
export function headsBeforeOwnLater(log: AuthorLog, seq: number, heads: readonly string[]): string[] | null {
  const later = new Map<string, string[]>()
  for (const v of log.pending.values()) {
    if (v.entry.header.kind !== 'control' || v.entry.header.seq <= seq || !v.plain) continue
    const control = decodeControl(v.plain)
    if (control) later.set(v.hash, control.parents.map(toBase64url))
  }
  if (!heads.some((h) => later.has(h))) return null
  const out = new Set<string>()
  const seen = new Set<string>()
  const stack = [...heads]
  while (stack.length > 0) {
    const h = stack.pop()!
    if (seen.has(h)) continue
    seen.add(h)
    const parents = later.get(h)
    if (parents) stack.push(...parents)
    else out.add(h)
  }
  return [...out]
}
