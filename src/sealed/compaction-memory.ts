import type * as Y from 'yjs'
import type { Done } from './author-log.ts'

/**
 * What a device remembers of its own compactions from one to the next
 * (compaction.ts), in memory only: the replay of its last whole rewrite, and
 * the snapshots that would have been refused.
 */

/**
 * The doc a whole rewrite of the author's history was replayed into, kept
 * for the next compaction: that one then applies only what came since (the
 * loose entries, the new deletions) instead of replaying megabytes again,
 * which made a prolific author's compactions cost O(n²). It stands for one
 * sealed snapshot, the history's head, and for the snapshots sealed on top
 * of it since from that same replay (compaction.ts) — each an entry with its
 * hash (its bytes), accepted as it is — and for nothing else; anything else
 * in the history replays from the entries. Held a while only (`keepMs`): it
 * costs the memory of the author's part of the board, and an author who
 * writes by hand compacts every few hundred posts.
 */
export class KeptHistory {
  readonly #keepMs: number
  #kept: { readonly hashes: readonly string[]; readonly doc: Y.Doc } | null = null
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(keepMs: number) {
    this.#keepMs = keepMs
  }

  /** Whether a doc is kept (for tests and diagnostics). */
  get holding(): boolean {
    return this.#kept !== null
  }

  /**
   * How many of `parts` (in order, from the history's head) the doc kept
   * holds, or 0 if it stands for something else: the head it was kept for,
   * then the snapshots sealed on top of it, each as it was accepted.
   */
  holds(parts: readonly Done[]): number {
    const kept = this.#kept
    if (!kept || parts.length < kept.hashes.length) return 0
    const same = kept.hashes.every((hash, i) => parts[i]!.hash === hash && parts[i]!.outcome === 'applied')
    return same ? kept.hashes.length : 0
  }

  /** The doc kept for `parts` (see holds), handed over (the caller owns it from now on) with how many of them it holds, or null; anything else kept is let go. */
  take(parts: readonly Done[]): { doc: Y.Doc; held: number } | null {
    const held = this.holds(parts)
    const kept = this.#kept
    this.#release(false)
    if (!kept) return null
    if (held > 0) return { doc: kept.doc, held }
    kept.doc.destroy()
    return null
  }

  /** Keeps `doc` as the replay of `parts`: the snapshot sealed whole, then those sealed on top of it from this replay. */
  keep(parts: readonly Done[], doc: Y.Doc): void {
    this.#release(true)
    this.#kept = { hashes: parts.map((d) => d.hash), doc }
    this.#timer = setTimeout(() => this.#release(true), this.#keepMs)
    // Never what keeps a Node process running.
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  /** Lets go of what is kept. */
  clear(): void {
    this.#release(true)
  }

  #release(destroy: boolean): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (destroy) this.#kept?.doc.destroy()
    this.#kept = null
  }
}

/**
 * Snapshots that would have been refused, under the circle as it is now
 * (memory only). One that starts at the same part and reaches as far or
 * further holds what was refused, and would be refused too: it is not
 * replayed and judged again at every compaction. Without this, the
 * compactions of a moderator made a member again each replayed their whole
 * history, which holds a pin they may no longer write, only to have it
 * refused. Forgotten once the circle changes (the author's rights may have).
 */
export class Refusals {
  #circle = ''
  /** First part's key (with `whole` for a rewrite of the whole history) → the lowest last sequence number refused from it. */
  readonly #from = new Map<string, number>()

  /** These refusals, forgotten first if the circle changed since (`circle`: its heads, joined). */
  under(circle: string): this {
    if (circle !== this.#circle) {
      this.#circle = circle
      this.#from.clear()
    }
    return this
  }

  /** Whether a snapshot of `parts` would be refused, as one from the same first part that reached no further was. */
  has(parts: readonly Done[], whole: boolean): boolean {
    const upTo = this.#from.get(refusalKey(parts, whole))
    return upTo !== undefined && parts[parts.length - 1]!.entry.header.seq >= upTo
  }

  add(parts: readonly Done[], whole: boolean): void {
    const key = refusalKey(parts, whole)
    const seq = parts[parts.length - 1]!.entry.header.seq
    this.#from.set(key, Math.min(seq, this.#from.get(key) ?? Infinity))
  }
}

const refusalKey = (parts: readonly Done[], whole: boolean) => `${whole ? 'whole ' : ''}${parts[0]!.key}`
