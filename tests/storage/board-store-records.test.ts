/**
 * A board's records as the store reads and writes them: every record is read
 * back however many there are, a board with many records is merged into one
 * when it is opened, nothing typed while the board is still loading is lost,
 * and a write that fails is reported by `flush` (the UI must never say
 * "saved" for it) and kept for the next write. The keys come from the store secret by a fixed
 * derivation, so a board stored today opens after any update.
 */
import { IDBFactory } from 'fake-indexeddb'
import * as decoding from 'lib0/decoding'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { toBase64url } from '../../src/crypto/index.ts'
import { COMPACT_ON_LOAD_AT, deleteBoardRecords, importBoardRecords, newStoreSecret, openBoardStore, RECORD_BYTES, SEGMENT_BYTES, storeKeys, type BoardStore, type RecordEncrypt } from '../../src/storage/board-store.ts'
import { encodeUpdates, recordsOf } from '../../src/storage/board-records.ts'
import { openVault, RECORDS_STORE } from '../../src/storage/vault-db.ts'
import { idbRequest } from './support.ts'

async function device(): Promise<{ factory: IDBFactory; db: IDBDatabase; database: () => Promise<IDBDatabase> }> {
  const factory = new IDBFactory()
  const db = await openVault(factory, 'hearth-store')
  return { factory, db, database: async () => db }
}

async function recordCount(db: IDBDatabase): Promise<number> {
  return idbRequest(db.transaction(RECORDS_STORE, 'readonly').objectStore(RECORDS_STORE).count())
}

/** `n` records, one per flushed write, each holding one item. */
async function writeRecords(database: () => Promise<IDBDatabase>, secret: Uint8Array, n: number): Promise<void> {
  const doc = new Y.Doc()
  const store = openBoardStore(database, await storeKeys(secret), doc)
  await store.loaded
  for (let i = 0; i < n; i++) {
    doc.getMap('items').set(`item-${i}`, i)
    await store.flush()
  }
  await store.destroy()
}

async function reopen(database: () => Promise<IDBDatabase>, secret: Uint8Array): Promise<{ doc: Y.Doc; store: BoardStore }> {
  const doc = new Y.Doc()
  const store = openBoardStore(database, await storeKeys(secret), doc)
  await store.loaded
  await store.flush()
  return { doc, store }
}

describe('a board’s records, read back', () => {
  it('a board of 150 records (more than one read batch of 64) opens whole, is merged into one record, and leaves nothing once deleted', async () => {
    const { db, database } = await device()
    const secret = newStoreSecret()
    await writeRecords(database, secret, 150)
    expect(await recordCount(db)).toBe(150)
    const { doc, store } = await reopen(database, secret)
    expect(doc.getMap('items').size).toBe(150)
    // One record and the head that points to it.
    expect(await recordCount(db)).toBe(2)
    await store.destroy()
    const again = await reopen(database, secret)
    expect(again.doc.getMap('items').size).toBe(150)
    await again.store.destroy()
    // Leaving the board takes the merged record and the head that points to it.
    await deleteBoardRecords(database, await storeKeys(secret))
    expect(await recordCount(db)).toBe(0)
  })

  it(`is merged on opening from ${COMPACT_ON_LOAD_AT} records on, and left as it is below`, async () => {
    const { db, database } = await device()
    const [below, at] = [newStoreSecret(), newStoreSecret()]
    await writeRecords(database, below, COMPACT_ON_LOAD_AT - 1)
    const a = await reopen(database, below)
    expect(await recordCount(db)).toBe(COMPACT_ON_LOAD_AT - 1)
    await a.store.destroy()
    await writeRecords(database, at, COMPACT_ON_LOAD_AT)
    const b = await reopen(database, at)
    expect(b.doc.getMap('items').size).toBe(COMPACT_ON_LOAD_AT)
    expect(await recordCount(db)).toBe(COMPACT_ON_LOAD_AT - 1 + 2)
    await b.store.destroy()
  })

  it('what Alice types while the board is still loading is kept', async () => {
    const { database } = await device()
    const secret = newStoreSecret()
    await writeRecords(database, secret, 3)
    const doc = new Y.Doc()
    const store = openBoardStore(database, await storeKeys(secret), doc)
    doc.getMap('items').set('early', 'typed at once')
    await store.loaded
    await store.flush()
    await store.destroy()
    const { doc: copy } = await reopen(database, secret)
    expect(copy.getMap('items').get('early')).toBe('typed at once')
    expect(copy.getMap('items').size).toBe(4)
  })

  it('a store destroyed before it finished loading writes nothing afterwards', async () => {
    const { db, database } = await device()
    const secret = newStoreSecret()
    await writeRecords(database, secret, 2)
    const doc = new Y.Doc()
    const store = openBoardStore(database, await storeKeys(secret), doc)
    const destroyed = store.destroy()
    await store.loaded
    await destroyed
    doc.getMap('items').set('late', 'after the board was closed')
    await new Promise((r) => setTimeout(r, 20))
    expect(await recordCount(db)).toBe(2)
  })

  it.each([
    [27, 'A stored board record is damaged'],
    // An IV and a tag with nothing between: long enough to try, and it does not open.
    [28, 'A stored board record does not open: it was altered or written under another key'],
  ])('a record cut to %i bytes: %s', async (length, error) => {
    const { db, database } = await device()
    const secret = newStoreSecret()
    await writeRecords(database, secret, 1)
    const tx = db.transaction(RECORDS_STORE, 'readwrite')
    const store = tx.objectStore(RECORDS_STORE)
    const [key] = await idbRequest(store.getAllKeys())
    store.put(new Uint8Array(length), key!)
    await new Promise((r) => (tx.oncomplete = r))
    const doc = new Y.Doc()
    await expect(openBoardStore(database, await storeKeys(secret), doc).loaded).rejects.toThrow(error)
  })
})

