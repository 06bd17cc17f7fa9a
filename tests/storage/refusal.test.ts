/**
 * Why the app could not start (src/main.ts): the browser refusing storage is
 * told apart from anything else, through the errors that wrap it.
 */
import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { isStorageRefusal, keepsDatabases } from '../../src/storage/index.ts'

describe('isStorageRefusal', () => {
  it('is true for what IndexedDB, the file system and the quota throw when storage is refused, and for errors caused by one', () => {
    for (const name of ['SecurityError', 'UnknownError', 'QuotaExceededError', 'NotAllowedError', 'InvalidStateError', 'AbortError']) {
      expect(isStorageRefusal(new DOMException('refused', name))).toBe(true)
    }
    const inWorker = new Error('Key file: QuotaExceededError: full', { cause: new DOMException('full', 'QuotaExceededError') })
    expect(isStorageRefusal(inWorker)).toBe(true)
    expect(isStorageRefusal(new Error('outer', { cause: inWorker }))).toBe(true)
  })

  it('is false for anything else: a plain error, a WebCrypto failure, a database from a newer version, nothing', () => {
    expect(isStorageRefusal(new Error('bug'))).toBe(false)
    expect(isStorageRefusal(new TypeError('x is undefined'))).toBe(false)
    expect(isStorageRefusal(new DOMException('no', 'OperationError'))).toBe(false)
    expect(isStorageRefusal(new DOMException('newer', 'VersionError'))).toBe(false)
    expect(isStorageRefusal(undefined)).toBe(false)
    // A cause chain that loops ends.
    const a = new Error('a') as Error & { cause?: unknown }
    a.cause = a
    expect(isStorageRefusal(a)).toBe(false)
  })
})

describe('keepsDatabases', () => {
  it('is false for an origin with no database, true once one exists, and false where the browser refuses to say', async () => {
    const idb = new IDBFactory()
    expect(await keepsDatabases(idb)).toBe(false)
    const req = idb.open('hearth')
    await new Promise((r) => (req.onsuccess = r))
    req.result.close()
    expect(await keepsDatabases(idb)).toBe(true)
    const refusing = { databases: () => Promise.reject(new DOMException('denied', 'SecurityError')) } as unknown as IDBFactory
    expect(await keepsDatabases(refusing)).toBe(false)
  })
})
