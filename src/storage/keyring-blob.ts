import { fromBase64url, toBase64url, type ScryptParams } from '../crypto/index.ts'
import type { BoardRecord, KeyringContents } from './keyring-types.ts'

/** How the blob's key-encryption key (KEK) is kept. */
export type KeyringMode = 'device' | 'passphrase'

/** What the keyring stores on disk: only ciphertext, plus what is needed to find the key. */
export interface SealedKeyring {
  readonly v: 1
  readonly mode: KeyringMode
  /** Incremented on every write, so a tab can tell that another tab wrote meanwhile. */
  readonly gen: number
  /** Present in passphrase mode: how to derive the KEK from the passphrase. */
  readonly kdf?: ScryptParams
  readonly iv: Uint8Array
  readonly ct: Uint8Array
}

/** The plaintext is padded to a multiple of this, so the blob's size hides how many boards there are. */
const PAD = 4096
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Binds the format and mode to the ciphertext: a blob cannot be relabelled without failing to open. */
const aad = (mode: KeyringMode) => encoder.encode(`hearth/keyring/v1/${mode}`)

const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

/** JSON with byte arrays as `{"$b": base64url}`, so any field added to BoardRecord round-trips. */
export function encodeContents(contents: KeyringContents): Uint8Array {
  const json = JSON.stringify(contents, (_key, value: unknown) => (value instanceof Uint8Array ? { $b: toBase64url(value) } : value))
  const bytes = encoder.encode(json)
  // JSON ignores trailing whitespace.
  const padded = new Uint8Array(Math.ceil((bytes.length + 1) / PAD) * PAD).fill(0x20)
  padded.set(bytes)
  return padded
}

export function decodeContents(bytes: Uint8Array): KeyringContents {
  const contents = JSON.parse(decoder.decode(bytes), (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const o = value as Record<string, unknown>
      const keys = Object.keys(o)
      if (keys.length === 1 && keys[0] === '$b' && typeof o.$b === 'string') return fromBase64url(o.$b)
    }
    return value
  }) as KeyringContents
  return { ...contents, boards: contents.boards.map(normalizeRecord) }
}

/** Records from before the transport secret had its name called it `secret`. */
export function normalizeRecord(r: BoardRecord): BoardRecord {
  const old = r as unknown as { secret?: Uint8Array }
  if (old.secret === undefined || r.transportSecret !== undefined) return r
  const { secret, ...rest } = old
  return { ...rest, transportSecret: secret } as unknown as BoardRecord
}

/** AES-256-GCM under the KEK with a fresh 96-bit IV. The plaintext is zeroed afterwards. */
export async function sealContents(
  contents: KeyringContents,
  kek: CryptoKey,
  header: { mode: KeyringMode; gen: number; kdf?: ScryptParams },
): Promise<SealedKeyring> {
  const plain = encodeContents(contents)
  const iv = crypto.getRandomValues(new Uint8Array(12))
  try {
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(header.mode) }, kek, buf(plain)))
    return { v: 1, mode: header.mode, gen: header.gen, ...(header.kdf ? { kdf: header.kdf } : {}), iv, ct }
  } finally {
    plain.fill(0)
  }
}

/** Decrypts the blob; null if the key is wrong or the blob was altered. */
export async function openContents(sealed: SealedKeyring, kek: CryptoKey): Promise<KeyringContents | null> {
  let plain: Uint8Array
  try {
    plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: buf(sealed.iv), additionalData: aad(sealed.mode) }, kek, buf(sealed.ct)))
  } catch {
    return null
  }
  try {
    return decodeContents(plain)
  } finally {
    plain.fill(0)
  }
}

/** A new random device KEK: AES-256-GCM, non-extractable (scripts can use it, never read it). */
export function newDeviceKek(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
}

/** Parses what was read from disk; anything unexpected is null (treated as damaged, never trusted). */
export function parseSealed(value: unknown): SealedKeyring | null {
  if (typeof value !== 'object' || value === null) return null
  const o = value as Record<string, unknown>
  if (o.v !== 1 || (o.mode !== 'device' && o.mode !== 'passphrase')) return null
  if (typeof o.gen !== 'number' || !(o.iv instanceof Uint8Array) || !(o.ct instanceof Uint8Array)) return null
  if (o.mode === 'passphrase') {
    const k = o.kdf as Record<string, unknown> | undefined
    if (!k || k.alg !== 'scrypt' || typeof k.logN !== 'number' || typeof k.r !== 'number' || typeof k.p !== 'number' || !(k.salt instanceof Uint8Array)) return null
    if (k.logN < 1 || k.logN > 22 || k.r < 1 || k.r > 32 || k.p < 1 || k.p > 16) return null
  }
  return o as unknown as SealedKeyring
}
