import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { arrayBufferView as buf, encryptHere, toBase64url } from '../crypto/index.ts'
import { committed, request } from './idb.ts'
import { hkdfKey } from './root-key.ts'
import { RECORDS_STORE } from './vault-db.ts'

/**
 * A board's records in the device's database: their keys, how each is
 * sealed and found, the merged state's segments, and deleting or importing
 * them. No Yjs here: the keyring needs these from the first screen on, and
 * the live store that applies records to a doc (board-store.ts) is a chunk
 * of its own, loaded with the first board opened.
 */

// Where older versions kept boards (the benchmarks still seed such boards).
export { boardDatabaseName, sealedDatabaseName } from './legacy-boards.ts'

/** The keys of one board's records, from its store secret (BoardRecord.store). */
export interface StoreKeys {
  /** AES-256-GCM: every record's content. */
  readonly cipher: CryptoKey
  /** HMAC-SHA-256: where each record is (its key in the database). */
  readonly tags: CryptoKey
}

/** A stored board's records, rewritten as one once there are this many (y-indexeddb trims at 500 too). */
export const COMPACT_AT = 500
/** On opening, fewer records are merged at once: opening is when a board is read whole anyway. */
export const COMPACT_ON_LOAD_AT = 32
const BATCH = 64
/**
 * The merged state is written in records of at most this many bytes: a
 * large board is read, decrypted and written a piece at a time, not as one
 * long task on the main thread (one 7.85 MB record took 175 ms to read on
 * the benchmark's 10,000-item board).
 */
export const SEGMENT_BYTES = 1 << 20
/** What arrives at once (a sync's pieces) is written in batches of about this many bytes, each in a transaction of its own. */
export const WRITE_BYTES = 256 * 1024
/**
 * A batch bigger than this is written as fragments of at most this many
 * bytes, each a record: Chromium moves a value of more than 64 KiB into a
 * blob of its own as it is put, on the page's thread (measured: 8 MB put
 * in 200 KB values, 55–116 ms of the page's time; in 60 KB values, 12–22
 * ms), and a device joining a large board writes megabytes while it applies
 * them.
 */
export const RECORD_BYTES = 60 * 1024
const IV = 12
const encoder = new TextEncoder()

export function newStoreSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32))
}

export async function storeKeys(secret: Uint8Array): Promise<StoreKeys> {
  const ikm = await hkdfKey(secret)
  const derive = (label: string, alg: AesKeyGenParams | HmacImportParams, usages: KeyUsage[]) =>
    crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(`hearth/v3/store/${label}`) }, ikm, alg, false, usages)
  const [cipher, tags] = await Promise.all([
    derive('cipher', { name: 'AES-GCM', length: 256 }, ['encrypt', 'decrypt']),
    derive('tags', { name: 'HMAC', hash: 'SHA-256', length: 256 }, ['sign']),
  ])
  return { cipher, tags }
}

/** Record n's key, or the head's or the verdicts': 16 bytes of HMAC, so no two boards' keys can be told apart or counted. */
export async function tagOf(keys: StoreKeys, n: number | 'head' | 'verdicts'): Promise<string> {
  const label = new Uint8Array(5)
  if (n === 'head') label[0] = 0x68
  else if (n === 'verdicts') label[0] = 0x76
  else {
    label[0] = 0x72
    new DataView(label.buffer).setUint32(1, n)
  }
  return toBase64url(new Uint8Array(await crypto.subtle.sign('HMAC', keys.tags, label)).subarray(0, 16))
}

/**
 * AES-256-GCM encryption of a record's content: WebCrypto on this thread
 * (`pageEncrypt`), or a worker's (the crypto worker: Chromium encrypts inside
 * the call, on the calling thread, and a sync writes megabytes).
 */
export type RecordEncrypt = (key: CryptoKey, iv: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array) => Promise<Uint8Array>

export const pageEncrypt: RecordEncrypt = encryptHere

