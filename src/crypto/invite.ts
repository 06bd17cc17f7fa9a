import { sha256 } from '@noble/hashes/sha2.js'
import { fromBase64url, toBase64url } from './base64url.ts'
import { BOARD_SECRET_BYTES, type BoardSecret } from './board-secret.ts'

/**
 * Invite format, version 1: the URL fragment `#/join/<payload>`, where payload is
 * base64url( version(1) ‖ board secret(32) ‖ check(4) ) and check is the first
 * four bytes of SHA-256 over version ‖ secret. The fragment is never sent to any
 * server by the browser. The check turns a mistyped or truncated invite into a
 * clear error instead of a silently different (empty) board.
 */
const VERSION = 1
const CHECK_BYTES = 4
const PAYLOAD_BYTES = 1 + BOARD_SECRET_BYTES + CHECK_BYTES
export const INVITE_PREFIX = '#/join/'

export type InviteError = 'empty' | 'not_an_invite' | 'truncated' | 'damaged' | 'unsupported_version'
export type InviteResult = { readonly ok: true; readonly secret: BoardSecret } | { readonly ok: false; readonly error: InviteError }

const check = (versionAndSecret: Uint8Array) => sha256(versionAndSecret).subarray(0, CHECK_BYTES)

export function encodeInvite(secret: BoardSecret): string {
  const payload = new Uint8Array(PAYLOAD_BYTES)
  payload[0] = VERSION
  payload.set(secret, 1)
  payload.set(check(payload.subarray(0, 1 + BOARD_SECRET_BYTES)), 1 + BOARD_SECRET_BYTES)
  return toBase64url(payload)
}

/** The full link a person shares: the app's own address with the invite in the fragment. */
export function inviteLink(appUrl: string, secret: BoardSecret): string {
  const base = appUrl.split('#')[0]!
  return base + INVITE_PREFIX + encodeInvite(secret)
}

/**
 * Parses what a person pasted or scanned: a whole invite link, or just its payload.
 * Whitespace and line breaks (from chat apps) are ignored.
 */
export function parseInvite(input: string): InviteResult {
  const text = input.replace(/\s+/g, '')
  if (text === '') return { ok: false, error: 'empty' }
  const at = text.indexOf(INVITE_PREFIX)
  const payload = at >= 0 ? text.slice(at + INVITE_PREFIX.length) : /^[A-Za-z0-9_-]+$/.test(text) ? text : null
  if (payload === null) return { ok: false, error: 'not_an_invite' }
  const bytes = fromBase64url(payload)
  if (bytes === null) return { ok: false, error: payload.length < 50 ? 'truncated' : 'damaged' }
  if (bytes.length > 0 && bytes[0] !== VERSION) return { ok: false, error: 'unsupported_version' }
  if (bytes.length < PAYLOAD_BYTES) return { ok: false, error: 'truncated' }
  if (bytes.length > PAYLOAD_BYTES) return { ok: false, error: 'damaged' }
  const body = bytes.subarray(0, 1 + BOARD_SECRET_BYTES)
  const expected = check(body)
  const actual = bytes.subarray(1 + BOARD_SECRET_BYTES)
  if (!expected.every((b, i) => b === actual[i])) return { ok: false, error: 'damaged' }
  return { ok: true, secret: bytes.slice(1, 1 + BOARD_SECRET_BYTES) as BoardSecret }
}
