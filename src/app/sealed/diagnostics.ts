/**
 * Why an entry did not reach the board, as shown in the diagnostics view.
 * `pending_*` reasons may still resolve (the author's join or the missing
 * entries may arrive later); the others are final.
 */
export const REJECTIONS = [
  'malformed',
  'oversized',
  'wrong_board',
  'unknown_epoch',
  'wrong_key',
  'bad_signature',
  'removed_author',
  'replay',
  'decrypt_failed',
  'bad_payload',
  'foreign_changes',
  'erased',
  'pending_author',
  'pending_gap',
] as const
export type Rejection = (typeof REJECTIONS)[number]

export interface DiagnosticEvent {
  readonly reason: Rejection
  /** The sealed-doc key the entry was found under. */
  readonly key: string
  /** Device tag the entry claims as its author, when it could be read. */
  readonly claimedAuthor: string | null
  /** Device tag of the member whose connection wrote this to the shared doc, when known. */
  readonly writtenBy: string | null
  readonly at: number
}

const MAX_EVENTS = 200

/** Counts and the most recent rejections of one board (in memory; rebuilt on every open). */
export class Diagnostics {
  readonly counts = new Map<Rejection, number>()
  readonly events: DiagnosticEvent[] = []
  #listeners = new Set<() => void>()

  record(event: DiagnosticEvent): void {
    this.counts.set(event.reason, (this.counts.get(event.reason) ?? 0) + 1)
    this.events.push(event)
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS)
    for (const l of this.#listeners) l()
  }

  get total(): number {
    let n = 0
    for (const [reason, c] of this.counts) if (!reason.startsWith('pending_')) n += c
    return n
  }

  /** Device tags named as writers or claimed authors of rejected entries. */
  suspects(): Set<string> {
    const out = new Set<string>()
    for (const e of this.events) if (e.writtenBy && !e.reason.startsWith('pending_')) out.add(e.writtenBy)
    return out
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