/** Record n's key (or the head's), as board-store.ts derives it: written out here so a test can reach one record. */
async function tagOf(secret: Uint8Array, n: number | 'head'): Promise<string> {
  const ikm = await crypto.subtle.importKey('raw', new Uint8Array(secret), 'HKDF', false, ['deriveKey'])
  const hmac = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode('hearth/v3/store/tags') }, ikm, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign'])
  const label = new Uint8Array(5)
  if (n === 'head') label[0] = 0x68
  else {
    label[0] = 0x72
    new DataView(label.buffer).setUint32(1, n)
  }
  return toBase64url(new Uint8Array(await crypto.subtle.sign('HMAC', hmac, label)).subarray(0, 16))
}

/** A board of `n` items of about 100 KB each (random, so nothing compresses them away), written one record per item. */
async function writeLargeRecords(database: () => Promise<IDBDatabase>, secret: Uint8Array, n: number): Promise<void> {
  const doc = new Y.Doc()
  const store = openBoardStore(database, await storeKeys(secret), doc)
  await store.loaded
  for (let i = 0; i < n; i++) {
    const bytes = new Uint8Array(100_000)
    for (let at = 0; at < bytes.length; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536))
    doc.getMap('items').set(`item-${i}`, bytes)
    await store.flush()
  }
  await store.destroy()
}