export async function sealRecord(keys: StoreKeys, tag: string, plain: Uint8Array, encrypt: RecordEncrypt = pageEncrypt): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV))
  const ct = await encrypt(keys.cipher, iv, plain, encoder.encode(tag))
  const out = new Uint8Array(IV + ct.length)
  out.set(iv)
  out.set(ct, IV)
  return out
}

/** Decrypts a record under its own key (a record moved to another key does not open). Throws on damage. */
export async function openRecord(keys: StoreKeys, tag: string, value: unknown): Promise<Uint8Array> {
  if (!(value instanceof Uint8Array) || value.length < IV + 16) throw new Error('A stored board record is damaged')
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: buf(value.subarray(0, IV)), additionalData: encoder.encode(tag) }, keys.cipher, buf(value.subarray(IV))))
  } catch {
    throw new Error('A stored board record does not open: it was altered or written under another key')
  }
}

export function encodeUpdates(updates: readonly Uint8Array[]): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, updates.length)
  for (const u of updates) encoding.writeVarUint8Array(e, u)
  return encoding.toUint8Array(e)
}

/**
 * The records one batch of updates is written as: the batch
 * (`encodeUpdates`) itself when it fits in RECORD_BYTES, else fragments of
 * it. A batch's record begins with its count of updates, never 0; a
 * fragment begins with 0, then FIRST, MIDDLE or LAST, then its share of the
 * batch's bytes. A batch's fragments are written in one transaction
 * (`BoardStore`), so they are all there or none. The updates' bytes are
 * copied once, into the records (a sync writes megabytes while it applies
 * them).
 */
export function recordsOf(updates: readonly Uint8Array[]): Uint8Array[] {
  const varUint = (n: number) => encoding.encode((e) => encoding.writeVarUint(e, n))
  const pieces: Uint8Array[] = [varUint(updates.length)]
  for (const u of updates) pieces.push(varUint(u.length), u)
  const length = pieces.reduce((n, p) => n + p.length, 0)
  const share = RECORD_BYTES - 2
  const records: Uint8Array[] = []
  if (length <= RECORD_BYTES) records.push(new Uint8Array(length))
  else {
    for (let at = 0; at < length; at += share) {
      const record = new Uint8Array(2 + Math.min(share, length - at))
      record[1] = at === 0 ? FIRST : at + share >= length ? LAST : MIDDLE
      records.push(record)
    }
  }
  let r = 0
  let at = records.length > 1 ? 2 : 0
  for (const piece of pieces) {
    for (let from = 0; from < piece.length; ) {
      const n = Math.min(records[r]!.length - at, piece.length - from)
      records[r]!.set(piece.subarray(from, from + n), at)
      at += n
      from += n
      if (at === records[r]!.length && r + 1 < records.length) {
        r++
        at = 2
      }
    }
  }
  return records
}

const FIRST = 2
const MIDDLE = 1
const LAST = 0

/**
 * The batches that records after the merged state hold, fragments joined
 * again. A batch's fragments share one transaction, so only damage leaves
 * part of one: a record gone missing in the middle or at the end. Reading
 * stops at it, as at any missing record, and what is written next takes its
 * place; the rest of that batch, read again once the gap is filled, is left
 * out: a fragment whose batch ends without its last or has no first here
 * is not an update on its own.
 */
function batchesOf(records: readonly Uint8Array[]): Uint8Array[] {
  const batches: Uint8Array[] = []
  let fragments: Uint8Array[] | null = null
  for (const record of records) {
    if (record[0] !== 0) {
      fragments = null
      batches.push(record)
      continue
    }
    const kind = record[1]
    if (kind !== FIRST && kind !== MIDDLE && kind !== LAST) throw new Error('A stored board record is damaged')
    if (kind === FIRST) fragments = [record.subarray(2)]
    else if (fragments) fragments.push(record.subarray(2))
    if (kind === LAST && fragments) {
      batches.push(joinSegments(fragments))
      fragments = null
    }
  }
  return batches
}

