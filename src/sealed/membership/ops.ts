import { fromBase64url, toBase64url } from '../../crypto/index.ts'

/**
 * Membership changes, the plaintext of `control` entries. Each names the
 * control entries its author had seen (`parents`, 16-byte entry hashes), so
 * the changes form a graph that every device orders the same way
 * (see `linearize.ts`) and reduces with the same pure function (`reduce.ts`).
 *
 * Wire form: JSON, byte strings as base64url. Parsed strictly: anything
 * unexpected makes the whole entry malformed.
 */
export type Role = 'founder' | 'moderator' | 'member'
export const ROLES: readonly Role[] = ['founder', 'moderator', 'member']
export type AdmitAs = 'member' | 'device' | 'relay'

export interface DeviceKeys {
  readonly sign: Uint8Array
  readonly agree: Uint8Array
}

/** Devices removed, each with the last of its sequence numbers the remover had accepted. */
export interface Cutoff {
  readonly device: string
  readonly seq: number
}

export interface Rekey {
  /** Key id of the new content key. */
  readonly key: Uint8Array
  /** Key id of the content key it replaces. */
  readonly parent: Uint8Array
  /** Device tags that were sent the new key. */
  readonly to: readonly string[]
}

export type Op =
  | {
      readonly t: 'genesis'
      /** With the founder's signing key, hashes to the board id. */
      readonly nonce: Uint8Array
      readonly name: string
      readonly agree: Uint8Array
      /** Key id of the board's first content key. */
      readonly key: Uint8Array
      /** Members of a board from before membership, as the founder knew them. */
      readonly members: readonly (DeviceKeys & { readonly name: string })[]
      readonly membersMayInvite: boolean
    }
  | {
      readonly t: 'invite'
      readonly id: Uint8Array
      readonly pub: Uint8Array
      readonly requestKey: Uint8Array
      readonly uses: number
      readonly expiresAt: number | null
      /** Who the invitation lets in: a new member, another device of the inviter's member, or a relay. */
      readonly as: AdmitAs
      /** The inviter wants to see each request and admit it by hand. */
      readonly ask: boolean
    }
  | { readonly t: 'revoke'; readonly id: Uint8Array }
  | {
      readonly t: 'admit'
      /** Hash of the newcomer's request entry. */
      readonly request: Uint8Array
      readonly invite: Uint8Array
      readonly device: DeviceKeys
      readonly name: string
    }
  | { readonly t: 'refuse'; readonly request: Uint8Array }
  | { readonly t: 'remove'; readonly cutoffs: readonly Cutoff[]; readonly rekey: Rekey | null }
  | { readonly t: 'role'; readonly member: string; readonly role: Role; readonly cutoffs: readonly Cutoff[] }
  | { readonly t: 'settings'; readonly membersMayInvite: boolean }
  | { readonly t: 'rekey'; readonly rekey: Rekey }

export interface ControlPayload {
  readonly parents: readonly Uint8Array[]
  readonly op: Op
}

export const HASH_BYTES = 16
const MAX_PARENTS = 64
const MAX_LIST = 10_000
const NAME_MAX = 60

const b = (x: Uint8Array) => toBase64url(x)

function wireOp(op: Op): Record<string, unknown> {
  switch (op.t) {
    case 'genesis':
      return { ...op, nonce: b(op.nonce), agree: b(op.agree), key: b(op.key), members: op.members.map((m) => ({ sign: b(m.sign), agree: b(m.agree), name: m.name })) }
    case 'invite':
      return { ...op, id: b(op.id), pub: b(op.pub), requestKey: b(op.requestKey) }
    case 'revoke':
      return { ...op, id: b(op.id) }
    case 'admit':
      return { ...op, request: b(op.request), invite: b(op.invite), device: { sign: b(op.device.sign), agree: b(op.device.agree) } }
    case 'refuse':
      return { ...op, request: b(op.request) }
    case 'remove':
      return { ...op, cutoffs: op.cutoffs.map((c) => ({ ...c })), rekey: op.rekey && wireRekey(op.rekey) }
    case 'role':
      return { ...op, cutoffs: op.cutoffs.map((c) => ({ ...c })) }
    case 'settings':
      return { ...op }
    case 'rekey':
      return { ...op, rekey: wireRekey(op.rekey) }
  }
}

