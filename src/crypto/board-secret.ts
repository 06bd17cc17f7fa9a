import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { toBase64url } from './base64url.ts'

/**
 * The transport secret: 32 random bytes that find a board's room and encrypt
 * its signaling. Holding it lets a device carry the board's sealed entries
 * (a relay does), never read them: that takes a content key. Each key epoch
 * has its own. Never leaves the device except in an invite or a lockbox.
 */
export type TransportSecret = Uint8Array & { readonly __brand: 'TransportSecret' }
/** Local, non-secret id of a board on this device (names its IndexedDB database). */
export type BoardId = string & { readonly __brand: 'BoardId' }

export const TRANSPORT_SECRET_BYTES = 32

export function generateTransportSecret(): TransportSecret {
  return crypto.getRandomValues(new Uint8Array(TRANSPORT_SECRET_BYTES)) as TransportSecret
}

export function asTransportSecret(bytes: Uint8Array): TransportSecret | null {
  return bytes.length === TRANSPORT_SECRET_BYTES ? (bytes as TransportSecret) : null
}

/** What replication needs from the secret. The signaling server sees only `room`. */
export interface TransportKeys {
  readonly boardId: BoardId
  /** Opaque y-webrtc room name: reveals nothing about the board or its secret. */
  readonly room: string
  /** y-webrtc password: encrypts signaling (SDP) and BroadcastChannel traffic. */
  readonly password: string
}

// Domain separation: each derived value has its own label, so one can never
// be mistaken for (or used to compute) another.
const derive = (secret: TransportSecret, label: string, length: number) =>
  hkdf(sha256, secret, utf8ToBytes('hearth/v1'), utf8ToBytes(label), length)

/**
 * Derives the room name and signaling password from a transport secret
 * (HKDF-SHA256), and the board id that boards made before membership used
 * (newer boards' ids are bound to their founder: see `foundedBoardId`).
 */
export function deriveTransportKeys(secret: TransportSecret): TransportKeys {
  return {
    boardId: toBase64url(derive(secret, 'board-id', 16)) as BoardId,
    room: 'h1-' + toBase64url(derive(secret, 'room', 32)),
    password: toBase64url(derive(secret, 'signaling-password', 32)),
  }
}

/**
 * The key of entries that every holder of the transport secret may read
 * (admission lockboxes, key rotations): they carry only lockboxes, so this
 * layer keeps them from whoever merely sees the room's traffic.
 */
export function publicEntryKey(secret: TransportSecret): Uint8Array {
  return derive(secret, 'public-entries', 32)
}

/**
 * A board's permanent id, bound to its founder: SHA-256 of the founder's
 * signing key and a random nonce, both in the founder's genesis entry. Every
 * device can check that the genesis it reads is the founder's, so no member
 * can claim to have founded the board. Names the board's local database.
 */
export function foundedBoardId(founder: Uint8Array, nonce: Uint8Array): BoardId {
  const input = new Uint8Array([...utf8ToBytes('hearth/v2/board\0'), ...founder, ...nonce])
  return toBase64url(sha256(input).subarray(0, 16)) as BoardId
}
