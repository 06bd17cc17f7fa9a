import type { AuthorLogs } from './author-log.ts'
import type { Circle } from './circle.ts'

/**
 * After the circle changed: whether an entry already handled would now be
 * judged with other rights (a removal's or demotion's cutoff arrived, a
 * genesis turned an old board into a managed one, an author was proven to
 * equivocate). If so, the readable doc must be rebuilt from the entries.
 * Rights given never change a verdict (content waits for what its author
 * saw); only rights taken do, so the verdicts are looked at again only when
 * the set of rights taken has changed.
 */
export class VerdictCheck {
  readonly #circle: Circle
  readonly #logs: AuthorLogs
  /** The rights taken when the verdicts were last looked at. */
  #judgedSignature = ''

  constructor(circle: Circle, logs: AuthorLogs) {
    this.#circle = circle
    this.#logs = logs
  }

  /** Whether a verdict already given is wrong now. */
  changed(): boolean {
    const signature = decreasesSignature(this.#circle)
    if (signature === this.#judgedSignature) return false
    this.#judgedSignature = signature
    for (const [tag, log] of this.#logs) {
      for (const d of log.done.values()) {
        if (d.judgedWith === undefined) continue
        const rights = this.#circle.rightsAt(tag, d.entry.header.seq, d.heads ?? null)
        const now = rights.kind === 'ok' ? `${rights.active}/${rights.moderator}` : 'wait'
        if (now !== d.judgedWith) return true
      }
      const cutoff = this.#circle.cutoffOf(tag)
      if (cutoff !== null) for (const d of log.done.values()) if (d.entry.header.seq > cutoff && d.outcome === 'applied') return true
    }
    return false
  }

  /** Every verdict is about to be given anew (a rebuild). */
  forget(): void {
    this.#judgedSignature = ''
  }
}

/** The rights the circle has taken (cut-off devices, demotions, equivocators) and its genesis, as one string. */
export function decreasesSignature(circle: Circle): string {
  const parts = [...circle.equivocators].map(([t, f]) => `e${t}:${f}`)
  if (circle.managed) {
    const m = circle.membership()
    parts.push(`g${m.genesis?.hash}`)
    for (const [device, decs] of m.decreases) for (const d of decs) parts.push(`d${device}:${d.hash}`)
    for (const [member, changes] of m.roleChanges) for (const c of changes) parts.push(`r${member}:${c.hash}`)
  }
  return parts.sort().join('|')
}