const wireRekey = (r: Rekey) => ({ key: b(r.key), parent: b(r.parent), to: [...r.to] })

export function encodeControl(payload: ControlPayload): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ v: 1, parents: payload.parents.map(b), op: wireOp(payload.op) }))
}

// ── strict parsing ─────────────────────────────────────────────────────────

class Bad extends Error {}
const fail = (): never => {
  throw new Bad()
}
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail())
const bytes = (v: unknown, length?: number): Uint8Array => {
  const out = typeof v === 'string' ? fromBase64url(v) : null
  return out && (length === undefined || out.length === length) ? out : fail()
}
const bool = (v: unknown): boolean => (typeof v === 'boolean' ? v : fail())
const int = (v: unknown, max = Number.MAX_SAFE_INTEGER): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max ? v : fail())
const list = (v: unknown): unknown[] => (Array.isArray(v) && v.length <= MAX_LIST ? v : fail())
const name = (v: unknown): string => {
  const s = typeof v === 'string' ? v.trim() : fail()
  return s !== '' && [...s].length <= NAME_MAX ? s : fail()
}
const tag = (v: unknown): string => (typeof v === 'string' && /^[A-Za-z0-9_-]{11}$/.test(v) ? v : fail())
const oneOf = <T extends string>(v: unknown, options: readonly T[]): T => (options.includes(v as T) ? (v as T) : fail())
const deviceKeys = (v: unknown): DeviceKeys => {
  const o = obj(v)
  return { sign: bytes(o.sign, 32), agree: bytes(o.agree, 32) }
}
const cutoffs = (v: unknown): Cutoff[] => list(v).map((c) => ({ device: tag(obj(c).device), seq: int(obj(c).seq) }))
const rekey = (v: unknown): Rekey => {
  const o = obj(v)
  return { key: bytes(o.key, 8), parent: bytes(o.parent, 8), to: list(o.to).map(tag) }
}

function parseOp(v: unknown): Op {
  const o = obj(v)
  switch (o.t) {
    case 'genesis':
      return {
        t: 'genesis',
        nonce: bytes(o.nonce, 16),
        name: name(o.name),
        agree: bytes(o.agree, 32),
        key: bytes(o.key, 8),
        members: list(o.members).map((m) => ({ ...deviceKeys(m), name: name(obj(m).name) })),
        membersMayInvite: bool(o.membersMayInvite),
      }
    case 'invite':
      return {
        t: 'invite',
        id: bytes(o.id, 16),
        pub: bytes(o.pub, 32),
        requestKey: bytes(o.requestKey, 32),
        uses: int(o.uses, 1000),
        expiresAt: o.expiresAt === null ? null : int(o.expiresAt),
        as: oneOf(o.as, ['member', 'device', 'relay'] as const),
        ask: bool(o.ask),
      }
    case 'revoke':
      return { t: 'revoke', id: bytes(o.id, 16) }
    case 'admit':
      return { t: 'admit', request: bytes(o.request, HASH_BYTES), invite: bytes(o.invite, 16), device: deviceKeys(o.device), name: name(o.name) }
    case 'refuse':
      return { t: 'refuse', request: bytes(o.request, HASH_BYTES) }
    case 'remove':
      return { t: 'remove', cutoffs: cutoffs(o.cutoffs), rekey: o.rekey === null ? null : rekey(o.rekey) }
    case 'role':
      return { t: 'role', member: tag(o.member), role: oneOf(o.role, ROLES), cutoffs: cutoffs(o.cutoffs) }
    case 'settings':
      return { t: 'settings', membersMayInvite: bool(o.membersMayInvite) }
    case 'rekey':
      return { t: 'rekey', rekey: rekey(o.rekey) }
    default:
      return fail()
  }
}

/** Parses a control payload; null if anything about it is off. Untrusted input: never throws. */
export function decodeControl(raw: Uint8Array): ControlPayload | null {
  try {
    const o = obj(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)))
    if (o.v !== 1) return null
    const parents = list(o.parents).map((p) => bytes(p, HASH_BYTES))
    if (parents.length > MAX_PARENTS) return null
    return { parents, op: parseOp(o.op) }
  } catch {
    return null
  }
}
