/**
 * What a device holds, read out of its Chromium profile the way someone with
 * the unlocked phone and its devtools could: the device file in the
 * origin-private file system, the one database's keyring blob and board
 * records — read through page.evaluate (DevTools, which the page's CSP does
 * not apply to) on a page of the app's origin, then opened here with the
 * storage layer's own formats (device mode: the keyring's key comes from the
 * device file alone). And writing a record into that database, as a tampered
 * app would. Nothing reaches into the app's running modules.
 */
import type { Page } from 'playwright-core'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { openEntry, importContentKey, parseEntry, toBase64url, type BoardId } from '../../../src/crypto/index.ts'
import { storeKeys, type StoreKeys } from '../../../src/storage/board-store.ts'
import { decodeDeviceFile, rootKey } from '../../../src/storage/device-file.ts'
import { decodeSealed, openContents } from '../../../src/storage/keyring-blob.ts'
import type { BoardRecord, KeyringContents } from '../../../src/storage/keyring-types.ts'
import { deviceKek } from '../../../src/storage/root-key.ts'
import { RECORDS_STORE, VAULT_DB } from '../../../src/storage/vault-db.ts'

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'))
const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

/**
 * Closes the app in this tab: opens a document of the app's origin that is
 * not the app (`/config.json`, which the service worker leaves to the
 * server), so IndexedDB can be read and written while no Hearth code runs.
 */
export async function leaveApp(page: Page, appUrl: string): Promise<void> {
  await page.goto(new URL('config.json', appUrl).href)
}

/** The device file, the keyring blob and every board record, as bytes (base64 across the boundary). */
async function dump(page: Page): Promise<{ file: Uint8Array | null; blob: Uint8Array | null; records: Map<string, Uint8Array> }> {
  const raw = await page.evaluate(
    async ({ name, store }) => {
      const toB64 = (u: Uint8Array) => btoa(Array.from(u, (b) => String.fromCharCode(b)).join(''))
      let file: string | null
      try {
        const root = await (navigator.storage as unknown as { getDirectory(): Promise<{ getFileHandle(n: string): Promise<{ getFile(): Promise<File> }> }> }).getDirectory()
        file = toB64(new Uint8Array(await (await (await root.getFileHandle('key')).getFile()).arrayBuffer()))
      } catch {
        file = null
      }
      if (!(await indexedDB.databases()).some((d) => d.name === name)) return { file, blob: null, records: [] as [string, string][] }
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name)
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      // No named helpers for requests: the test runner's transform may wrap them in a helper the page lacks.
      const blob = await new Promise<unknown>((resolve, reject) => {
        const req = db.transaction('keyring', 'readonly').objectStore('keyring').get('blob')
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      const [keys, values] = await Promise.all(
        (['getAllKeys', 'getAll'] as const).map(
          (op) =>
            new Promise<unknown[]>((resolve, reject) => {
              const req = db.transaction(store, 'readonly').objectStore(store)[op]()
              req.onsuccess = () => resolve(req.result as unknown[])
              req.onerror = () => reject(req.error)
            }),
        ),
      )
      db.close()
      return { file, blob: blob instanceof Uint8Array ? toB64(blob) : null, records: keys!.map((k, i) => [String(k), toB64(values![i] as Uint8Array)] as [string, string]) }
    },
    { name: VAULT_DB, store: RECORDS_STORE },
  )
  return { file: raw.file === null ? null : unb64(raw.file), blob: raw.blob === null ? null : unb64(raw.blob), records: new Map(raw.records.map(([k, v]) => [k, unb64(v)])) }
}

/** The device's keyring, decrypted (device mode only: in passphrase mode the key needs the passphrase). */
export async function readKeyring(page: Page): Promise<KeyringContents> {
  const { file, blob } = await dump(page)
  const sealed = blob && decodeSealed(blob)
  const device = file && decodeDeviceFile(file)
  if (!sealed || !device) throw new Error('no keyring or no device file on this device')
  if (sealed.mode !== 'device') throw new Error('the keyring needs a passphrase')
  const root = rootKey(device, sealed.slot)
  const contents = root && (await openContents(sealed, await deviceKek(root)))
  if (!contents) throw new Error('the keyring does not open with the device file')
  return contents
}

/** The board a page shows: the one this device opened last (the URL names boards by words that mean nothing elsewhere). */
export async function boardIdOf(page: Page): Promise<BoardId> {
  const [last] = [...(await readKeyring(page)).boards].sort((a, b) => b.openedAt - a.openedAt)
  if (!last) throw new Error('no board on this device')
  return last.id
}

/** This device's record of a board, from its keyring. */
export async function readBoardRecord(page: Page, boardId: BoardId): Promise<BoardRecord> {
  const record = (await readKeyring(page)).boards.find((b) => b.id === boardId)
  if (!record) throw new Error(`no record of board ${boardId} in this keyring`)
  return record
}

/** Where record n (or the head) of a board is: as board-store.ts computes it. */
async function tagOf(keys: StoreKeys, n: number | 'head'): Promise<string> {
  const label = new Uint8Array(5)
  if (n === 'head') label[0] = 0x68
  else {
    label[0] = 0x72
    new DataView(label.buffer).setUint32(1, n)
  }
  return toBase64url(new Uint8Array(await crypto.subtle.sign('HMAC', keys.tags, label)).subarray(0, 16))
}

async function openRecord(keys: StoreKeys, tag: string, value: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: buf(value.subarray(0, 12)), additionalData: new TextEncoder().encode(tag) }, keys.cipher, buf(value.subarray(12))))
}

