import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { toBase64url } from './base64url.ts'

/** 32 random bytes that make someone a member of a board. Never leaves the device except in an invite. */
export type BoardSecret = Uint8Array & { readonly __brand: 'BoardSecret' }
/** Local, non-secret id of a board on this device (names its IndexedDB database). */
export type BoardId = string & { readonly __brand: 'BoardId' }

export const BOARD_SECRET_BYTES = 32

export function generateBoardSecret(): BoardSecret {
  return crypto.getRandomValues(new Uint8Array(BOARD_SECRET_BYTES)) as BoardSecret
}

export function asBoardSecret(bytes: Uint8Array): BoardSecret | null {
  return bytes.length === BOARD_SECRET_BYTES ? (bytes as BoardSecret) : null
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
const derive = (secret: BoardSecret, label: string, length: number) =>
  hkdf(sha256, secret, utf8ToBytes('hearth/v1'), utf8ToBytes(label), length)

/** Derives the board id, room name and signaling password from the board secret (HKDF-SHA256). */
export function deriveTransportKeys(secret: BoardSecret): TransportKeys {
  return {
    boardId: toBase64url(derive(secret, 'board-id', 16)) as BoardId,
    room: 'h1-' + toBase64url(derive(secret, 'room', 32)),
    password: toBase64url(derive(secret, 'signaling-password', 32)),
  }
}
