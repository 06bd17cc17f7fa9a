import { fromBase64url, toBase64url } from '../crypto/index.ts'

/**
 * A device's profile on a board: its display name and X25519 key, the
 * plaintext of a `join` entry. On boards from before membership a join entry
 * made its device a member; now it only renames (admission makes members).
 * `invitedBy` and `at` are the writer's own claims: kept for old entries,
 * never trusted.
 */
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