/** A board's records on disk, in order, and the number the next one takes. */
async function boardRecords(page: Page, boardId: BoardId): Promise<{ keys: StoreKeys; updates: Uint8Array[]; next: number }> {
  const record = await readBoardRecord(page, boardId)
  if (!record.store) throw new Error(`board ${boardId} has no store secret`)
  const keys = await storeKeys(record.store)
  const { records } = await dump(page)
  const headTag = await tagOf(keys, 'head')
  const head = records.get(headTag)
  const headBytes = head ? await openRecord(keys, headTag, head) : null
  const view = headBytes && new DataView(headBytes.buffer)
  let n = view ? view.getUint32(0) : 0
  // The merged state may be cut into segments (records n, n+1, …): the head says how many (a 4-byte head: one).
  const merged = view ? (view.byteLength === 8 ? view.getUint32(4) : 1) : 0
  const plains: Uint8Array[] = []
  for (; ; n++) {
    const tag = await tagOf(keys, n)
    const value = records.get(tag)
    if (!value) break
    plains.push(await openRecord(keys, tag, value))
  }
  const whole = Buffer.concat(plains.slice(0, merged))
  const updates: Uint8Array[] = []
  for (const plain of merged > 0 ? [new Uint8Array(whole), ...plains.slice(merged)] : plains) {
    const d = decoding.createDecoder(plain)
    const count = decoding.readVarUint(d)
    for (let i = 0; i < count; i++) updates.push(decoding.readVarUint8Array(d))
  }
  return { keys, updates, next: n }
}

/** The board's sealed doc as this device has it on disk. */
export async function readSealedDoc(page: Page, boardId: BoardId): Promise<Y.Doc> {
  const doc = new Y.Doc()
  for (const update of (await boardRecords(page, boardId)).updates) Y.applyUpdate(doc, update)
  return doc
}

/** Appends a Yjs update of the sealed doc to the board's records, where the app will load it on its next start. */
export async function appendSealedUpdate(page: Page, boardId: BoardId, update: Uint8Array): Promise<void> {
  const { keys, next } = await boardRecords(page, boardId)
  const tag = await tagOf(keys, next)
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint8Array(e, update)
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(tag) }, keys.cipher, buf(encoding.toUint8Array(e))))
  const value = new Uint8Array(12 + ct.length)
  value.set(iv)
  value.set(ct, 12)
  await page.evaluate(
    async ({ name, store, key, bytes }) => {
      const data = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name)
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(store, 'readwrite')
        tx.objectStore(store).add(data, key)
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
      })
      db.close()
    },
    { name: VAULT_DB, store: RECORDS_STORE, key: tag, bytes: b64(value) },
  )
}

