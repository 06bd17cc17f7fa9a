/**
 * The panic wipe says `ok` only when nothing is left. Whatever a browser
 * fails to delete — a database it says it deleted but still lists, a cache
 * that stays, a service worker that will not unregister, a key file that
 * cannot be destroyed — is named in the report, once, so the app can tell
 * the person the wipe did not finish. Other tabs hear that a wipe started
 * and finished.
 */
import { IDBFactory } from 'fake-indexeddb'
import { afterEach, describe, expect, it } from 'vitest'
import { Keyring, onWipeElsewhere, wipeDevice, type KeyFile } from '../../src/storage/index.ts'
import { board, MemoryStorage, profile } from './support.ts'

const quiet = { localStorage: new MemoryStorage(), sessionStorage: new MemoryStorage() }

/** An IDBDatabase request that answers `outcome` on the next turn, as a browser does. */
function answeredRequest(outcome: 'success' | 'error'): IDBOpenDBRequest {
  const req = { onsuccess: null, onerror: null, onblocked: null, error: null } as unknown as IDBOpenDBRequest
  setTimeout(() => (outcome === 'success' ? req.onsuccess?.(new Event('success')) : req.onerror?.(new Event('error'))))
  return req
}

/** A browser whose deletion of `name` says `outcome` but leaves the database where it is. */
function lyingFactory(inner: IDBFactory, name: string, outcome: 'success' | 'error', withList = true): IDBFactory {
  return {
    open: (n: string, v?: number) => inner.open(n, v),
    deleteDatabase: (n: string) => (n === name ? answeredRequest(outcome) : inner.deleteDatabase(n)),
    cmp: (a: unknown, b: unknown) => inner.cmp(a, b),
    ...(withList ? { databases: () => inner.databases() } : {}),
  } as IDBFactory
}

async function createDatabase(factory: IDBFactory, name: string): Promise<void> {
  const req = factory.open(name)
  await new Promise((r) => (req.onsuccess = r))
  req.result.close()
}

class Caches {
  constructor(
    readonly names: Set<string>,
    private readonly deleting: (name: string) => Promise<boolean>,
  ) {}
  async keys() {
    return [...this.names]
  }
  delete(name: string) {
    return this.deleting(name)
  }
}

class Workers {
  unregistered = 0
  constructor(private readonly answers: Array<boolean | 'gate'>, private readonly gate?: Promise<void>) {}
  async getRegistrations() {
    return this.answers.map((answer) => ({
      unregister: async () => {
        if (answer === 'gate') await this.gate
        this.unregistered++
        return answer !== false
      },
    }))
  }
}

const sw = (w: Workers) => w as unknown as ServiceWorkerContainer
const cs = (c: Caches) => c as unknown as CacheStorage

describe('the panic wipe reports what is left', () => {
  it('a database the browser says it deleted but still lists is named once; so is one whose deletion fails', async () => {
    const inner = new IDBFactory()
    await createDatabase(inner, 'kept')
    await createDatabase(inner, 'other')
    const report = await wipeDevice({ ...quiet, keyFile: null, indexedDB: lyingFactory(inner, 'kept', 'success') })
    expect(report.failed).toEqual(['kept'])
    expect(report.ok).toBe(false)
    expect((await inner.databases()).map((d) => d.name)).toEqual(['kept'])

    const broken = await wipeDevice({ ...quiet, keyFile: null, indexedDB: lyingFactory(inner, 'kept', 'error') })
    expect(broken.failed).toEqual(['kept'])
    expect(broken.ok).toBe(false)
  })

  it('a connection that blocks a deletion is named once, and waited for only as long as asked', async () => {
    const p = profile()
    await createDatabase(p.indexedDB, 'stubborn')
    const stubborn = p.indexedDB.open('stubborn')
    await new Promise((r) => (stubborn.onsuccess = r))
    stubborn.result.onversionchange = null
    const before = performance.now()
    const report = await wipeDevice({ ...quiet, indexedDB: p.indexedDB, keyFile: null, blockedTimeoutMs: 50 })
    const took = performance.now() - before
    expect(report.failed).toEqual(['stubborn'])
    expect(report.ms).toBeGreaterThanOrEqual(45)
    expect(report.ms).toBeLessThanOrEqual(took + 1)
    expect(took).toBeLessThan(2000)
    stubborn.result.close()
  })

  it('without a list of databases (an older browser) the one database is still deleted, and a storage the browser lacks is no failure', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    await keyring.put(board('Garden', 'Alice'))
    await keyring.close()
    expect((await p.indexedDB.databases()).map((d) => d.name)).toEqual(['hearth-store'])
    // No sessionStorage either (Node has none): nothing to clear is no failure.
    const report = await wipeDevice({ localStorage: new MemoryStorage(), indexedDB: lyingFactory(p.indexedDB, 'none', 'success', false), keyFile: p.keyFile })
    expect(report).toMatchObject({ ok: true, failed: [] })
    expect(await p.indexedDB.databases()).toEqual([])
    expect(p.keyFile.bytes).toBeNull()
  })

  it('a cache that stays, or whose deletion throws, is named once', async () => {
    const idb = new IDBFactory()
    // The browser answers true, yet the cache is still there.
    const stays = new Caches(new Set(['app-shell']), async () => true)
    const kept = await wipeDevice({ ...quiet, keyFile: null, indexedDB: idb, caches: cs(stays) })
    expect(kept.failed).toEqual(['app-shell'])
    expect(kept.ok).toBe(false)

    const names = new Set(['app-shell', 'runtime'])
    const throwing = new Caches(names, (name) => (name === 'app-shell' ? Promise.reject(new Error('quota')) : Promise.resolve(names.delete(name))))
    const report = await wipeDevice({ ...quiet, keyFile: null, indexedDB: idb, caches: cs(throwing) })
    expect(report.failed).toEqual(['app-shell'])
    expect([...names]).toEqual(['app-shell'])
  })

  it('a key file that cannot be destroyed, and a storage that cannot be cleared, are named', async () => {
    const keyFile: KeyFile = { erasable: true, read: async () => null, write: async () => undefined, destroy: () => Promise.reject(new Error('locked')) }
    const local = new MemoryStorage()
    local.clear = () => {
      throw new Error('denied')
    }
    const report = await wipeDevice({ indexedDB: new IDBFactory(), keyFile, localStorage: local, sessionStorage: new MemoryStorage() })
    expect(report.failed).toEqual(['key file', 'localStorage'])
    expect(report.ok).toBe(false)
  })
})

