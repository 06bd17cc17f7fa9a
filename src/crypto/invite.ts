import { sha256 } from '@noble/hashes/sha2.js'
import { fromBase64url, toBase64url } from './base64url.ts'
import { BOARD_SECRET_BYTES, type BoardSecret } from './board-secret.ts'
import { CONTENT_KEY_BYTES } from './content-key.ts'

/**
 * Invites live in the URL fragment `#/join/<payload>`, which browsers never send
 * to a server. payload = base64url( version ‖ body ‖ check ), where check is the
 * first four bytes of SHA-256(version ‖ body): a mistyped or truncated invite
 * becomes a clear error instead of a silently different (empty) board.
 *
 * - version 1 (before sealed boards): body = board secret (32)
 * - version 2: body = transport secret (32) ‖ content key (32) ‖ founder's
 *   device signing key (32) ‖ inviting device's signing key (32); a key that
 *   is not known is all zero
 */
const CHECK_BYTES = 4
const V1_BODY = BOARD_SECRET_BYTES
const V2_BODY = BOARD_SECRET_BYTES + CONTENT_KEY_BYTES + 32 + 32
export const INVITE_PREFIX = '#/join/'

export type InviteError = 'empty' | 'not_an_invite' | 'truncated' | 'damaged' | 'unsupported_version'

export interface Invite {
  readonly secret: BoardSecret
  /** Absent for version 1 invites (boards from before sealed boards). */
  readonly contentKey?: Uint8Array
  readonly founder?: Uint8Array
  /** The device that made the invite. */
  readonly inviter?: Uint8Array
}

export type InviteResult = ({ readonly ok: true } & Invite) | { readonly ok: false; readonly error: InviteError }

const check = (versionAndBody: Uint8Array) => sha256(versionAndBody).subarray(0, CHECK_BYTES)

export function encodeInvite(invite: Invite | BoardSecret): string {
  const { secret, contentKey, founder, inviter } = invite instanceof Uint8Array ? { secret: invite, contentKey: undefined, founder: undefined, inviter: undefined } : invite
  const zero = new Uint8Array(32)
  const body = contentKey ? [...secret, ...contentKey, ...(founder ?? zero), ...(inviter ?? zero)] : [...secret]
  const versioned = Uint8Array.from([contentKey ? 2 : 1, ...body])
  const payload = new Uint8Array(versioned.length + CHECK_BYTES)
  payload.set(versioned)
  payload.set(check(versioned), versioned.length)
  return toBase64url(payload)
}

/** The full link a person shares: the app's own address with the invite in the fragment. */
export function inviteLink(appUrl: string, invite: Invite | BoardSecret): string {
  return appUrl.split('#')[0]! + INVITE_PREFIX + encodeInvite(invite)
}

/**
 * Parses what a person pasted or scanned: a whole invite link, or just its payload.
 * Whitespace and line breaks (from chat apps) are ignored.
 *
 * Every version ends with the same check bytes, so "made by a newer version"
 * is said only of an invite whose check holds: ordinary words, or an invite
 * whose first character was mistyped (which changes its version byte), are
 * "not an invite" or "damaged" instead, never a reason to update the app.
 */
export function parseInvite(input: string): InviteResult {
  const text = input.replace(/\s+/g, '')
  if (text === '') return { ok: false, error: 'empty' }
  const at = text.indexOf(INVITE_PREFIX)
  const payload = at >= 0 ? text.slice(at + INVITE_PREFIX.length) : /^[A-Za-z0-9_-]+$/.test(text) ? text : null
  if (payload === null) return { ok: false, error: 'not_an_invite' }
  const bytes = fromBase64url(payload)
  const version = bytes?.[0] ?? fromBase64url(payload.slice(0, 4))?.[0]
  const bodyLength = version === 1 ? V1_BODY : version === 2 ? V2_BODY : null
  if (bodyLength === null) return unknownVersion(payload, bytes, at >= 0)
  const expectedLength = 1 + bodyLength + CHECK_BYTES
  if (bytes === null) return { ok: false, error: payload.length < Math.ceil((expectedLength * 4) / 3) ? 'truncated' : 'damaged' }
  if (bytes.length < expectedLength) return { ok: false, error: 'truncated' }
  if (bytes.length > expectedLength) return { ok: false, error: 'damaged' }
  if (!checkHolds(bytes)) return { ok: false, error: 'damaged' }
  const secret = bytes.slice(1, 1 + BOARD_SECRET_BYTES) as BoardSecret
  if (version === 1) return { ok: true, secret }
  const contentKey = bytes.slice(1 + BOARD_SECRET_BYTES, 1 + BOARD_SECRET_BYTES + CONTENT_KEY_BYTES)
  const keysAt = 1 + BOARD_SECRET_BYTES + CONTENT_KEY_BYTES
  const founder = bytes.slice(keysAt, keysAt + 32)
  const inviter = bytes.slice(keysAt + 32, keysAt + 64)
  const known = (k: Uint8Array) => k.some((b) => b !== 0)
  return { ok: true, secret, contentKey, ...(known(founder) ? { founder } : {}), ...(known(inviter) ? { inviter } : {}) }
}

/** Whether the last CHECK_BYTES bytes are the check of everything before them. */
function checkHolds(bytes: Uint8Array): boolean {
  if (bytes.length <= CHECK_BYTES) return false
  const versioned = bytes.subarray(0, bytes.length - CHECK_BYTES)
  const expected = check(versioned)
  return expected.every((b, i) => b === bytes[versioned.length + i])
}

/**
 * A version byte this app does not know. With a valid check it is a newer
 * invite; otherwise an invite link (or a payload as long as one) is damaged,
 * and anything else is not an invite at all.
 */
function unknownVersion(payload: string, bytes: Uint8Array | null, isLink: boolean): InviteResult {
  if (bytes && checkHolds(bytes)) return { ok: false, error: 'unsupported_version' }
  if (isLink) return { ok: false, error: payload.length < 2 ? 'truncated' : 'damaged' }
  const invitePayloadLengths = [V1_BODY, V2_BODY].map((body) => Math.ceil(((1 + body + CHECK_BYTES) * 4) / 3))
  return { ok: false, error: invitePayloadLengths.includes(payload.length) ? 'damaged' : 'not_an_invite' }
}