/** The Yjs update that adds one entry to a sealed doc (as any writer in the room could). */
export function entryUpdate(sealed: Y.Doc, key: string, bytes: Uint8Array): Uint8Array {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(sealed))
  const updates: Uint8Array[] = []
  copy.on('update', (u: Uint8Array) => updates.push(u))
  copy.getMap('entries').set(key, bytes)
  copy.destroy()
  if (updates.length !== 1) throw new Error('setting the entry is not one update')
  return updates[0]!
}

/**
 * Everything the device could decrypt, whatever its app decided: every entry
 * of its sealed doc opened with every content key its keyring holds (no
 * signature or membership check), as plaintext bytes.
 */
export async function everythingReadable(sealed: Y.Doc, record: BoardRecord): Promise<Uint8Array[]> {
  const raw = contentKeysOf(record)
  const unique = [...new Map(raw.map((k) => [toBase64url(k), k])).values()]
  const ciphers = await Promise.all(unique.map((k) => importContentKey(k)))
  const out: Uint8Array[] = []
  for (const value of sealed.getMap('entries').values()) {
    const parsed = parseEntry(value)
    if (!parsed.ok) continue
    for (const cipher of ciphers) {
      const plain = await openEntry(parsed.entry, cipher)
      if (plain) out.push(plain)
    }
  }
  return out
}

/** The first byte of every sealed entry (src/crypto/entry.ts). */
const ENTRY_MAGIC = 0x48

/**
 * Every sealed entry that records' plaintexts hold, wherever it sits (a Yjs
 * binary: its length as a varint, then the entry, which starts with its
 * magic byte and version), decrypted with every key of `contentKeys`. Not
 * only the entries the doc still has: whatever the records still hold.
 */
export async function entriesIn(plains: readonly Uint8Array[], contentKeys: readonly Uint8Array[]): Promise<Uint8Array[]> {
  const unique = [...new Map(contentKeys.map((k) => [toBase64url(k), k])).values()]
  const ciphers = await Promise.all(unique.map((k) => importContentKey(k)))
  const out: Uint8Array[] = []
  for (const plain of plains) {
    for (let i = 1; i + 2 < plain.length; i++) {
      if (plain[i] !== ENTRY_MAGIC || (plain[i + 1] !== 1 && plain[i + 1] !== 2)) continue
      for (let k = 1; k <= 4 && k <= i; k++) {
        let len = 0
        let varint = true
        for (let j = 0; j < k; j++) {
          const b = plain[i - k + j]!
          if (j < k - 1 !== ((b & 0x80) !== 0)) varint = false
          len += (b & 0x7f) * 2 ** (7 * j)
        }
        if (!varint || i + len > plain.length) continue
        const parsed = parseEntry(new Uint8Array(plain.subarray(i, i + len)))
        if (!parsed.ok) continue
        for (const cipher of ciphers) {
          const opened = await openEntry(parsed.entry, cipher)
          if (opened) out.push(opened)
        }
      }
    }
  }
  return out
}

/** The content keys of a board record (every epoch's). */
export function contentKeysOf(record: BoardRecord): Uint8Array[] {
  return [...(record.keys ?? []).map((k) => k.contentKey), ...(record.contentKey ? [record.contentKey] : [])]
}

/**
 * Every record in the device's database that opens under the board's store
 * keys as its keyring names them now, decrypted: the merged state, the
 * updates since, and any record left behind.
 */
export async function openableRecords(page: Page, boardId: BoardId): Promise<Uint8Array[]> {
  const record = await readBoardRecord(page, boardId)
  const keys = await storeKeys(record.store!)
  const out: Uint8Array[] = []
  for (const [tag, value] of (await dump(page)).records) {
    const plain = await openRecord(keys, tag, value).catch(() => null)
    if (plain) out.push(plain)
  }
  return out
}

/** Whether `text` occurs, as UTF-8, in any of `plaintexts`. */
export function containsText(plaintexts: readonly Uint8Array[], text: string): boolean {
  const needle = Buffer.from(text, 'utf8')
  return plaintexts.some((p) => Buffer.from(p).includes(needle))
}