describe('the panic wipe and the installed app', () => {
  it('unregisters every service worker, and names one that stays', async () => {
    const idb = new IDBFactory()
    const all = new Workers([true, true])
    expect(await wipeDevice({ ...quiet, keyFile: null, indexedDB: idb, serviceWorker: sw(all) })).toMatchObject({ ok: true, failed: [] })
    expect(all.unregistered).toBe(2)

    const stays = new Workers([true, false])
    const report = await wipeDevice({ ...quiet, keyFile: null, indexedDB: idb, serviceWorker: sw(stays) })
    expect(report.failed).toEqual(['service worker'])
    expect(report.ok).toBe(false)

    const refusing = { getRegistrations: () => Promise.reject(new Error('no')) } as unknown as ServiceWorkerContainer
    expect((await wipeDevice({ ...quiet, keyFile: null, indexedDB: idb, serviceWorker: refusing })).failed).toEqual(['service worker'])
  })

  it('the duress wipe keeps the service worker', async () => {
    const workers = new Workers([true])
    const report = await wipeDevice({ ...quiet, keyFile: null, indexedDB: new IDBFactory(), serviceWorker: sw(workers), keepApp: true })
    expect(report.ok).toBe(true)
    expect(workers.unregistered).toBe(0)
  })

  it('says the data is gone before the slow unregistering of the worker ends, and resolves only after it', async () => {
    let open = (): void => {}
    const gate = new Promise<void>((r) => (open = r))
    const workers = new Workers(['gate'], gate)
    const seen: string[] = []
    const wiping = wipeDevice({ ...quiet, keyFile: null, indexedDB: new IDBFactory(), serviceWorker: sw(workers), onDataGone: () => seen.push(`data gone, ${workers.unregistered} unregistered`) })
    void wiping.then(() => seen.push('resolved'))
    await new Promise((r) => setTimeout(r, 20))
    expect(seen).toEqual(['data gone, 0 unregistered'])
    open()
    expect(await wiping).toMatchObject({ ok: true })
    expect(seen).toEqual(['data gone, 0 unregistered', 'resolved'])
    expect(workers.unregistered).toBe(1)
  })
})

describe('other tabs hear of a wipe', () => {
  const channels: BroadcastChannel[] = []
  const unsubscribes: Array<() => void> = []
  afterEach(() => {
    for (const c of channels.splice(0)) c.close()
    for (const u of unsubscribes.splice(0)) u()
  })
  const tab = (): { heard: string[] } => {
    const heard: string[] = []
    const channel = new BroadcastChannel('hearth.wipe')
    channel.onmessage = (e: MessageEvent) => heard.push(String(e.data))
    channels.push(channel)
    return { heard }
  }
  const settle = () => new Promise((r) => setTimeout(r, 30))

  it('another tab is told the wipe started, then finished', async () => {
    const other = tab()
    await wipeDevice({ ...quiet, keyFile: null, indexedDB: new IDBFactory() })
    await settle()
    expect(other.heard).toEqual(['started', 'finished'])
  })

  it('this tab, listening, hears another tab’s wipe and not its own; after unsubscribing, nothing', async () => {
    const other = tab()
    const heard: string[] = []
    const unsubscribe = onWipeElsewhere({ started: () => heard.push('started'), finished: () => heard.push('finished') })
    unsubscribes.push(unsubscribe)

    await wipeDevice({ ...quiet, keyFile: null, indexedDB: new IDBFactory() })
    await settle()
    expect(heard).toEqual([])
    expect(other.heard).toEqual(['started', 'finished'])

    const sender = new BroadcastChannel('hearth.wipe')
    channels.push(sender)
    sender.postMessage('started')
    await settle()
    sender.postMessage('finished')
    await settle()
    expect(heard).toEqual(['started', 'finished'])

    unsubscribe()
    sender.postMessage('started')
    await settle()
    expect(heard).toEqual(['started', 'finished'])
    // Its own channel gone, this tab's next wipe still reaches the other tab.
    other.heard.length = 0
    await wipeDevice({ ...quiet, keyFile: null, indexedDB: new IDBFactory() })
    await settle()
    expect(other.heard).toEqual(['started', 'finished'])
  })
})