describe('a large board’s merged state, in segments', () => {
  it('is written in records of at most a megabyte, opens whole, and is not merged again on the next opening', async () => {
    const { db, database } = await device()
    const secret = newStoreSecret()
    await writeLargeRecords(database, secret, COMPACT_ON_LOAD_AT + 8)
    const first = await reopen(database, secret)
    expect(first.doc.getMap('items').size).toBe(COMPACT_ON_LOAD_AT + 8)
    await first.store.destroy()
    // About 4 MB of state: 4 segments and the head.
    const state = Y.encodeStateAsUpdate(first.doc).length
    const segments = Math.ceil((state + 4) / SEGMENT_BYTES)
    expect(segments).toBeGreaterThanOrEqual(4)
    expect(await recordCount(db)).toBe(segments + 1)
    const sizes = (await idbRequest(db.transaction(RECORDS_STORE, 'readonly').objectStore(RECORDS_STORE).getAll())) as Uint8Array[]
    expect(Math.max(...sizes.map((v) => v.length))).toBeLessThanOrEqual(SEGMENT_BYTES + 28)

    // A post after it is a record of its own; the next opening reads both and merges nothing.
    const again = await reopen(database, secret)
    again.doc.getMap('items').set('after', 'Soup on Sunday')
    await again.store.flush()
    await again.store.destroy()
    const third = await reopen(database, secret)
    expect(third.doc.getMap('items').size).toBe(COMPACT_ON_LOAD_AT + 9)
    expect(third.doc.getMap('items').get('after')).toBe('Soup on Sunday')
    expect(await recordCount(db)).toBe(segments + 2)
    await third.store.destroy()

    await deleteBoardRecords(database, await storeKeys(secret))
    expect(await recordCount(db)).toBe(0)
  })

  it('a large board moved in from an older layout is written in segments too, and opens whole', async () => {
    const { db, database } = await device()
    const secret = newStoreSecret()
    await writeLargeRecords(database, secret, 30)
    const { doc: original, store } = await reopen(database, secret)
    await store.destroy()
    const moved = newStoreSecret()
    const before = await recordCount(db)
    await importBoardRecords(database, await storeKeys(moved), [Y.encodeStateAsUpdate(original)])
    // About 3 MB: at least 3 segments and a head.
    expect((await recordCount(db)) - before).toBeGreaterThanOrEqual(4)
    const { doc } = await reopen(database, moved)
    expect(doc.getMap('items').size).toBe(30)
    expect(doc.getMap('items').get('item-29')).toEqual(original.getMap('items').get('item-29'))
  })

  it('what arrives at once (a sync’s pieces) is written in batches of about 256 KB, each as records under 64 KiB, and all of it is on disk when flush resolves', async () => {
    const { db, database } = await device()
    const secret = newStoreSecret()
    const doc = new Y.Doc()
    const store = openBoardStore(database, await storeKeys(secret), doc)
    await store.loaded
    const pieces: Uint8Array[] = []
    for (let i = 0; i < 10; i++) {
      const bytes = new Uint8Array(100_000)
      for (let at = 0; at < bytes.length; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536))
      pieces.push(bytes)
      doc.getMap('items').set(`piece-${i}`, bytes)
    }
    await store.flush()
    // 10 updates of 100 KB: two to a batch (not one batch of 1 MB), each batch of 200 KB in 4 records.
    expect(await recordCount(db)).toBe(20)
    const values = (await idbRequest(db.transaction(RECORDS_STORE, 'readonly').objectStore(RECORDS_STORE).getAll())) as Uint8Array[]
    // Chromium moves a value of more than 64 KiB into a blob as it is put, on the page's thread.
    expect(Math.max(...values.map((v) => v.length))).toBeLessThanOrEqual(RECORD_BYTES + 28)
    expect(RECORD_BYTES + 28).toBeLessThan(64 * 1024)
    await store.destroy()
    const { doc: copy } = await reopen(database, secret)
    expect(copy.getMap('items').size).toBe(10)
    // Compared whole (toEqual walks 100 KB arrays byte by byte, slowly).
    pieces.forEach((bytes, i) => expect(Buffer.compare(copy.getMap('items').get(`piece-${i}`) as Uint8Array, bytes)).toBe(0))
  })

  it('encrypts its records where it is told (the crypto worker, in the app), and a board so written opens with the page’s own decryption', async () => {
    const { db, database } = await device()
    const secret = newStoreSecret()
    const doc = new Y.Doc()
    const sealed: number[] = []
    const encrypt: RecordEncrypt = async (key, iv, plaintext, aad) => {
      sealed.push(plaintext.length)
      return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as Uint8Array<ArrayBuffer>, additionalData: aad as Uint8Array<ArrayBuffer> }, key, plaintext as Uint8Array<ArrayBuffer>))
    }
    const store = openBoardStore(database, await storeKeys(secret), doc, { encrypt })
    await store.loaded
    const bytes = new Uint8Array(150_000)
    for (let at = 0; at < bytes.length; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536))
    doc.getMap('items').set('large', bytes)
    doc.getMap('items').set('small', 'Soup on Sunday')
    await store.flush()
    await store.destroy()
    expect(sealed).toHaveLength(await recordCount(db))
    const { doc: copy } = await reopen(database, secret)
    expect(copy.getMap('items').get('small')).toBe('Soup on Sunday')
    expect(Buffer.compare(copy.getMap('items').get('large') as Uint8Array, bytes)).toBe(0)
  })

  it.each([
    ['its last record', 4],
    ['a record in its middle', 2],
  ])('a batch missing %s is left out whole, what was before it stays, and what is written next is kept', async (_what, missing) => {
    const { db, database } = await device()
    const secret = newStoreSecret()
    const doc = new Y.Doc()
    const store = openBoardStore(database, await storeKeys(secret), doc)
    await store.loaded
    doc.getMap('items').set('before', 'Soup on Sunday')
    await store.flush()
    const bytes = new Uint8Array(200_000)
    for (let at = 0; at < bytes.length; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536))
    doc.getMap('items').set('large', bytes)
    await store.flush()
    await store.destroy()
    // Record 0, then the large batch as records 1–4.
    expect(await recordCount(db)).toBe(5)
    const gone = await tagOf(secret, missing)
    const tx = db.transaction(RECORDS_STORE, 'readwrite')
    tx.objectStore(RECORDS_STORE).delete(gone)
    await new Promise((r) => (tx.oncomplete = r))

    const first = await reopen(database, secret)
    expect(first.doc.getMap('items').toJSON()).toEqual({ before: 'Soup on Sunday' })
    first.doc.getMap('items').set('after', 'Bring a blanket')
    await first.store.flush()
    await first.store.destroy()
    // "after" fills the gap; the batch's records after it are read again, and left out.
    const second = await reopen(database, secret)
    expect(second.doc.getMap('items').toJSON()).toEqual({ before: 'Soup on Sunday', after: 'Bring a blanket' })
    second.doc.getMap('items').set('later', 'Doors at six')
    await second.store.flush()
    await second.store.destroy()
    const third = await reopen(database, secret)
    expect(third.doc.getMap('items').toJSON()).toEqual({ before: 'Soup on Sunday', after: 'Bring a blanket', later: 'Doors at six' })
  })

  it('missing its last segment, does not open as a smaller board: it is reported damaged', async () => {
    const { db, database } = await device()
    const secret = newStoreSecret()
    await writeLargeRecords(database, secret, COMPACT_ON_LOAD_AT + 8)
    // The merged state starts at the next record's number when it is written.
    const start = await recordCount(db)
    const { store } = await reopen(database, secret)
    await store.destroy()
    const segments = (await recordCount(db)) - 1
    const last = await tagOf(secret, start + segments - 1)
    const tx = db.transaction(RECORDS_STORE, 'readwrite')
    tx.objectStore(RECORDS_STORE).delete(last)
    await new Promise((r) => (tx.oncomplete = r))
    await expect(openBoardStore(database, await storeKeys(secret), new Y.Doc()).loaded).rejects.toThrow('A stored board record is damaged')
    // Leaving the board still takes every record that is left.
    await deleteBoardRecords(database, await storeKeys(secret))
    expect(await recordCount(db)).toBe(0)
  })

  it('a board merged by an older version (a 4-byte head: one record) still opens', async () => {
    const { db, database } = await device()
    const secret = newStoreSecret()
    await writeRecords(database, secret, COMPACT_ON_LOAD_AT)
    const { store } = await reopen(database, secret)
    await store.destroy()
    // Today's head: where the records start (32) and how many segments (1). An older version wrote only the first.
    const ikm = await crypto.subtle.importKey('raw', new Uint8Array(secret), 'HKDF', false, ['deriveKey'])
    const aes = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode('hearth/v3/store/cipher') }, ikm, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
    const headTag = await tagOf(secret, 'head')
    const aad = new TextEncoder().encode(headTag)
    const sealed = (await idbRequest(db.transaction(RECORDS_STORE, 'readonly').objectStore(RECORDS_STORE).get(headTag))) as Uint8Array
    const head = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.slice(0, 12), additionalData: aad }, aes, sealed.slice(12)))
    expect([...head]).toEqual([0, 0, 0, COMPACT_ON_LOAD_AT, 0, 0, 0, 1])
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const old = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, aes, head.slice(0, 4)))
    const tx = db.transaction(RECORDS_STORE, 'readwrite')
    tx.objectStore(RECORDS_STORE).put(new Uint8Array([...iv, ...old]), headTag)
    await new Promise((r) => (tx.oncomplete = r))
    const { doc } = await reopen(database, secret)
    expect(doc.getMap('items').size).toBe(COMPACT_ON_LOAD_AT)
  })
})

