import { deviceTag, fingerprint, fromBase64url, toBase64url } from '../../crypto/index.ts'

/** A member device of a board, as its own signed join entry describes it. */
export interface Member {
  readonly tag: string
  readonly signPublic: Uint8Array
  readonly agreePublic: Uint8Array
  readonly name: string
  readonly fingerprint: string
  /** When the device joined (its own clock; informative). */
  readonly joinedAt: number
  /** Device tag of the member whose invite it used, as the joiner states it. */
  readonly invitedBy: string | null
  readonly founder: boolean
  readonly removed: boolean
}

/** The plaintext inside a join entry. */
export interface JoinPayload {
  readonly v: 1
  readonly name: string
  readonly agree: string
  readonly invitedBy: string | null
  readonly at: number
}

export const MEMBER_NAME_MAX = 60

export function encodeJoin(p: { name: string; agreePublic: Uint8Array; invitedBy: string | null; at: number }): Uint8Array {
  const payload: JoinPayload = { v: 1, name: p.name, agree: toBase64url(p.agreePublic), invitedBy: p.invitedBy, at: p.at }
  return new TextEncoder().encode(JSON.stringify(payload))
}

/** Parses a join payload defensively; null if anything is off. */
export function decodeJoin(bytes: Uint8Array): JoinPayload | null {
  let data: unknown
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return null
  }
  if (typeof data !== 'object' || data === null) return null
  const o = data as Record<string, unknown>
  if (o.v !== 1 || typeof o.name !== 'string' || typeof o.agree !== 'string' || typeof o.at !== 'number') return null
  const name = o.name.trim()
  if (name === '' || [...name].length > MEMBER_NAME_MAX) return null
  const agree = fromBase64url(o.agree)
  if (!agree || agree.length !== 32) return null
  if (o.invitedBy !== null && (typeof o.invitedBy !== 'string' || o.invitedBy.length > 64)) return null
  return { v: 1, name, agree: o.agree, invitedBy: o.invitedBy, at: o.at }
}

/** The board's members, built only from verified join entries. */
export class Roster {
  readonly #members = new Map<string, Member>()
  readonly #founder: string | null
  /** seq of the join entry that set each member's current profile (a later join renames). */
  readonly #profileSeq = new Map<string, number>()

  constructor(founder: Uint8Array | undefined) {
    this.#founder = founder ? deviceTag(founder) : null
  }

  get(tag: string): Member | undefined {
    return this.#members.get(tag)
  }

  has(tag: string): boolean {
    return this.#members.has(tag)
  }

  list(): Member[] {
    return [...this.#members.values()].sort((a, b) => a.joinedAt - b.joinedAt || a.tag.localeCompare(b.tag))
  }

  /** Records a verified join (or profile change) by the device with this signing key. */
  apply(signPublic: Uint8Array, seq: number, join: JoinPayload): void {
    const tag = deviceTag(signPublic)
    const previous = this.#members.get(tag)
    if (previous && (this.#profileSeq.get(tag) ?? 0) > seq) return
    this.#profileSeq.set(tag, seq)
    this.#members.set(tag, {
      tag,
      signPublic,
      agreePublic: fromBase64url(join.agree)!,
      name: join.name,
      fingerprint: fingerprint(signPublic),
      joinedAt: previous?.joinedAt ?? join.at,
      invitedBy: previous?.invitedBy ?? join.invitedBy,
      founder: tag === this.#founder,
      removed: previous?.removed ?? false,
    })
  }
}
