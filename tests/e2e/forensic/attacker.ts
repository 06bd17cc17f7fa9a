/**
 * What a forensic lab does with a copy of a browser profile, knowing exactly
 * how Hearth stores things (its code is public): read every file, take apart
 * every LevelDB (logs and tables, deleted and overwritten entries included,
 * snappy blocks decompressed), pull out every byte array the values hold,
 * and try to decrypt everything found with everything found — every 32-byte
 * string of the origin-private file system and of small values as a root key
 * or a store secret, with the passphrase where it is known.
 */
import { createDecipheriv, createHmac, hkdfSync, scryptSync } from 'node:crypto'
import { lstat, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { batchEntries, logRecords, tableEntries, type Entry } from './leveldb.ts'
import { unsnappy } from './snappy.ts'

export interface Findings {
  readonly files: number
  readonly bytes: number
  /** Keyring blobs found (every copy LevelDB still holds). */
  readonly blobs: number
  /** Stored records found, by their key. */
  readonly records: number
  /** 32-byte strings tried as keys. */
  readonly keyCandidates: number
  /** The plaintext of every keyring copy that opened. */
  readonly keyrings: readonly string[]
  /** How many stored records opened. */
  readonly recordsOpened: number
  /** What the stored records that opened hold, decrypted (each found copy once). */
  readonly recordPlaintexts: readonly Uint8Array[]
  /** Which needles (UTF-8 or UTF-16LE) appear in any file or decompressed block. */
  readonly plainHits: readonly string[]
}

const MAGIC = Buffer.from([0x68, 0x6b, 0x33, 0x00])
const HEADER = 80
const enc = new TextEncoder()

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, entry)
    const s = await lstat(path).catch(() => null)
    if (s?.isDirectory()) out.push(...(await filesUnder(path)))
    else if (s?.isFile()) out.push(path)
  }
  return out
}

/** V8's serialization of a Uint8Array: 'B' <varint length> <bytes> 'V' … — every such run in a buffer. */
function byteArrays(buf: Uint8Array, out: Map<string, Uint8Array>): void {
  for (let i = 0; i + 2 < buf.length; i++) {
    if (buf[i] !== 0x42) continue
    let len = 0
    let pos = i + 1
    let ok = false
    for (let shift = 0; shift <= 28 && pos < buf.length; shift += 7) {
      const b = buf[pos++]!
      len |= (b & 0x7f) << shift
      if (!(b & 0x80)) {
        ok = true
        break
      }
    }
    if (!ok || len < 16 || pos + len >= buf.length || buf[pos + len] !== 0x56) continue
    const bytes = buf.subarray(pos, pos + len)
    out.set(Buffer.from(bytes).toString('base64'), bytes)
  }
}

/** Base64url strings of 22 characters in a LevelDB key (IndexedDB writes string keys as UTF-16BE). */
function tagsInKey(key: Uint8Array): string[] {
  const found: string[] = []
  for (const start of [0, 1]) {
    let text = ''
    for (let i = start; i + 1 < key.length; i += 2) text += String.fromCharCode((key[i]! << 8) | key[i + 1]!)
    for (const m of text.matchAll(/[A-Za-z0-9_-]{22}/g)) found.push(m[0])
  }
  return found
}

const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string) => Buffer.from(hkdfSync('sha256', ikm, salt, enc.encode(info), 32))

function gcmOpen(key: Uint8Array, iv: Uint8Array, ct: Uint8Array, aad: Uint8Array): Buffer | null {
  if (ct.length < 16) return null
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv)
    d.setAAD(aad)
    d.setAuthTag(ct.subarray(ct.length - 16))
    return Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()])
  } catch {
    return null
  }
}

function tagOf(tagsKey: Buffer, n: number | 'head'): string {
  const label = Buffer.alloc(5)
  if (n === 'head') label[0] = 0x68
  else {
    label[0] = 0x72
    label.writeUInt32BE(n, 1)
  }
  return createHmac('sha256', tagsKey).update(label).digest().subarray(0, 16).toString('base64url')
}