describe('a write that fails', () => {
  it('makes flush reject (never "saved"), and a verdicts save reject; what it held is kept and written by the next flush that can', async () => {
    const { db } = await device()
    const secret = newStoreSecret()
    let broken = false
    const closed = await openVault(new IDBFactory(), 'elsewhere')
    closed.close()
    const flaky = async () => (broken ? closed : db)
    const doc = new Y.Doc()
    const store = openBoardStore(flaky, await storeKeys(secret), doc)
    await store.loaded
    broken = true
    doc.getMap('items').set('x', 'written once it can be')
    await expect(store.flush()).rejects.toThrow()
    expect(store.failing).toBe(true)
    await expect(store.verdicts.save(new Uint8Array([1, 2, 3]))).rejects.toThrow()
    // Still broken: the change is tried again, and fails again (it was not dropped).
    await expect(store.flush()).rejects.toThrow()
    expect(await recordCount(db)).toBe(0)
    broken = false
    await expect(store.flush()).resolves.toBeUndefined()
    expect(store.failing).toBe(false)
    expect(await recordCount(db)).toBe(1)
    await store.destroy()
    const { doc: copy } = await reopen(async () => db, secret)
    expect(copy.getMap('items').get('x')).toBe('written once it can be')
  })
})

describe('the store keys, from the store secret', () => {
  it('are HKDF-SHA-256 of the secret with the labels hearth/v3/store/cipher and hearth/v3/store/tags, and cannot be exported', async () => {
    const secret = new Uint8Array(32).map((_, i) => i)
    const keys = await storeKeys(secret)
    expect(keys.cipher.extractable).toBe(false)
    expect(keys.tags.extractable).toBe(false)

    // The same derivation done here, step by step.
    const ikm = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveBits'])
    const bits = async (label: string) =>
      new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(`hearth/v3/store/${label}`) }, ikm, 256))
    const [cipherBytes, tagBytes] = [await bits('cipher'), await bits('tags')]
    const hmac = await crypto.subtle.importKey('raw', tagBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    const aes = await crypto.subtle.importKey('raw', cipherBytes, 'AES-GCM', false, ['decrypt'])

    const { db, database } = await device()
    const doc = new Y.Doc()
    const store = openBoardStore(database, keys, doc)
    await store.loaded
    doc.getMap('items').set('x', 'Soup on Sunday')
    await store.flush()
    await store.destroy()

    // Record 0's key is the first 16 bytes of HMAC("r" ‖ uint32 0), its value IV ‖ AES-GCM with the key as associated data.
    const label = new Uint8Array([0x72, 0, 0, 0, 0])
    const tag = toBase64url(new Uint8Array(await crypto.subtle.sign('HMAC', hmac, label)).subarray(0, 16))
    const value = (await idbRequest(db.transaction(RECORDS_STORE, 'readonly').objectStore(RECORDS_STORE).get(tag))) as Uint8Array
    expect(value).toBeInstanceOf(Uint8Array)
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: value.slice(0, 12), additionalData: new TextEncoder().encode(tag) }, aes, value.slice(12))
    const copy = new Y.Doc()
    // One update in the record: a count of 1, then its length and bytes.
    const bytes = new Uint8Array(plain)
    const d = decoding.createDecoder(bytes)
    expect(decoding.readVarUint(d)).toBe(1)
    Y.applyUpdate(copy, decoding.readVarUint8Array(d))
    expect(copy.getMap('items').get('x')).toBe('Soup on Sunday')
  })
})

