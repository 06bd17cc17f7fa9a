/**
 * What a device holds, read out of its Chromium profile the way someone with
 * the unlocked phone and its devtools could: the keyring, opened with the
 * page's own WebCrypto and the key-encryption key stored beside it (device
 * mode: a non-extractable CryptoKey that scripts of the origin may use), and a
 * board's sealed y-indexeddb database. And writing into that database, as a
 * tampered app would. Everything runs through page.evaluate (DevTools, which
 * the page's CSP does not apply to) on a page of the app's origin; nothing
 * reaches into the app's own modules.
 */
import type { Page } from 'playwright-core'
import * as Y from 'yjs'
import { openEntry, importContentKey, parseEntry, toBase64url, type BoardId } from '../../../src/crypto/index.ts'
import { decodeContents } from '../../../src/storage/keyring-blob.ts'
import { sealedDatabaseName } from '../../../src/storage/board-store.ts'
import type { BoardRecord, KeyringContents } from '../../../src/storage/keyring-types.ts'

/** The board a page shows, from its URL (`#/board/<id>`). */
export function boardIdOf(page: Page): BoardId {
  const m = /#\/board\/([\w-]+)/.exec(page.url())
  if (!m) throw new Error(`not on a board: ${page.url()}`)
  return m[1] as BoardId
}

/**
 * Closes the app in this tab: opens a document of the app's origin that is
 * not the app (`/config.json`, which the service worker leaves to the
 * server), so IndexedDB can be read and written while no Hearth code runs.
 */
export async function leaveApp(page: Page, appUrl: string): Promise<void> {
  await page.goto(new URL('config.json', appUrl).href)
}

/** The device's keyring, decrypted (device mode only: a passphrase keyring has no stored key). */
export async function readKeyring(page: Page): Promise<KeyringContents> {
  const plain = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('hearth')
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    // No named helpers in here: the test runner's transform may wrap them in a helper the page lacks.
    const [blob, kek] = (await Promise.all(
      ['blob', 'kek'].map(
        (key) =>
          new Promise<unknown>((resolve, reject) => {
            const req = db.transaction('keyring', 'readonly').objectStore('keyring').get(key)
            req.onsuccess = () => resolve(req.result)
            req.onerror = () => reject(req.error)
          }),
      ),
    )) as [{ mode: string; iv: Uint8Array; ct: Uint8Array }, CryptoKey]
    db.close()
    const additionalData = new TextEncoder().encode(`hearth/keyring/v1/${blob.mode}`)
    const bytes = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(blob.iv), additionalData }, kek, new Uint8Array(blob.ct))
    return new TextDecoder().decode(bytes)
  })
  return decodeContents(new TextEncoder().encode(plain))
}

/** This device's record of a board, from its keyring. */
export async function readBoardRecord(page: Page, boardId: BoardId): Promise<BoardRecord> {
  const record = (await readKeyring(page)).boards.find((b) => b.id === boardId)
  if (!record) throw new Error(`no record of board ${boardId} in this keyring`)
  return record
}

/** Every update y-indexeddb stored for a board's sealed doc, in order. */
async function readSealedUpdates(page: Page, boardId: BoardId): Promise<Uint8Array[]> {
  const encoded = await page.evaluate(async (name) => {
    const dbs = await indexedDB.databases()
    if (!dbs.some((d) => d.name === name)) return []
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name)
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    const all = await new Promise<Uint8Array[]>((resolve, reject) => {
      const req = db.transaction('updates', 'readonly').objectStore('updates').getAll()
      req.onsuccess = () => resolve(req.result as Uint8Array[])
      req.onerror = () => reject(req.error)
    })
    db.close()
    // Base64 crosses back to Node compactly.
    return all.map((u) => btoa(Array.from(u, (b) => String.fromCharCode(b)).join('')))
  }, sealedDatabaseName(boardId))
  return encoded.map((b) => new Uint8Array(Buffer.from(b, 'base64')))
}

/** The board's sealed doc as this device has it on disk. */
export async function readSealedDoc(page: Page, boardId: BoardId): Promise<Y.Doc> {
  const doc = new Y.Doc()
  for (const update of await readSealedUpdates(page, boardId)) Y.applyUpdate(doc, update)
  return doc
}

/** Appends a Yjs update of the sealed doc to the device's database, where the app will load it on its next start. */
export async function appendSealedUpdate(page: Page, boardId: BoardId, update: Uint8Array): Promise<void> {
  await page.evaluate(
    async ({ name, b64 }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name)
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction('updates', 'readwrite')
        tx.objectStore('updates').add(bytes)
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
      })
      db.close()
    },
    { name: sealedDatabaseName(boardId), b64: Buffer.from(update).toString('base64') },
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
  const raw = [...(record.keys ?? []).map((k) => k.contentKey), ...(record.contentKey ? [record.contentKey] : [])]
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

/** Whether `text` occurs, as UTF-8, in any of `plaintexts`. */
export function containsText(plaintexts: readonly Uint8Array[], text: string): boolean {
  const needle = Buffer.from(text, 'utf8')
  return plaintexts.some((p) => Buffer.from(p).includes(needle))
}
