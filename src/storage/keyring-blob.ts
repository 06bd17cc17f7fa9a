import { fromBase64url, toBase64url, type ScryptParams } from '../crypto/index.ts'
import type { BoardRecord, KeyringContents } from './keyring-types.ts'

/** How the blob's key-encryption key (KEK) is made: from the root key alone, or from the root key and the passphrase. */
export type KeyringMode = 'device' | 'passphrase'

/** The duress passphrase's verifier: its own scrypt parameters and tag (random when none is set, so nobody can tell). */
export interface DuressVerifier {
  readonly kdf: ScryptParams
  readonly tag: Uint8Array
}

/** What the keyring stores on disk: only ciphertext, plus what is needed to find the key. */
export interface SealedKeyring {
  readonly mode: KeyringMode
  /** Which root-key slot of the device file the KEK comes from. */
  readonly slot: 0 | 1
  /** Incremented on every write, so a tab can tell that another tab wrote meanwhile. */
  readonly gen: number
  /** Passphrase mode: how to derive the passphrase key. */
  readonly kdf: ScryptParams | null
  /** Passphrase mode: the duress verifier (always present there). */
  readonly duress: DuressVerifier | null
  readonly iv: Uint8Array
  readonly ct: Uint8Array
}

/**
 * One byte array, so the database holds nothing but bytes:
 *
 * ```
 *  0..3   "hk3" 0
 *  4      mode (0 device, 1 passphrase)      5  slot
 *  6..9   generation (u32, big-endian)
 * 10..28  scrypt: logN, r, p, salt(16)       (zeros in device mode)
 * 29..79  duress: logN, r, p, salt(16), tag(32)   (zeros in device mode)
 * 80..91  IV      92..  AES-256-GCM ciphertext, with bytes 0..79 as associated data
 * ```
 */
const MAGIC = [0x68, 0x6b, 0x33, 0x00]
const HEADER = 80
const IV = 12

/** The plaintext is padded to a multiple of this, so the blob's size hides how many boards there are. */
const PAD = 4096
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

/** JSON with byte arrays as `{"$b": base64url}`, so any field added to BoardRecord round-trips. */
export function encodeContents(contents: KeyringContents): Uint8Array {
  const json = JSON.stringify(contents, (_key, value: unknown) => (value instanceof Uint8Array ? { $b: toBase64url(value) } : value))
  const bytes = encoder.encode(json)
  // JSON ignores trailing whitespace.
  const padded = new Uint8Array(Math.ceil((bytes.length + 1) / PAD) * PAD).fill(0x20)
  padded.set(bytes)
  bytes.fill(0)
  return padded
}

export function decodeContents(bytes: Uint8Array): KeyringContents {
  return JSON.parse(decoder.decode(bytes), (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const o = value as Record<string, unknown>
      const keys = Object.keys(o)
      if (keys.length === 1 && keys[0] === '$b' && typeof o.$b === 'string') return fromBase64url(o.$b)
    }
    return value
  }) as KeyringContents
}

/** Records from before the transport secret had its name called it `secret`. */
export function normalizeRecord(r: BoardRecord): BoardRecord {
  const old = r as unknown as { secret?: Uint8Array }
  if (old.secret === undefined || r.transportSecret !== undefined) return r
  const { secret, ...rest } = old
  return { ...rest, transportSecret: secret } as unknown as BoardRecord
}

function writeKdf(out: Uint8Array, at: number, kdf: ScryptParams): void {
  out[at] = kdf.logN
  out[at + 1] = kdf.r
  out[at + 2] = kdf.p
  out.set(kdf.salt.subarray(0, 16), at + 3)
}

function readKdf(bytes: Uint8Array, at: number): ScryptParams | null {
  const [logN, r, p] = [bytes[at]!, bytes[at + 1]!, bytes[at + 2]!]
  if (logN < 1 || logN > 22 || r < 1 || r > 32 || p < 1 || p > 16) return null
  return { alg: 'scrypt', logN, r, p, salt: bytes.slice(at + 3, at + 19) }
}

function header(h: Pick<SealedKeyring, 'mode' | 'slot' | 'gen' | 'kdf' | 'duress'>): Uint8Array {
  const out = new Uint8Array(HEADER)
  out.set(MAGIC, 0)
  out[4] = h.mode === 'passphrase' ? 1 : 0
  out[5] = h.slot
  new DataView(out.buffer).setUint32(6, h.gen)
  if (h.kdf) writeKdf(out, 10, h.kdf)
  if (h.duress) {
    writeKdf(out, 29, h.duress.kdf)
    out.set(h.duress.tag, 48)
  }
  return out
}

export function encodeSealed(sealed: SealedKeyring): Uint8Array {
  const out = new Uint8Array(HEADER + IV + sealed.ct.length)
  out.set(header(sealed), 0)
  out.set(sealed.iv, HEADER)
  out.set(sealed.ct, HEADER + IV)
  return out
}

/** Parses what was read from disk; anything unexpected is null (treated as damaged, never trusted). */
export function decodeSealed(value: unknown): SealedKeyring | null {
  if (!(value instanceof Uint8Array) || value.length < HEADER + IV + 16) return null
  if (MAGIC.some((b, i) => value[i] !== b) || value[4]! > 1 || value[5]! > 1) return null
  const mode: KeyringMode = value[4] === 1 ? 'passphrase' : 'device'
  const kdf = mode === 'passphrase' ? readKdf(value, 10) : null
  const duressKdf = mode === 'passphrase' ? readKdf(value, 29) : null
  if (mode === 'passphrase' && (!kdf || !duressKdf)) return null
  return {
    mode,
    slot: value[5] as 0 | 1,
    gen: new DataView(value.buffer, value.byteOffset).getUint32(6),
    kdf,
    duress: duressKdf ? { kdf: duressKdf, tag: value.slice(48, 80) } : null,
    iv: value.slice(HEADER, HEADER + IV),
    ct: value.slice(HEADER + IV),
  }
}

/** AES-256-GCM under the KEK with a fresh 96-bit IV and the header as associated data. The plaintext is zeroed afterwards. */
export async function sealContents(contents: KeyringContents, kek: CryptoKey, h: Pick<SealedKeyring, 'mode' | 'slot' | 'gen' | 'kdf' | 'duress'>): Promise<SealedKeyring> {
  const plain = encodeContents(contents)
  const iv = crypto.getRandomValues(new Uint8Array(IV))
  try {
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: buf(header(h)) }, kek, buf(plain)))
    return { ...h, iv, ct }
  } finally {
    plain.fill(0)
  }
}

/** Decrypts the blob; null if the key is wrong or anything in the blob was altered. */
export async function openContents(sealed: SealedKeyring, kek: CryptoKey): Promise<KeyringContents | null> {
  let plain: Uint8Array
  try {
    plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: buf(sealed.iv), additionalData: buf(header(sealed)) }, kek, buf(sealed.ct)))
  } catch {
    return null
  }
  try {
    return decodeContents(plain)
  } finally {
    plain.fill(0)
  }
}
