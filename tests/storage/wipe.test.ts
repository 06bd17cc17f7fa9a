import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Keyring, wipeDevice } from '../../src/storage/index.ts'
import { board, MemoryStorage, profile } from './support.ts'

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
  it('destroys the key file first, then deletes every database, cache and stored setting, and says so', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    await keyring.put(board('Garden', 'Alice'))
    await keyring.close()
    const extra = p.indexedDB.open('someone-elses-db')
    await new Promise((r) => (extra.onsuccess = r))
    extra.result.close()
    const local = new MemoryStorage()
    local.setItem('hearth.settings', '{}')
    const session = new MemoryStorage()
    session.setItem('x', 'y')
    const caches = new MemoryCaches()

    const report = await wipeDevice({ indexedDB: p.indexedDB, keyFile: p.keyFile, localStorage: local, sessionStorage: session, caches: caches as unknown as CacheStorage })
    expect(report.failed).toEqual([])
    expect(report.ok).toBe(true)
    expect(p.keyFile.bytes).toBeNull()
    expect(p.keyFile.destroyed).toBe(1)
    expect(await p.indexedDB.databases()).toEqual([])
    expect(local.length).toBe(0)
    expect(session.length).toBe(0)
    expect(caches.names.size).toBe(0)

    // What is left is a fresh device: a new identity, no boards, nothing written yet.
    const fresh = await Keyring.open(p)
    expect(fresh.firstRun).toBe(true)
    expect(await fresh.list()).toEqual([])
    expect(await p.indexedDB.databases()).toEqual([])
    expect(p.keyFile.bytes).toBeNull()
  })

  it('the duress wipe keeps the installed app (its caches), and takes everything else', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    await keyring.put(board('Garden', 'Alice'))
    await keyring.close()
    const caches = new MemoryCaches()
    const report = await wipeDevice({ indexedDB: p.indexedDB, keyFile: p.keyFile, keepApp: true, localStorage: new MemoryStorage(), sessionStorage: new MemoryStorage(), caches: caches as unknown as CacheStorage })
    expect(report.ok).toBe(true)
    expect(p.keyFile.bytes).toBeNull()
    expect(await p.indexedDB.databases()).toEqual([])
    expect(caches.names.size).toBe(2)
  })

  it('waits for the app’s own connections to close, and reports one that never does', async () => {
    const p = profile()
    // A board store still open on the one database: it closes on versionchange, so the wipe goes through.
    const keyring = await Keyring.open(p)
    await keyring.materialize()
    const store = await keyring.openStore(board('Garden', 'Alice').store!, new Y.Doc())
    await store.loaded
    expect((await p.indexedDB.databases()).length).toBe(1)
    expect((await wipeDevice({ indexedDB: p.indexedDB, keyFile: p.keyFile, localStorage: new MemoryStorage(), sessionStorage: new MemoryStorage() })).ok).toBe(true)
    expect(await p.indexedDB.databases()).toEqual([])

    // A connection that ignores versionchange blocks its deletion: reported, not hung on.
    const stubborn = p.indexedDB.open('stubborn')
    await new Promise((r) => (stubborn.onsuccess = r))
    stubborn.result.onversionchange = null
    const report = await wipeDevice({ indexedDB: p.indexedDB, keyFile: null, localStorage: new MemoryStorage(), sessionStorage: new MemoryStorage(), blockedTimeoutMs: 50 })
    expect(report.ok).toBe(false)
    expect(report.failed).toContain('stubborn')
    stubborn.result.close()
  })
})
