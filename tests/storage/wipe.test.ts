import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it, onTestFinished } from 'vitest'
import * as Y from 'yjs'
import { deriveTransportKeys, generateTransportSecret } from '../../src/crypto/index.ts'
import { Keyring, openBoardStore, wipeDevice } from '../../src/storage/index.ts'

class MemoryStorage implements Storage {
  #data = new Map<string, string>()
  get length() {
    return this.#data.size
  }
  clear() {
    this.#data.clear()
  }
  getItem(key: string) {
    return this.#data.get(key) ?? null
  }
  key(i: number) {
    return [...this.#data.keys()][i] ?? null
  }
  removeItem(key: string) {
    this.#data.delete(key)
  }
  setItem(key: string, value: string) {
    this.#data.set(key, value)
  }
}

class MemoryCaches {
  names = new Set(['workbox-precache-v2', 'other'])
  async keys() {
    return [...this.names]
  }
  async delete(name: string) {
    return this.names.delete(name)
  }
}

describe('panic wipe', () => {
  it('deletes every database, cache and stored setting, and says so', async () => {
    const factory = new IDBFactory()
    const keyring = await Keyring.open({ indexedDB: factory })
    const secret = generateTransportSecret()
    const id = deriveTransportKeys(secret).boardId
    await keyring.put({ id, transportSecret: secret, displayName: 'Alice', name: 'Garden', addedAt: 1, openedAt: 1 })
    await keyring.close()
    const extra = factory.open('someone-elses-db')
    await new Promise((r) => (extra.onsuccess = r))
    extra.result.close()
    const local = new MemoryStorage()
    local.setItem('hearth.settings', '{}')
    const session = new MemoryStorage()
    session.setItem('x', 'y')
    const caches = new MemoryCaches()

    const report = await wipeDevice({ indexedDB: factory, localStorage: local, sessionStorage: session, caches: caches as unknown as CacheStorage })
    expect(report.failed).toEqual([])
    expect(report.ok).toBe(true)
    expect(await factory.databases()).toEqual([])
    expect(local.length).toBe(0)
    expect(session.length).toBe(0)
    expect(caches.names.size).toBe(0)

    // What is left is a fresh device: a new identity, no boards, nothing written yet.
    const fresh = await Keyring.open({ indexedDB: factory })
    expect(await fresh.list()).toEqual([])
    expect(await factory.databases()).toEqual([])
  })

  it('waits for the app’s own connections to close, and reports one that never does', async () => {
    const factory = new IDBFactory()
    // A y-indexeddb board store still open: it closes on versionchange, so the wipe goes through.
    const original = globalThis.indexedDB
    globalThis.indexedDB = factory
    onTestFinished(() => void (globalThis.indexedDB = original))
    const doc = new Y.Doc()
    const store = openBoardStore(deriveTransportKeys(generateTransportSecret()).boardId, doc)
    await store.loaded
    expect((await factory.databases()).length).toBe(1)
    expect((await wipeDevice({ indexedDB: factory, localStorage: new MemoryStorage(), sessionStorage: new MemoryStorage() })).ok).toBe(true)
    expect(await factory.databases()).toEqual([])

    // A connection that ignores versionchange blocks its deletion: reported, not hung on.
    const stubborn = factory.open('stubborn')
    await new Promise((r) => (stubborn.onsuccess = r))
    stubborn.result.onversionchange = null
    const report = await wipeDevice({ indexedDB: factory, localStorage: new MemoryStorage(), sessionStorage: new MemoryStorage(), blockedTimeoutMs: 50 })
    expect(report.ok).toBe(false)
    expect(report.failed).toContain('stubborn')
    stubborn.result.close()
  })
})