function decodeUpdates(bytes: Uint8Array): Uint8Array[] {
  const d = decoding.createDecoder(bytes)
  const n = decoding.readVarUint(d)
  return Array.from({ length: n }, () => decoding.readVarUint8Array(d))
}

export interface Loaded {
  readonly from: number
  /** How many records from `from` on are segments of the merged state (0 before the first merge). */
  readonly merged: number
  /** The keys of records from..from+tags.length-1, in order. */
  readonly tags: string[]
  readonly updates: Uint8Array[]
}

/** The head: where the records start, and how many of them hold the merged state in segments (older heads: one record). */
function encodeHead(from: number, merged: number): Uint8Array {
  const head = new Uint8Array(8)
  const view = new DataView(head.buffer)
  view.setUint32(0, from)
  view.setUint32(4, merged)
  return head
}

function decodeHead(head: Uint8Array): { from: number; merged: number } {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  if (head.length !== 4 && head.length !== 8) throw new Error('A stored board record is damaged')
  return { from: view.getUint32(0), merged: head.length === 8 ? view.getUint32(4) : 1 }
}

/**
 * Lets the page run between two pieces of a large read or write. Awaiting
 * WebCrypto is not enough: in Chromium a decryption that answers while the
 * page is busy continues in the same task (measured: eight 1 MiB segments
 * decrypted in one 154 ms task without this).
 */
export function breathe(): Promise<void> {
  // A message round trip, not a timer: nested timers are clamped to 4 ms, and tests that fake timers would stop it.
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })
}

/**
 * Decrypts records in order, a megabyte or so at a time, letting the page
 * run in between: a large board's would otherwise take one long task.
 */
async function openAll(keys: StoreKeys, tags: readonly string[], values: readonly unknown[]): Promise<Uint8Array[]> {
  const plains: Uint8Array[] = []
  let started: Promise<Uint8Array>[] = []
  let bytes = 0
  for (const [i, value] of values.entries()) {
    started.push(openRecord(keys, tags[i]!, value))
    bytes += value instanceof Uint8Array ? value.length : 0
    if (bytes >= SEGMENT_BYTES) {
      plains.push(...(await Promise.all(started)))
      started = []
      bytes = 0
      await breathe()
    }
  }
  plains.push(...(await Promise.all(started)))
  return plains
}

/** A merged state sealed as records n, n+1, … (`tags`, `values`) and the head pointing to them, not yet written. */
export interface SealedMerged {
  readonly tags: string[]
  readonly values: Uint8Array[]
  readonly head: { readonly tag: string; readonly value: Uint8Array }
}

/**
 * Seals a merged state (records' contents) cut into segments of
 * SEGMENT_BYTES as records n, n+1, … and the head pointing to them, one
 * segment at a time: each encryption copies its segment on this thread.
 */
export async function sealMerged(keys: StoreKeys, n: number, plain: Uint8Array, encrypt: RecordEncrypt = pageEncrypt): Promise<SealedMerged> {
  const segments: Uint8Array[] = []
  for (let at = 0; at < plain.length; at += SEGMENT_BYTES) segments.push(plain.subarray(at, at + SEGMENT_BYTES))
  const [headTag, ...tags] = await Promise.all([tagOf(keys, 'head'), ...segments.map((_, i) => tagOf(keys, n + i))])
  const values: Uint8Array[] = []
  for (const [i, segment] of segments.entries()) {
    if (i > 0) await breathe()
    values.push(await sealRecord(keys, tags[i]!, segment, encrypt))
  }
  return { tags, values, head: { tag: headTag!, value: await sealRecord(keys, headTag!, encodeHead(n, tags.length)) } }
}

/** Puts a sealed merged state's records and head into `store`. */
export function putMerged(store: IDBObjectStore, merged: SealedMerged): void {
  for (const [i, value] of merged.values.entries()) store.put(value, merged.tags[i]!)
  store.put(merged.head.value, merged.head.tag)
}

