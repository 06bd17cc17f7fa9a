import { concatBytes as concat, utf8ToBytes } from '@noble/hashes/utils.js'
import type { ContentCipher } from './content-key.ts'
import { NONCE_BYTES } from './content-key.ts'
import type { DeviceSigner } from './device.ts'
import { checkEntryWith, inlineCrypto, SIGNATURE_BYTES, type EntryCheck, type EntryCrypto } from './entry-crypto.ts'
import { FIRST_KEY_ID, KEY_ID_BYTES } from './key-id.ts'

/** Stands for a version 1 epoch other than 0: a key no device has. */
const UNKNOWN_KEY_ID = new Uint8Array(KEY_ID_BYTES).fill(0xff)

/**
 * A sealed entry: one signed, encrypted record of a board.
 *
 *   header  = 'H' ‖ version(1) ‖ kind(1) ‖ boardId(16) ‖ keyId(8)
 *             ‖ author(32, Ed25519 public key) ‖ seq(varuint) ‖ from(varuint)
 *   entry   = header ‖ nonce(12) ‖ ciphertext ‖ signature(64)
 *
 * The ciphertext is AES-256-GCM of the payload under the key named by
 * `keyId` (see key-id.ts: a content key of some epoch, an invitation's request
 * key, or the room's public-entry key), with the header as associated data.
 * The signature is Ed25519 by `author` over  CONTEXT ‖ header ‖ nonce ‖
 * ciphertext,  so it binds the board, the key, the author and the sequence
 * number, and is checked before anything is decrypted (sign, then check, then
 * decrypt, as secsync does). `from` is the first sequence number a snapshot
 * replaces (equal to `seq` otherwise).
 *
 * Version 1 entries (before membership) had a varuint key epoch instead of
 * `keyId`; they are still read, epoch 0 only, as entries under the board's
 * first content key (`FIRST_KEY_ID`). New entries are always version 2.
 */
export const ENTRY_KINDS = ['join', 'update', 'snapshot', 'legacy', 'control', 'request', 'welcome', 'rotate'] as const
export type EntryKind = (typeof ENTRY_KINDS)[number]

const MAGIC = 0x48
const CONTEXT: Readonly<Record<1 | 2, Uint8Array>> = { 1: utf8ToBytes('hearth/v1/entry\0'), 2: utf8ToBytes('hearth/v2/entry\0') }
export const BOARD_ID_BYTES = 16

/** Largest entry of each kind, checked before anything else is parsed. */
export const MAX_ENTRY_BYTES: Readonly<Record<EntryKind, number>> = {
  join: 16 * 1024,
  update: 1024 * 1024,
  snapshot: 32 * 1024 * 1024,
  legacy: 32 * 1024 * 1024,
  control: 1024 * 1024,
  request: 16 * 1024,
  welcome: 256 * 1024,
  rotate: 8 * 1024 * 1024,
}

export interface EntryHeader {
  /** 2 unless read from an old entry. */
  readonly version?: 1 | 2
  readonly kind: EntryKind
  readonly boardId: Uint8Array
  /** Names the key the payload is encrypted with (8 bytes). */
  readonly keyId: Uint8Array
  readonly author: Uint8Array
  readonly seq: number
  readonly from: number
}

export interface ParsedEntry {
  readonly header: EntryHeader
  readonly headerBytes: Uint8Array
  readonly nonce: Uint8Array
  readonly ciphertext: Uint8Array
  readonly signature: Uint8Array
  /** What the signature covers: `context` ‖ the entry's bytes before its signature. */
  readonly signed: Uint8Array
  /** The signing context of the entry's version. */
  readonly context: Uint8Array
}

export type ParseError = 'malformed' | 'oversized'

function writeVarUint(out: number[], n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('varuint out of range')
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
}

function readVarUint(bytes: Uint8Array, at: { i: number }): number | null {
  let n = 0
  let mul = 1
  for (let k = 0; k < 8; k++) {
    const b = bytes[at.i++]
    if (b === undefined) return null
    n += (b & 0x7f) * mul
    if (b < 0x80) return Number.isSafeInteger(n) ? n : null
    mul *= 0x80
  }
  return null
}

export function encodeHeader(h: EntryHeader): Uint8Array {
  const version = h.version ?? 2
  if (h.boardId.length !== BOARD_ID_BYTES || h.author.length !== 32 || h.keyId.length !== KEY_ID_BYTES) throw new RangeError('bad header field length')
  const out: number[] = [MAGIC, version, ENTRY_KINDS.indexOf(h.kind)]
  out.push(...h.boardId)
  if (version === 1) {
    // Old boards: only epoch 0 ever existed.
    if (!h.keyId.every((b) => b === 0)) throw new RangeError('version 1 entries have epoch 0 only')
    writeVarUint(out, 0)
  } else out.push(...h.keyId)
  out.push(...h.author)
  writeVarUint(out, h.seq)
  writeVarUint(out, h.from)
  return Uint8Array.from(out)
}


