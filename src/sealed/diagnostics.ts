/**
 * Why an entry did not reach the board, as the diagnostics view shows it.
 * `pending_*` reasons may still resolve (the author's admission, a missing
 * entry, a key this device does not hold yet); the others are final.
 */
export const REJECTIONS = [
  'malformed',
  'oversized',
  'wrong_board',
  'unknown_key',
  'wrong_key',
  'bad_signature',
  'removed_author',
  'not_member',
  'replay',
  'decrypt_failed',
  'bad_payload',
  'foreign_changes',
  'forbidden_edit',
  'forbidden_delete',
  'unknown_type',
  'depends_on_void',
  'equivocation',
  'left_out',
  'erased',
  'junk',
  'over_limit',
  'pending_author',
  'pending_gap',
  'pending_key',
] as const
export type Rejection = (typeof REJECTIONS)[number]

export interface DiagnosticEvent {
  readonly reason: Rejection
  /** The shared-map key the entry was found under. */
  readonly key: string
  /**
   * The member a valid signature proves wrote it, or null. Nothing else —
   * not a Yjs client id, not a name — is ever taken as proof of who wrote.
   */
  readonly author: string | null
  /** Where it came from, when no signature says who: the session id of the writing connection, or this device's storage. */
  readonly via: string | null
  /** What exactly was wrong, for people who look closer. */
  readonly detail: string | null
  readonly at: number
}

const MAX_EVENTS = 200

/** Counts and the most recent rejections of one board (in memory; rebuilt on every open). */
export class Diagnostics {
  readonly counts = new Map<Rejection, number>()
  readonly events: DiagnosticEvent[] = []
  readonly #listeners = new Set<() => void>()

  /**
   * One verdict is one record: a signed entry refused again for the same
   * reason (the board was rebuilt) is not counted twice. What no signature
   * proves (junk, an erasure) is counted each time it happens.
   */
  record(event: DiagnosticEvent): void {
    if (event.author !== null && !event.reason.startsWith('pending_') && this.events.some((e) => e.reason === event.reason && e.key === event.key && e.author === event.author && e.detail === event.detail)) return
    this.counts.set(event.reason, (this.counts.get(event.reason) ?? 0) + 1)
    this.events.push(event)
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS)
    for (const l of this.#listeners) l()
  }

  /**
   * An entry that was reported waiting (a `pending_*` reason) has left the
   * queue — applied, refused or dropped: its waiting record goes, so that
   * what is listed as waiting is what still waits. Final records stay.
   * Listeners hear of it from announce(), once the batch is done.
   */
  settle(key: string): void {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!
      if (e.key !== key || !e.reason.startsWith('pending_')) continue
      this.events.splice(i, 1)
      const left = (this.counts.get(e.reason) ?? 1) - 1
      if (left > 0) this.counts.set(e.reason, left)
      else this.counts.delete(e.reason)
      this.#settled = true
    }
  }

  #settled = false

  /**
   * After a batch of entries: tells listeners about records settled during
   * it, or (`changed`) about anything else they show that the batch changed,
   * such as how many entries still wait — so nobody reads a batch half done.
   */
  announce(changed = false): void {
    if (!this.#settled && !changed) return
    this.#settled = false
    for (const l of this.#listeners) l()
  }

  get total(): number {
    let n = 0
    for (const [reason, c] of this.counts) if (!reason.startsWith('pending_')) n += c
    return n
  }

  /** Members a signature proves wrote a rejected entry. */
  suspects(): Set<string> {
    const out = new Set<string>()
    for (const e of this.events) if (e.author && !e.reason.startsWith('pending_') && e.reason !== 'erased') out.add(e.author)
    return out
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
