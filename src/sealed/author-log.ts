import type { EntryKind, ParsedEntry } from '../crypto/index.ts'
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
  /** Its decryption, begun while its signature was checked (screen.ts), until the pump takes the payload. */
  opening?: Promise<Uint8Array | null> | undefined
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

/** Kinds that carry board content (a Yjs update). */
export const CONTENT_KINDS: ReadonlySet<EntryKind> = new Set<EntryKind>(['update', 'snapshot', 'legacy'])

/**
 * Entries by key, indexed the ways the engine asks: by first sequence
 * number, snapshots apart, and entries that are not content apart — so that
 * finding the next entry, what a snapshot covers or what an entry could
 * conflict with never walks an author's whole history.
 */
export class EntrySet<T extends Verified> {
  readonly #byKey = new Map<string, T>()
  readonly #byFrom = new Map<number, Set<string>>()
  readonly #snapshots = new Set<string>()
  readonly #others = new Set<string>()
  #updates = 0

  get size(): number {
    return this.#byKey.size
  }

  /** Plain update entries held. */
  get updates(): number {
    return this.#updates
  }

  get(key: string): T | undefined {
    return this.#byKey.get(key)
  }

  has(key: string): boolean {
    return this.#byKey.has(key)
  }

  values(): IterableIterator<T> {
    return this.#byKey.values()
  }

  [Symbol.iterator](): IterableIterator<[string, T]> {
    return this.#byKey.entries()
  }

  set(key: string, value: T): void {
    this.delete(key)
    this.#byKey.set(key, value)
    const h = value.entry.header
    let at = this.#byFrom.get(h.from)
    if (!at) this.#byFrom.set(h.from, (at = new Set()))
    at.add(key)
    if (h.kind === 'snapshot') this.#snapshots.add(key)
    else if (!CONTENT_KINDS.has(h.kind)) this.#others.add(key)
    else if (h.kind === 'update') this.#updates++
  }

  delete(key: string): boolean {
    const value = this.#byKey.get(key)
    if (!value) return false
    this.#byKey.delete(key)
    const h = value.entry.header
    const at = this.#byFrom.get(h.from)
    at?.delete(key)
    if (at?.size === 0) this.#byFrom.delete(h.from)
    this.#snapshots.delete(key)
    this.#others.delete(key)
    if (h.kind === 'update') this.#updates--
    return true
  }