/** Encrypts and signs a payload into an entry. */
export async function sealEntry(header: EntryHeader, payload: Uint8Array, cipher: ContentCipher, signer: DeviceSigner): Promise<Uint8Array> {
  if (!signer.publicKey.every((b, i) => b === header.author[i])) throw new Error('An entry is signed by its author')
  const headerBytes = encodeHeader(header)
  const { nonce, ciphertext } = await cipher.encrypt(payload, headerBytes)
  const body = concat(headerBytes, nonce, ciphertext)
  const signature = await signer.sign(concat(CONTEXT[header.version ?? 2], body))
  const entry = concat(body, signature)
  if (entry.length > MAX_ENTRY_BYTES[header.kind]) throw new RangeError(`A ${header.kind} entry may not exceed ${MAX_ENTRY_BYTES[header.kind]} bytes`)
  return entry
}

/** Parses an entry's structure. Untrusted input: never throws. */
export function parseEntry(bytes: unknown): { ok: true; entry: ParsedEntry } | { ok: false; error: ParseError } {
  if (!(bytes instanceof Uint8Array) || bytes.length < 3) return { ok: false, error: 'malformed' }
  const version = bytes[1]
  if (bytes[0] !== MAGIC || (version !== 1 && version !== 2)) return { ok: false, error: 'malformed' }
  const kind = ENTRY_KINDS[bytes[2]!]
  if (!kind || (version === 1 && ENTRY_KINDS.indexOf(kind) > 3)) return { ok: false, error: 'malformed' }
  if (bytes.length > MAX_ENTRY_BYTES[kind]) return { ok: false, error: 'oversized' }
  const at = { i: 3 }
  const boardId = bytes.slice(at.i, (at.i += BOARD_ID_BYTES))
  let keyId: Uint8Array | null
  if (version === 1) {
    // Version 1 knew only epoch 0: anything else is not ours to read.
    const epoch = readVarUint(bytes, at)
    keyId = epoch === 0 ? FIRST_KEY_ID : epoch === null ? null : UNKNOWN_KEY_ID
  } else keyId = bytes.slice(at.i, (at.i += KEY_ID_BYTES))
  const author = bytes.slice(at.i, (at.i += 32))
  const seq = readVarUint(bytes, at)
  const from = readVarUint(bytes, at)
  if (keyId === null || keyId.length !== KEY_ID_BYTES || seq === null || from === null || author.length !== 32 || boardId.length !== BOARD_ID_BYTES) return { ok: false, error: 'malformed' }
  if (seq < 1 || from < 1 || from > seq || (kind !== 'snapshot' && from !== seq)) return { ok: false, error: 'malformed' }
  const headerEnd = at.i
  // GCM tag is 16 bytes: the ciphertext is at least that long.
  if (bytes.length < headerEnd + NONCE_BYTES + 16 + SIGNATURE_BYTES) return { ok: false, error: 'malformed' }
  const sigStart = bytes.length - SIGNATURE_BYTES
  return {
    ok: true,
    entry: {
      header: { version, kind, boardId, keyId, author, seq, from },
      headerBytes: bytes.subarray(0, headerEnd),
      nonce: bytes.subarray(headerEnd, headerEnd + NONCE_BYTES),
      ciphertext: bytes.subarray(headerEnd + NONCE_BYTES, sigStart),
      signature: bytes.subarray(sigStart),
      context: CONTEXT[version],
      // Joined when asked for: checkEntry hands the entry over without joining it (a copy of megabytes).
      get signed() {
        return concat(CONTEXT[version], bytes.subarray(0, sigStart))
      },
    },
  }
}

/** Checks the author's signature over the entry (on this thread unless `work` runs elsewhere). */
export function verifyEntry(entry: ParsedEntry, work: EntryCrypto = inlineCrypto): Promise<boolean> {
  return work.verify(entry.header.author, entry.signature, entry.signed)
}

/**
 * The entry's signature and its SHA-256 digest, `bytes` being what `entry`
 * was parsed from: in one request where `work` can (a worker gets the bytes
 * once), else `verify` and a digest here.
 */
export function checkEntry(entry: ParsedEntry, bytes: Uint8Array, work: EntryCrypto = inlineCrypto): Promise<EntryCheck> {
  return checkEntryWith(work, entry.header.author, entry.context, bytes)
}

/**
 * checkEntry, and the entry's decryption under `cipher` begun alongside
 * (`opening`: null without a cipher). Where `work` has `checkAndDecrypt` (a
 * worker's), both are one request and the entry's bytes go over once. The
 * opening is for an entry whose check is valid only.
 */
export function checkAndOpenEntry(entry: ParsedEntry, bytes: Uint8Array, work: EntryCrypto = inlineCrypto, cipher: ContentCipher | null = null): { check: Promise<EntryCheck>; opening: Promise<Uint8Array | null> | null } {
  if (!cipher) return { check: checkEntry(entry, bytes, work), opening: null }
  if (!work.checkAndDecrypt) {
    const opening = openEntry(entry, cipher)
    return { check: checkEntry(entry, bytes, work), opening }
  }
  const both = work.checkAndDecrypt(entry.header.author, entry.context, bytes, cipher.key, entry.headerBytes.length)
  return { check: both, opening: both.then((b) => b.plain) }
}

/** Decrypts a verified entry; null if it does not decrypt under this key. */
export function openEntry(entry: ParsedEntry, cipher: ContentCipher): Promise<Uint8Array | null> {
  return cipher.decrypt(entry.nonce, entry.ciphertext, entry.headerBytes)
}