export async function attack(profileDir: string, opts: { passphrases?: readonly string[]; needles?: readonly string[] } = {}): Promise<Findings> {
  const files = await filesUnder(profileDir)
  const buffers: Uint8Array[] = []
  const entries: Entry[] = []
  const keyWindows: Uint8Array[] = []
  let bytes = 0
  for (const file of files) {
    const data = await readFile(file).catch(() => null)
    if (!data) continue
    bytes += data.length
    buffers.push(data)
    if (file.endsWith('.log')) for (const record of logRecords(data)) entries.push(...batchEntries(record))
    if (file.endsWith('.ldb') || file.endsWith('.sst')) entries.push(...tableEntries(data))
    // The origin-private file system: every 32-byte string of every small file is a key to try.
    if (file.includes(`${'File System'}`) && data.length <= 65536) for (let i = 0; i + 32 <= data.length; i++) keyWindows.push(data.subarray(i, i + 32))
  }
  // Values, and what they hold once decompressed (Chromium may snappy-compress large IndexedDB values).
  for (const e of entries) {
    buffers.push(e.key)
    if (!e.value) continue
    buffers.push(e.value)
    for (let off = 0; off <= 16 && off < e.value.length; off++) {
      const plain = unsnappy(e.value.subarray(off))
      if (plain && plain.length > 16) buffers.push(plain)
    }
  }

  const arrays = new Map<string, Uint8Array>()
  for (const b of buffers) byteArrays(b, arrays)
  // Records by the key they are stored under (the associated data of their encryption).
  const byTag = new Map<string, Uint8Array[]>()
  for (const e of entries) {
    if (!e.value) continue
    const held = new Map<string, Uint8Array>()
    byteArrays(e.value, held)
    for (let off = 0; off <= 16 && off < e.value.length; off++) {
      const plain = unsnappy(e.value.subarray(off))
      if (plain) byteArrays(plain, held)
    }
    for (const tag of tagsInKey(e.key)) byTag.set(tag, [...(byTag.get(tag) ?? []), ...held.values()])
  }

  const blobs = new Map<string, Uint8Array>()
  for (const a of arrays.values()) if (a.length >= HEADER + 28 && MAGIC.equals(Buffer.from(a.subarray(0, 4)))) blobs.set(Buffer.from(a).toString('base64'), a)
  for (const a of arrays.values()) {
    if (a.length === 32) keyWindows.push(a)
    if (a.length <= 256) for (let i = 0; i + 32 <= a.length; i++) keyWindows.push(a.subarray(i, i + 32))
  }
  const candidates = [...new Map(keyWindows.map((k) => [Buffer.from(k).toString('base64'), k])).values()]

  const keyrings: string[] = []
  const storeSecrets: Uint8Array[] = []
  const scrypted = new Map<string, Buffer>()
  for (const blob of blobs.values()) {
    const header = blob.subarray(0, HEADER)
    const iv = blob.subarray(HEADER, HEADER + 12)
    const ct = blob.subarray(HEADER + 12)
    const mode = blob[4] === 1 ? 'passphrase' : 'device'
    const keks: Buffer[] = []
    for (const root of candidates) {
      keks.push(Buffer.from(root))
      if (mode === 'device') keks.push(hkdf(root, new Uint8Array(0), 'hearth/v3/keyring/device'))
      else
        for (const passphrase of opts.passphrases ?? []) {
          const salt = blob.subarray(13, 29)
          const id = `${passphrase}|${Buffer.from(salt).toString('hex')}|${blob[10]}`
          if (!scrypted.has(id)) scrypted.set(id, scryptSync(passphrase.normalize('NFKC'), salt, 32, { N: 2 ** blob[10]!, r: blob[11]!, p: blob[12]!, maxmem: 2 ** 30 }))
          keks.push(hkdf(scrypted.get(id)!, root, 'hearth/v3/keyring/passphrase'))
        }
    }
    for (const kek of keks) {
      const plain = gcmOpen(kek, iv, ct, header)
      if (!plain) continue
      const text = plain.toString('utf8').trimEnd()
      keyrings.push(text)
      for (const m of text.matchAll(/"store":\{"\$b":"([A-Za-z0-9_-]+)"\}/g)) storeSecrets.push(Buffer.from(m[1]!, 'base64url'))
      break
    }
  }

  // Stores: the secrets the keyrings gave (every record number up to the count found), and every candidate as if it were one.
  let recordsOpened = 0
  const recordPlaintexts = new Map<string, Uint8Array>()
  const tryStore = (secret: Uint8Array, upTo: number) => {
    const cipher = hkdf(secret, new Uint8Array(0), 'hearth/v3/store/cipher')
    const tagsKey = hkdf(secret, new Uint8Array(0), 'hearth/v3/store/tags')
    for (const n of ['head' as const, ...Array.from({ length: upTo }, (_, i) => i)]) {
      const tag = tagOf(tagsKey, n)
      for (const value of byTag.get(tag) ?? []) {
        const plain = gcmOpen(cipher, value.subarray(0, 12), value.subarray(12), enc.encode(tag))
        if (!plain) continue
        recordsOpened++
        recordPlaintexts.set(plain.toString('base64'), plain)
      }
    }
  }
  for (const secret of new Map(storeSecrets.map((s) => [Buffer.from(s).toString('hex'), s])).values()) tryStore(secret, byTag.size + 1000)
  for (const candidate of candidates) tryStore(candidate, 4)

  const plainHits: string[] = []
  for (const needle of opts.needles ?? []) {
    const forms = [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le')]
    if (buffers.some((b) => forms.some((f) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).includes(f)))) plainHits.push(needle)
  }
  return { files: files.length, bytes, blobs: blobs.size, records: byTag.size, keyCandidates: candidates.length, keyrings, recordsOpened, recordPlaintexts: [...recordPlaintexts.values()], plainHits }
}

/** Every content key the opened keyrings name (their JSON: `"contentKey":{"$b":…}`). */
export function contentKeysFound(findings: Findings): Uint8Array[] {
  const keys = new Map<string, Uint8Array>()
  for (const text of findings.keyrings) for (const m of text.matchAll(/"contentKey":\{"\$b":"([A-Za-z0-9_-]+)"\}/g)) keys.set(m[1]!, new Uint8Array(Buffer.from(m[1]!, 'base64url')))
  return [...keys.values()]
}
