import { checkAndOpenEntry, deviceTag, parseEntry, type ContentCipher, type EntryCrypto, type ParsedEntry } from '../crypto/index.ts'
import type { Rejection } from './diagnostics.ts'
import { entryKey, MAX_KEY_LENGTH } from './entry-key.ts'
import { entryHashOf } from './payloads.ts'

/** What a value found under a key of the shared map is, before anything else looks at it. */
export type Screened =
  | { readonly ok: true; readonly entry: ParsedEntry; readonly bytes: Uint8Array; readonly author: string; readonly hash: string; readonly opening: Promise<Uint8Array | null> | null }
  | { readonly ok: false; readonly reason: Rejection; readonly entry: ParsedEntry | null }

/**
 * Byte equality (not constant-time: it compares public entries). Entries
 * run to megabytes and are compared each time a sync brings them again, so
 * four bytes at a time where both views allow it (a Yjs value is a buffer
 * of its own, so they usually do).
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  let i = 0
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const words = a.length >>> 2
    const x = new Uint32Array(a.buffer, a.byteOffset, words)
    const y = new Uint32Array(b.buffer, b.byteOffset, words)
    for (let w = 0; w < words; w++) if (x[w] !== y[w]) return false
    i = words << 2
  }
  for (; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * The first judgement of an entry, touching nothing: its structure, that it
 * belongs to this board, that it sits under the key its header names (no
 * replays under other keys), and its author's signature; and its hash. Only a sound entry
 * proves who wrote it; a failure is the same for every device. `work` is
 * where the signature is checked (entry-crypto.ts).
 *
 * `cipherFor`, if given, names the cipher to decrypt the entry with (null:
 * not now), and its decryption begins alongside the signature check (each is
 * a trip to the platform's crypto, and one after the other they were two on
 * the way from a peer's post to the board; where the checks run in a worker,
 * the two are one request: entry.ts, `checkAndOpenEntry`). What it decrypts
 * is used only once the signature holds; an entry whose signature fails is
 * refused for that, whatever its decryption gave.
 */
export async function screenEntry(key: string, value: unknown, boardId: Uint8Array, work?: EntryCrypto, cipherFor?: (entry: ParsedEntry) => ContentCipher | null): Promise<Screened> {
  const parsed = key.length <= MAX_KEY_LENGTH ? parseEntry(value) : ({ ok: false, error: 'malformed' } as const)
  if (!parsed.ok) return { ok: false, reason: parsed.error, entry: null }
  const entry = parsed.entry
  if (!sameBytes(entry.header.boardId, boardId)) return { ok: false, reason: 'wrong_board', entry }
  if (entryKey(entry.header) !== key) return { ok: false, reason: 'wrong_key', entry }
  const bytes = value as Uint8Array
  // Its hash (entryHash) with the signature check: one request, where the checks run in a worker.
  const { check, opening } = checkAndOpenEntry(entry, bytes, work, cipherFor?.(entry) ?? null)
  // Not awaited if the signature fails.
  opening?.catch(() => undefined)
  const { valid, digest } = await check
  if (!valid) return { ok: false, reason: 'bad_signature', entry }
  return { ok: true, entry, bytes, author: deviceTag(entry.header.author), hash: entryHashOf(digest), opening }
}
