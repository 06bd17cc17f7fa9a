import type { ParsedEntry } from '../crypto/index.ts'
import type { ClockRange } from './authority.ts'

/** An entry whose structure, board, key and signature passed: it waits for its turn in its author's sequence. */
export interface Verified {
  readonly key: string
  /** The exact bytes that were verified (the shared map may hold something else by now). */
  readonly bytes: Uint8Array
  readonly entry: ParsedEntry
  readonly hash: string
  /** Where it came from when no signature says who (session id, or storage). */
  readonly via: string | null
  /** Decrypted payload once its key is known; null if it did not decrypt. */
  plain?: Uint8Array | null
  /** This device's own change, already in its readable doc. */
  speculative?: boolean
}

export type Outcome = 'applied' | 'refused' | 'void' | 'other'

/** An entry this device has handled, and what became of it. */
export interface Done extends Verified {
  readonly outcome: Outcome
  /** The author's Yjs clock range it covered (content entries). */
  readonly range?: ClockRange | null
  /** The rights it was judged with, to notice when a later membership change alters them. */
  readonly judgedWith?: string
  readonly heads?: readonly string[] | null
}

/** One author device's entries: handled strictly in sequence order, so replays and gaps are plain to see. */
export class AuthorLog {
  /** Highest sequence number handled with no gap before it. */
  frontier = 0
  readonly pending = new Map<string, Verified>()
  readonly done = new Map<string, Done>()
  /** Per bound client id: the Yjs clock from which this device's structs are void (after its cutoff). */
  readonly voidFrom = new Map<number, number>()

  /** The next entry to handle: the one continuing the sequence (a snapshot that does, the longest first). */
  next(): Verified | null {
    let best: Verified | null = null
    for (const v of this.pending.values()) {
      const h = v.entry.header
      if (h.from > this.frontier + 1 || h.seq <= this.frontier) continue
      if (h.kind !== 'snapshot' && h.seq !== this.frontier + 1) continue
      if (!best || h.seq > best.entry.header.seq) best = v
    }
    return best
  }

  /** A done snapshot other than `except` that covers from..to. */
  coveredBy(from: number, to: number, except?: string): Done | null {
    for (const d of this.done.values()) {
      const h = d.entry.header
      if (h.kind === 'snapshot' && d.key !== except && h.from <= from && to <= h.seq && !(h.from === from && h.seq === to)) return d
    }
    return null
  }

  /** Entries back to pending, as before anything was handled (to rebuild the readable doc). */
  reset(): void {
    for (const d of this.done.values()) {
      const { outcome: _o, range: _r, judgedWith: _j, heads: _h, ...v } = d
      this.pending.set(d.key, { ...v, speculative: false })
    }
    for (const v of this.pending.values()) v.speculative = false
    this.done.clear()
    this.voidFrom.clear()
    this.frontier = 0
  }
}