/**
 * Writes a merged state (`sealMerged`) as records n, n+1, … and the head
 * pointing to them, deleting `replaced`, in one transaction. Returns the
 * segments' keys.
 */
export async function writeMerged(database: () => Promise<IDBDatabase>, keys: StoreKeys, n: number, plain: Uint8Array, replaced: readonly string[] = [], encrypt: RecordEncrypt = pageEncrypt): Promise<string[]> {
  const merged = await sealMerged(keys, n, plain, encrypt)
  const tx = (await database()).transaction(RECORDS_STORE, 'readwrite')
  const store = tx.objectStore(RECORDS_STORE)
  putMerged(store, merged)
  for (const old of replaced) store.delete(old)
  await committed(tx)
  return merged.tags
}

/** Joins the merged state's segments into the record they were cut from. */
function joinSegments(segments: readonly Uint8Array[]): Uint8Array {
  if (segments.length === 1) return segments[0]!
  const out = new Uint8Array(segments.reduce((n, s) => n + s.length, 0))
  let at = 0
  for (const s of segments) {
    out.set(s, at)
    at += s.length
  }
  return out
}

/** Finds one board's records, still sealed: the head says where they start, then record after record until one is missing. */
async function findRecords(database: () => Promise<IDBDatabase>, keys: StoreKeys): Promise<{ from: number; merged: number; tags: string[]; values: unknown[] }> {
  const headTag = await tagOf(keys, 'head')
  const head = await request((await database()).transaction(RECORDS_STORE, 'readonly').objectStore(RECORDS_STORE).get(headTag))
  const { from, merged } = head === undefined ? { from: 0, merged: 0 } : decodeHead(await openRecord(keys, headTag, head))
  const tags: string[] = []
  const values: unknown[] = []
  for (let n = from; ; n += BATCH) {
    const batch = await Promise.all(Array.from({ length: BATCH }, (_, i) => tagOf(keys, n + i)))
    const store = (await database()).transaction(RECORDS_STORE, 'readonly').objectStore(RECORDS_STORE)
    const found = await Promise.all(batch.map((t) => request(store.get(t))))
    const end = found.indexOf(undefined)
    tags.push(...batch.slice(0, end < 0 ? BATCH : end))
    values.push(...found.slice(0, end < 0 ? BATCH : end))
    if (end >= 0) break
  }
  return { from, merged, tags, values }
}

/** Reads and opens one board's records. */
export async function readRecords(database: () => Promise<IDBDatabase>, keys: StoreKeys): Promise<Loaded> {
  const { from, merged, tags, values } = await findRecords(database, keys)
  // The head is sealed: a missing segment is damage, never a shorter state.
  if (tags.length < merged) throw new Error('A stored board record is damaged')
  const plains = await openAll(keys, tags, values)
  const batches = batchesOf(plains.slice(merged))
  const records = merged > 0 ? [joinSegments(plains.slice(0, merged)), ...batches] : batches
  return { from, merged, tags, updates: records.flatMap(decodeUpdates) }
}

/** Deletes every record of one board (its head too), opening none but the head: a damaged record is deleted with the rest. Resolves once committed. */
export async function deleteBoardRecords(database: () => Promise<IDBDatabase>, keys: StoreKeys): Promise<void> {
  const loaded = await findRecords(database, keys)
  const [headTag, verdictsTag] = await Promise.all([tagOf(keys, 'head'), tagOf(keys, 'verdicts')])
  const tx = (await database()).transaction(RECORDS_STORE, 'readwrite')
  const store = tx.objectStore(RECORDS_STORE)
  for (const tag of [...loaded.tags, headTag, verdictsTag]) store.delete(tag)
  await committed(tx)
}

/** Writes a board's updates as its merged state, in segments from record 0 (moving a board from an older version's database). */
export async function importBoardRecords(database: () => Promise<IDBDatabase>, keys: StoreKeys, updates: readonly Uint8Array[]): Promise<void> {
  if (updates.length > 0) await writeMerged(database, keys, 0, encodeUpdates(updates))
}