describe('a batch of updates, as records', () => {
  const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff)
  /** The batch a reader gets back: the record itself, or its fragments' shares joined. */
  const joined = (records: Uint8Array[]) => (records.length === 1 ? records[0]! : Buffer.concat(records.map((r) => r.subarray(2))))

  it.each([
    ['one small update', [100]],
    ['a batch of exactly one record', [RECORD_BYTES - 4]],
    ['one byte over', [RECORD_BYTES - 3]],
    ['a length prefix cut across two fragments', [RECORD_BYTES - 4, 300, RECORD_BYTES * 2]],
    ['many updates over several fragments', Array.from({ length: 40 }, (_, i) => 5_000 + i * 97)],
  ])('%s: the same bytes as the batch, each record at most RECORD_BYTES, fragments marked first, middle, last', (_name, sizes) => {
    const updates = sizes.map((n, i) => bytes(n, i))
    const records = recordsOf(updates)
    expect(Buffer.compare(joined(records), encodeUpdates(updates))).toBe(0)
    for (const r of records) expect(r.length).toBeLessThanOrEqual(RECORD_BYTES)
    if (records.length > 1) {
      expect(records.map((r) => r[0])).toEqual(records.map(() => 0))
      expect(records.map((r) => r[1])).toEqual(records.map((_, i) => (i === 0 ? 2 : i === records.length - 1 ? 0 : 1)))
    } else expect(records[0]![0]).not.toBe(0)
  })
})
