import { sha256 } from '@noble/hashes/sha2.js'
import { fromBase64url, toBase64url } from './base64url.ts'
import { BOARD_ID_BYTES } from './entry.ts'
import { TRANSPORT_SECRET_BYTES, type TransportSecret } from './board-secret.ts'
import { CONTENT_KEY_BYTES } from './content-key.ts'
import { INVITATION_SECRET_BYTES } from './invitation.ts'

/**
 * Invites live in the URL fragment `#/join/<payload>`, which browsers never send
 * to a server. payload = base64url( version ‖ body ‖ check ), where check is the
 * first four bytes of SHA-256(version ‖ body): a mistyped or truncated invite
 * becomes a clear error instead of a silently different (empty) board.
 *
 * - version 3 (membership): body = transport secret (32) ‖ board id (16) ‖
 *   invitation secret (32) ‖ inviting device's signing key (32) ‖ purpose (1:
 *   0 a new member, 1 a member's new device, 2 a relay). Never a content key:
 *   the newcomer asks to be let in, and a member's device admits it.
 * - version 2 (sealed boards before membership): transport secret (32) ‖
 *   content key (32) ‖ founder's signing key (32) ‖ inviter's signing key (32),
 *   a key that is not known all zero. Still accepted: it works until the
 *   board's first key rotation.
 * - version 1 (before sealed boards): board secret (32).
 */
const CHECK_BYTES = 4
const V1_BODY = TRANSPORT_SECRET_BYTES
const V2_BODY = TRANSPORT_SECRET_BYTES + CONTENT_KEY_BYTES + 32 + 32
const V3_BODY = TRANSPORT_SECRET_BYTES + BOARD_ID_BYTES + INVITATION_SECRET_BYTES + 32 + 1
const BODY: Readonly<Record<number, number>> = { 1: V1_BODY, 2: V2_BODY, 3: V3_BODY }
export const INVITE_PURPOSES = ['member', 'device', 'relay'] as const
export type InvitePurpose = (typeof INVITE_PURPOSES)[number]
export const INVITE_PREFIX = '#/join/'

export type InviteError = 'empty' | 'not_an_invite' | 'truncated' | 'damaged' | 'unsupported_version'

/** An invitation to ask to be let in (version 3). */
export interface Invite {
  readonly version: 3
  readonly transportSecret: TransportSecret
  readonly boardId: Uint8Array
  readonly invitationSecret: Uint8Array
  /** The device that made the invitation. */
  readonly inviter: Uint8Array
  readonly purpose: InvitePurpose
}

/** An invite from before membership: it carries the keys themselves. */
export interface KeyInvite {
  readonly version: 1 | 2
  readonly transportSecret: TransportSecret
  /** Absent for version 1 invites (boards from before sealed boards). */
  readonly contentKey?: Uint8Array
  readonly founder?: Uint8Array
  readonly inviter?: Uint8Array
}

export type InviteResult = ({ readonly ok: true } & (Invite | KeyInvite)) | { readonly ok: false; readonly error: InviteError }

const check = (versionAndBody: Uint8Array) => sha256(versionAndBody).subarray(0, CHECK_BYTES)

function body(invite: Invite | KeyInvite): number[] {
  if (invite.version === 3) return [...invite.transportSecret, ...invite.boardId, ...invite.invitationSecret, ...invite.inviter, INVITE_PURPOSES.indexOf(invite.purpose)]
  const zero = new Uint8Array(32)
  if (invite.version === 2) return [...invite.transportSecret, ...(invite.contentKey ?? zero), ...(invite.founder ?? zero), ...(invite.inviter ?? zero)]
  return [...invite.transportSecret]
}

export function encodeInvite(invite: Invite | KeyInvite): string {
  const versioned = Uint8Array.from([invite.version, ...body(invite)])
  const payload = new Uint8Array(versioned.length + CHECK_BYTES)
  payload.set(versioned)
  payload.set(check(versioned), versioned.length)
  return toBase64url(payload)
}

/** The full link a person shares: the app's own address with the invite in the fragment. */
export function inviteLink(appUrl: string, invite: Invite | KeyInvite): string {
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
  const prefixAt = text.indexOf(INVITE_PREFIX)
  const payload = prefixAt >= 0 ? text.slice(prefixAt + INVITE_PREFIX.length) : /^[A-Za-z0-9_-]+$/.test(text) ? text : null
  if (payload === null) return { ok: false, error: 'not_an_invite' }
  const bytes = fromBase64url(payload)
  const version = bytes?.[0] ?? fromBase64url(payload.slice(0, 4))?.[0]
  const bodyLength = version === undefined ? null : (BODY[version] ?? null)
  if (bodyLength === null) return unknownVersion(payload, bytes, prefixAt >= 0)
  const expectedLength = 1 + bodyLength + CHECK_BYTES
  if (bytes === null) return { ok: false, error: payload.length < Math.ceil((expectedLength * 4) / 3) ? 'truncated' : 'damaged' }
  if (bytes.length < expectedLength) return { ok: false, error: 'truncated' }
  if (bytes.length > expectedLength) return { ok: false, error: 'damaged' }
  if (!checkHolds(bytes)) return { ok: false, error: 'damaged' }
  const transportSecret = bytes.slice(1, 1 + TRANSPORT_SECRET_BYTES) as TransportSecret
  if (version === 1) return { ok: true, version: 1, transportSecret }
  let at = 1 + TRANSPORT_SECRET_BYTES
  const take = (n: number) => bytes.slice(at, (at += n))
  if (version === 3) {
    const boardId = take(BOARD_ID_BYTES)
    const invitationSecret = take(INVITATION_SECRET_BYTES)
    const inviter = take(32)
    const purpose = INVITE_PURPOSES[bytes[at]!]
    if (!purpose) return { ok: false, error: 'damaged' }
    return { ok: true, version: 3, transportSecret, boardId, invitationSecret, inviter, purpose }
  }
  const contentKey = take(CONTENT_KEY_BYTES)
  const founder = take(32)
  const inviter = take(32)
  const known = (k: Uint8Array) => k.some((b) => b !== 0)
  return { ok: true, version: 2, transportSecret, contentKey, ...(known(founder) ? { founder } : {}), ...(known(inviter) ? { inviter } : {}) }
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
  const invitePayloadLengths = [V1_BODY, V2_BODY, V3_BODY].map((body) => Math.ceil(((1 + body + CHECK_BYTES) * 4) / 3))
  return { ok: false, error: invitePayloadLengths.includes(payload.length) ? 'damaged' : 'not_an_invite' }
}
