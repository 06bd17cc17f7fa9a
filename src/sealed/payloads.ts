import { sha256 } from '@noble/hashes/sha2.js'
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js'
import { fromBase64url, toBase64url } from '../crypto/index.ts'
import { HASH_BYTES } from './membership/ops.ts'

/**
 * The plaintexts of entry kinds other than control (membership/ops.ts) and
 * join (profile.ts). Every decoder is strict and never throws.
 */

/** An entry's 16-byte hash, base64url: how control entries name their parents and admissions name requests. */
export function entryHash(bytes: Uint8Array): string {
  return toBase64url(sha256(bytes).subarray(0, HASH_BYTES))
}

/** The same hash by the platform's native SHA-256 (WebCrypto): for every entry that arrives, where it can wait. */
export async function entryHashNative(bytes: Uint8Array): Promise<string> {
  return entryHashOf(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)))
}

/** entryHash from the entry's SHA-256 digest (checkEntry gives it). */
export function entryHashOf(digest: Uint8Array): string {
  return toBase64url(digest.subarray(0, HASH_BYTES))
}

// ── content (update, snapshot) ─────────────────────────────────────────────

/**
 * version 2 content: varuint n ‖ n × 16-byte hashes of the control entries its
 * author had seen (its heads: the author's rights are judged from them) ‖ Yjs
 * update. Version 1 entries are a bare Yjs update (heads: none, only the
 * genesis).
 */
export function encodeContent(heads: readonly string[], update: Uint8Array): Uint8Array {
  const hs = heads.map((h) => fromBase64url(h)!)
  const out = new Uint8Array(1 + hs.length * HASH_BYTES + update.length)
  out[0] = hs.length
  hs.forEach((h, i) => out.set(h, 1 + i * HASH_BYTES))
  out.set(update, 1 + hs.length * HASH_BYTES)
  return out
}

export function decodeContent(payload: Uint8Array): { heads: string[]; update: Uint8Array } | null {
  const n = payload[0]
  if (n === undefined || n > 64 || payload.length < 1 + n * HASH_BYTES) return null
  const heads: string[] = []
  for (let i = 0; i < n; i++) heads.push(toBase64url(payload.subarray(1 + i * HASH_BYTES, 1 + (i + 1) * HASH_BYTES)))
  return { heads, update: payload.subarray(1 + n * HASH_BYTES) }
}

// ── join requests ──────────────────────────────────────────────────────────

export interface RequestPayload {
  readonly name: string
  readonly agree: Uint8Array
  /** Invitation id (16 bytes). */
  readonly invite: Uint8Array
  /** Signature by the invitation key over requestProofMessage(...). */
  readonly proof: Uint8Array
}

/** What the invitation key signs: this board, this device's keys. Nothing in it can be reused elsewhere. */
export function requestProofMessage(boardId: Uint8Array, sign: Uint8Array, agree: Uint8Array): Uint8Array {
  return new Uint8Array([...utf8ToBytes('hearth/v2/request\0'), ...boardId, ...sign, ...agree])
}

export function encodeRequest(p: RequestPayload): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ v: 1, name: p.name, agree: toBase64url(p.agree), invite: toBase64url(p.invite), proof: toBase64url(p.proof) }))
}

export function decodeRequest(raw: Uint8Array): RequestPayload | null {
  try {
    const o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as Record<string, unknown>
    if (typeof o !== 'object' || o === null || o.v !== 1 || typeof o.name !== 'string') return null
    const name = o.name.trim()
    const agree = typeof o.agree === 'string' ? fromBase64url(o.agree) : null
    const invite = typeof o.invite === 'string' ? fromBase64url(o.invite) : null
    const proof = typeof o.proof === 'string' ? fromBase64url(o.proof) : null
    if (name === '' || [...name].length > 60 || agree?.length !== 32 || invite?.length !== 16 || proof?.length !== 64) return null
    return { name, agree, invite, proof }
  } catch {
    return null
  }
}

// ── keys sent in lockboxes ─────────────────────────────────────────────────

/** What a lockbox gives a device: content keys (not to relays) and the transport secret of the epoch. */
export interface KeyGift {
  /** Content keys, oldest first. Empty for relays. */
  readonly contentKeys: readonly Uint8Array[]
  readonly transport: Uint8Array
}

export function encodeGift(g: KeyGift): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ v: 1, k: g.contentKeys.map(toBase64url), t: toBase64url(g.transport) }))
}

export function decodeGift(raw: Uint8Array): KeyGift | null {
  try {
    const o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as Record<string, unknown>
    if (o.v !== 1 || !Array.isArray(o.k) || o.k.length > 10_000 || typeof o.t !== 'string') return null
    const contentKeys = o.k.map((k) => (typeof k === 'string' ? fromBase64url(k) : null))
    const transport = fromBase64url(o.t)
    if (contentKeys.some((k) => k?.length !== 32) || transport?.length !== 32) return null
    return { contentKeys: contentKeys as Uint8Array[], transport }
  } catch {
    return null
  }
}

// ── welcome (admission lockbox) and rotate (rotation lockboxes) ────────────

/** welcome = request hash (16) ‖ lockbox set. */
export function encodeWelcome(requestHash: string, lockboxes: Uint8Array): Uint8Array {
  return concatBytes(fromBase64url(requestHash)!, lockboxes)
}

export function decodeWelcome(raw: Uint8Array): { request: string; lockboxes: Uint8Array } | null {
  return raw.length > HASH_BYTES ? { request: toBase64url(raw.subarray(0, HASH_BYTES)), lockboxes: raw.subarray(HASH_BYTES) } : null
}

/** rotate = new key id (8) ‖ parent key id (8) ‖ hash of the control entry that rotates (16) ‖ lockbox set. */
export function encodeRotate(key: Uint8Array, parent: Uint8Array, control: string, lockboxes: Uint8Array): Uint8Array {
  return concatBytes(key, parent, fromBase64url(control)!, lockboxes)
}

export function decodeRotate(raw: Uint8Array): { key: Uint8Array; parent: Uint8Array; control: string; lockboxes: Uint8Array } | null {
  if (raw.length <= 32) return null
  return { key: raw.slice(0, 8), parent: raw.slice(8, 16), control: toBase64url(raw.subarray(16, 32)), lockboxes: raw.subarray(32) }
}

/** Binds a lockbox set to its board and purpose. */
export function lockboxContext(purpose: 'welcome' | 'rotate', boardId: Uint8Array, binding: Uint8Array): Uint8Array {
  return concatBytes(utf8ToBytes(`hearth/v2/${purpose}\0`), boardId, binding)
}