  clear(): void {
    for (const key of [...this.#byKey.keys()]) this.delete(key)
  }

  startingAt(from: number): T[] {
    return [...(this.#byFrom.get(from) ?? [])].map((k) => this.#byKey.get(k)!)
  }

  snapshots(): T[] {
    return [...this.#snapshots].map((k) => this.#byKey.get(k)!)
  }

  /** Membership, profile, request, welcome and rotation entries. */
  others(): T[] {
    return [...this.#others].map((k) => this.#byKey.get(k)!)
  }
}

/** One author device's entries: handled strictly in sequence order, so replays and gaps are plain to see. */
export class AuthorLog {
  /** Highest sequence number handled with no gap before it. */
  frontier = 0
  readonly pending = new EntrySet<Verified>()
  readonly done = new EntrySet<Done>()
  /** Per bound client id: the Yjs clock from which this device's structs are void (after its cutoff). */
  readonly voidFrom = new Map<number, number>()

  /**
   * The next entry to handle: the one continuing the sequence, or a snapshot
   * that joins on (also one over entries already handled: it then stands
   * for them), the longest first — except ahead of entries it covers that
   * this device holds and can read, all the way to its last: those go first
   * (`#heldUpTo`), so that the snapshot, in its turn, is checked against
   * what they did (`restates`) instead of standing for them unread. Until
   * December 2026 a late snapshot signed after its author's demotion, voided
   * here, was taken ahead of those entries when the board was built again (a
   * rebuild, an open) and applied with the rights it named (found by an
   * audit on 2026-12-07).
   */
  next(): Verified | null {
    let best: Verified | null = null
    const consider = (v: Verified) => {
      if (!best || v.entry.header.seq > best.entry.header.seq) best = v
    }
    for (const v of this.pending.startingAt(this.frontier + 1)) if (v.entry.header.kind !== 'snapshot' || !this.coveredBy(v.entry.header.from, v.entry.header.seq, v.key)) consider(v)
    for (const v of this.pending.snapshots()) if (v.entry.header.from <= this.frontier && !this.coveredBy(v.entry.header.from, v.entry.header.seq, v.key)) consider(v)
    let chosen = best as Verified | null
    // Each turn is a snapshot ending earlier than the last: this ends.
    while (chosen?.entry.header.kind === 'snapshot' && chosen.entry.header.seq > this.frontier) {
      const held = this.#heldUpTo(chosen)
      if (!held) break
      chosen = held
    }
    return chosen
  }

  /** Per snapshot: the entries found to cover what it covers, still to handle (`#heldUpTo`). */
  readonly #held = new WeakMap<Verified, Verified[]>()

  /**
   * The first of the entries, other than `snapshot`, that this device holds
   * and can read (one whose key it lacks does not hold a snapshot up), and
   * that run on from the next sequence number to the snapshot's last, if
   * they do: at each number the longest such entry ending by then (another
   * snapshot only if it ends before). Found once and kept while they are
   * handled in turn, so a run of n loose entries is not walked n times.
   */
  #heldUpTo(snapshot: Verified): Verified | null {
    const last = snapshot.entry.header.seq
    const kept = this.#held.get(snapshot)
    while (kept && kept.length > 0 && kept[0]!.entry.header.seq <= this.frontier) kept.shift()
    const first = kept?.[0]
    if (first && first.entry.header.from === this.frontier + 1 && this.pending.get(first.key) === first) return first
    const run: Verified[] = []
    for (let at = this.frontier + 1; at <= last; ) {
      let step: Verified | null = null
      for (const v of this.pending.startingAt(at)) {
        const h = v.entry.header
        if (v === snapshot || v.plain === undefined || h.seq > last || (h.kind === 'snapshot' && h.seq === last)) continue
        if (!step || h.seq > step.entry.header.seq) step = v
      }
      if (!step) return null
      run.push(step)
      at = step.entry.header.seq + 1
    }
    this.#held.set(snapshot, run)
    return run[0] ?? null
  }

  /** A done snapshot other than `except` that covers from..to (a void one stands for nothing). */
  coveredBy(from: number, to: number, except?: string): Done | null {
    for (const d of this.done.snapshots()) {
      if (d.outcome === 'void') continue
      const h = d.entry.header
      if (d.key !== except && h.from <= from && to <= h.seq && !(h.from === from && h.seq === to)) return d
    }
    return null
  }

  /** Entries (done or pending) whose range may be in conflict with from..to: overlapping snapshots, and what is not content. */
  mayConflict(from: number, to: number, snapshot: boolean): Verified[] {
    const out: Verified[] = []
    const overlaps = (v: Verified) => !(v.entry.header.seq < from || to < v.entry.header.from)
    for (const set of [this.done, this.pending] as EntrySet<Verified>[]) {
      for (const v of set.snapshots()) if (overlaps(v)) out.push(v)
      for (const v of set.others()) if (overlaps(v)) out.push(v)
      if (snapshot) continue
      for (const v of set.startingAt(from)) if (overlaps(v) && !out.includes(v)) out.push(v)
    }
    return out
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

/** Every author device's log, by device tag: a log is made the first time its author is asked for. */
export class AuthorLogs extends Map<string, AuthorLog> {
  of(tag: string): AuthorLog {
    let log = this.get(tag)
    if (!log) {
      log = new AuthorLog()
      this.set(tag, log)
    }
    return log
  }

  /** Entries waiting, in all logs. */
  pendingCount(): number {
    let n = 0
    for (const log of this.values()) n += log.pending.size
    return n
  }
}
