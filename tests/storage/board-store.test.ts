import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { splitUpdate } from '../../src/sealed/index.ts'
import { COMPACT_AT, Keyring, newStoreSecret } from '../../src/storage/index.ts'
import { crashableProfile } from './crash.ts'
import { contains, profile, rawDatabase, type Profile } from './support.ts'

async function openDevice(p: Profile = profile()): Promise<{ p: Profile; keyring: Keyring }> {
  const keyring = await Keyring.open(p)
  await keyring.materialize()
  return { p, keyring }
}

const records = async (p: Profile) => (await rawDatabase(p.indexedDB)).stores.records!

/** A fresh device with one new board's store open on `doc`. */
async function freshStore(doc: Y.Doc) {
  const { p, keyring } = await openDevice()
  const secret = newStoreSecret()
  const store = await keyring.openStore(secret, doc)
  await store.loaded
  return { p, keyring, secret, store }
}

/** The board's items as the device reads them after a restart. */
async function itemsAfterRestart(p: Profile, secret: Uint8Array): Promise<unknown> {
  const again = await Keyring.open(p)
  const copy = new Y.Doc()
  const reopened = await again.openStore(secret, copy)
  await reopened.loaded
  const items = copy.getMap('items').toJSON()
  await reopened.destroy()
  await again.close()
  return items
}

describe('a board’s store in the device’s one database', () => {
  it('keeps Alice’s board across restarts; flush resolves once it is on disk', async () => {
    const doc = new Y.Doc()
    const { p, keyring, secret, store } = await freshStore(doc)
    doc.getMap('items').set('x', 'Soup on Sunday')
    await store.flush()
    expect((await records(p)).size).toBe(1)
    doc.getMap('items').set('y', 'Coats in winter')
    await store.destroy()
    await keyring.close()
    expect(await itemsAfterRestart(p, secret)).toEqual({ x: 'Soup on Sunday', y: 'Coats in winter' })
  })

  it('a write the device refuses (it is full) drops nothing: kept, said, and written by the next flush once there is room', async () => {
    const doc = new Y.Doc()
    const { p, keyring, secret, store } = await freshStore(doc)
    doc.getMap('items').set('a', 'Soup on Sunday')
    await store.flush()
    const said: boolean[] = []
    store.onFailing((failing) => said.push(failing))

    // The device fills up: every put fails as Chromium's does when the quota is exceeded.
    const put = IDBObjectStore.prototype.put
    const full = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    })
    doc.getMap('items').set('b', 'Coats in winter')
    await expect(store.flush()).rejects.toMatchObject({ name: 'QuotaExceededError' })
    expect(store.failing).toBe(true)
    doc.getMap('items').set('c', 'Rides to the clinic')
    await expect(store.flush()).rejects.toMatchObject({ name: 'QuotaExceededError' })
    expect((await records(p)).size).toBe(1)

    // Room again: one flush writes both, in order, with no gap.
    full.mockRestore()
    expect(IDBObjectStore.prototype.put).toBe(put)
    await store.flush()
    expect(store.failing).toBe(false)
    expect(said).toEqual([true, false])
    await store.destroy()
    await keyring.close()
    expect(await itemsAfterRestart(p, secret)).toEqual({ a: 'Soup on Sunday', b: 'Coats in winter', c: 'Rides to the clinic' })
  })

  it('loads a large stored state in parts, each slice in a task of its own, into the same board as a load in one piece', async () => {
    const { p, keyring } = await openDevice()
    const secret = newStoreSecret()
    const doc = new Y.Doc()
    const store = await keyring.openStore(secret, doc)
    await store.loaded
    // 60 posts, each its own change (its own block of structs), so the state can be cut between them.
    for (let i = 0; i < 60; i++) doc.getMap('items').set(`post-${i}`, `Soup run ${i}: bring a thermos`.repeat(20))
    await store.flush()
    await store.destroy()
    await keyring.close()

    const again = await Keyring.open(p)
    const whole = new Y.Doc()
    const plain = await again.openStore(secret, whole)
    await plain.loaded
    await plain.destroy()

    const inParts = new Y.Doc()
    // Parts handed over one at a time, as the engine's cutter does: each is taken only when it is to be applied.
    let cuts = 0
    let taken = 0
    const takenBefore: number[] = []
    const cut = function* (update: Uint8Array) {
      const parts = splitUpdate(update, 1024)
      cuts += parts.length
      for (const part of parts) {
        taken++
        yield part
      }
    }
    // A clock on which every part takes 20 ms, past the slice (12): each part is then a transaction of its own. A
    // message posted at the end of one is delivered before the next begins only if a task runs between them.
    let transactions = 0
    let delivered = true
    let apart = 0
    inParts.on('beforeTransaction', () => {
      transactions++
      takenBefore.push(taken)
      if (transactions > 1 && delivered) apart++
    })
    // One channel, opened before the load opens any of its own, so that its message goes first among those posted.
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      delivered = true
    }
    inParts.on('afterTransaction', () => {
      delivered = false
      channel.port2.postMessage(null)
    })
    const sliced = await again.openStore(secret, inParts, { cut })
    let clock = 0
    const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 20))
    try {
      await sliced.loaded
    } finally {
      now.mockRestore()
      channel.port1.close()
    }
    expect(cuts).toBeGreaterThan(10)
    expect(transactions).toBe(cuts)
    expect(apart).toBe(cuts - 1)
    // The n-th transaction began with n parts taken: none was made ahead of its turn.
    expect(takenBefore).toEqual(Array.from({ length: cuts }, (_, i) => i + 1))
    expect(inParts.getMap('items').toJSON()).toEqual(whole.getMap('items').toJSON())
    expect(Y.encodeStateAsUpdate(inParts)).toEqual(Y.encodeStateAsUpdate(whole))
    await sliced.destroy()
    await again.close()
  })

  it('holds only ciphertext under keys that tell nothing: two boards with the same content share no key or byte pattern', async () => {
    const { p, keyring } = await openDevice()
    const stores = await Promise.all(
      [newStoreSecret(), newStoreSecret()].map(async (secret) => {
        const doc = new Y.Doc()
        const store = await keyring.openStore(secret, doc)
        await store.loaded
        doc.getMap('items').set('x', 'Meet behind the lilac gate')
        await store.flush()
        return store
      }),
    )
    const stored = await records(p)
    expect(stored.size).toBe(2)
    for (const [key, value] of stored) {
      expect(typeof key).toBe('string')
      expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/)
      expect(value).toBeInstanceOf(Uint8Array)
      expect(contains(value, 'lilac')).toBe(false)
    }
    const [a, b] = [...stored.values()] as Uint8Array[]
    expect(Buffer.from(a!).equals(Buffer.from(b!))).toBe(false)
    await Promise.all(stores.map((s) => s.destroy()))
    await keyring.close()
  })

  it('a record moved under another key does not open: the board refuses to load instead of reading the wrong data', async () => {
    const { p, keyring } = await openDevice()
    const secret = newStoreSecret()
    const doc = new Y.Doc()
    const store = await keyring.openStore(secret, doc)
    await store.loaded
    doc.getMap('items').set('x', 'first')
    await store.flush()
    doc.getMap('items').set('y', 'second')
    await store.flush()
    await store.destroy()
    // Eve, with the files, swaps the two records.
    const db = await new Promise<IDBDatabase>((resolve) => {
      const req = p.indexedDB.open('hearth-store')
      req.onsuccess = () => resolve(req.result)
    })
    const [k1, k2] = [...(await records(p)).keys()] as string[]
    const [v1, v2] = [(await records(p)).get(k1!), (await records(p)).get(k2!)]
    const tx = db.transaction('records', 'readwrite')
    tx.objectStore('records').put(v2, k1!)
    tx.objectStore('records').put(v1, k2!)
    await new Promise((r) => (tx.oncomplete = r))
    db.close()
    const copy = await keyring.openStore(secret, new Y.Doc())
    await expect(copy.loaded).rejects.toThrow(/does not open/)
    await keyring.close()
  })

  it('writes that arrive during a write go out together; after many, the records are merged into one', async () => {
    const { p, keyring } = await openDevice()
    const secret = newStoreSecret()
    const doc = new Y.Doc()
    const store = await keyring.openStore(secret, doc)
    await store.loaded
    const items = doc.getMap('items')
    for (let i = 0; i < 50; i++) items.set(`burst-${i}`, i)
    await store.flush()
    expect((await records(p)).size).toBeLessThanOrEqual(2)
    for (let i = 0; i < COMPACT_AT + 10; i++) {
      items.set(`item-${i}`, i)
      await store.flush()
    }
    expect((await records(p)).size).toBeLessThan(20)
    await store.destroy()

    const copy = new Y.Doc()
    const reopened = await keyring.openStore(secret, copy)
    await reopened.loaded
    expect(copy.getMap('items').size).toBe(50 + COMPACT_AT + 10)
    await reopened.destroy()
    await keyring.close()
  })

  it('deleting a board’s store removes every record of it and none of another board’s', async () => {
    const { p, keyring } = await openDevice()
    const [leave, keep] = [newStoreSecret(), newStoreSecret()]
    for (const secret of [leave, keep]) {
      const doc = new Y.Doc()
      const store = await keyring.openStore(secret, doc)
      await store.loaded
      for (let i = 0; i < 3; i++) {
        doc.getMap('items').set(`k${i}`, i)
        await store.flush()
      }
      await store.destroy()
    }
    expect((await records(p)).size).toBe(6)
    await keyring.deleteStore(leave)
    expect((await records(p)).size).toBe(3)
    const kept = new Y.Doc()
    const store = await keyring.openStore(keep, kept)
    await store.loaded
    expect(kept.getMap('items').size).toBe(3)
    const gone = new Y.Doc()
    const empty = await keyring.openStore(leave, gone)
    await empty.loaded
    expect(gone.getMap('items').size).toBe(0)
    await Promise.all([store.destroy(), empty.destroy()])
    await keyring.close()
  })
})

describe('the verdicts kept beside a board', () => {
  it('are kept encrypted under a key of their own, read back across restarts, and go with the board', async () => {
    const { p, keyring } = await openDevice()
    const secret = newStoreSecret()
    const doc = new Y.Doc()
    const store = await keyring.openStore(secret, doc)
    await store.loaded
    expect(await store.verdicts.load()).toBeNull()
    doc.getMap('items').set('x', 'Soup on Sunday')
    await store.verdicts.save(new TextEncoder().encode('verdicts: Soup on Sunday'))
    await store.flush()
    const stored = await records(p)
    expect(stored.size).toBe(2)
    for (const [key, value] of stored) {
      expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/)
      expect(contains(value as Uint8Array, 'verdicts')).toBe(false)
    }
    // Overwritten whole: a second save is still one record.
    await store.verdicts.save(new TextEncoder().encode('verdicts, again'))
    expect((await records(p)).size).toBe(2)
    await store.destroy()
    // A save after the store stopped writes nothing (a board being left or wiped).
    await store.verdicts.save(new TextEncoder().encode('too late'))
    await keyring.close()

    const again = await Keyring.open(p)
    const reopened = await again.openStore(secret, new Y.Doc())
    await reopened.loaded
    expect(new TextDecoder().decode((await reopened.verdicts.load())!)).toBe('verdicts, again')
    await reopened.destroy()
    await again.deleteStore(secret)
    expect((await records(p)).size).toBe(0)
    await again.close()
  })

  it('a verdicts record moved under another board’s key does not open', async () => {
    const { p, keyring } = await openDevice()
    const [a, b] = [newStoreSecret(), newStoreSecret()]
    const stores = await Promise.all([a, b].map((s) => keyring.openStore(s, new Y.Doc())))
    await stores[0]!.verdicts.save(Uint8Array.of(1, 2, 3))
    await stores[1]!.verdicts.save(Uint8Array.of(4, 5, 6))
    const [first, second] = [...(await records(p)).entries()] as [string, unknown][]
    // Eve, with the files, swaps the two records: each key now holds the other board's ciphertext.
    const db = await new Promise<IDBDatabase>((resolve) => {
      const req = p.indexedDB.open('hearth-store')
      req.onsuccess = () => resolve(req.result)
    })
    const tx = db.transaction('records', 'readwrite')
    tx.objectStore('records').put(second![1], first![0])
    tx.objectStore('records').put(first![1], second![0])
    await new Promise((r) => (tx.oncomplete = r))
    db.close()
    for (const store of stores) await expect(store.verdicts.load()).rejects.toThrow(/does not open/)
    await Promise.all(stores.map((s) => s.destroy()))
    await keyring.close()
  })
})

describe('board store durability', () => {
  /** Alice's phone, whose power can be cut; the key file (OPFS) is written through a flushed handle, so it outlives the crash. */
  async function phone(): Promise<{ p: Profile; crash: () => number; crashAtNextWrite: () => Promise<number> }> {
    const { factory, crash, crashAtNextWrite } = crashableProfile()
    return { p: { ...profile(), indexedDB: factory }, crash, crashAtNextWrite }
  }

  async function reopen(p: Profile, secret: Uint8Array): Promise<{ doc: Y.Doc; close(): Promise<void> }> {
    const keyring = await Keyring.open(p)
    const doc = new Y.Doc()
    const store = await keyring.openStore(secret, doc)
    await store.loaded
    return { doc, close: async () => (await store.destroy(), await keyring.close()) }
  }

  const notices = (doc: Y.Doc) => [...doc.getMap('items').values()].sort()

  it('what flush reported saved survives a crash the moment after', async () => {
    const { p, crash } = await phone()
    const { keyring } = await openDevice(p)
    const secret = newStoreSecret()
    const doc = new Y.Doc()
    const store = await keyring.openStore(secret, doc)
    await store.loaded
    const items = doc.getMap('items')
    items.set('a', 'Food bank open Saturday')
    items.set('b', 'Lawyer on call Tuesday')
    items.set('c', 'Meeting moved to the library')
    await store.flush()
    // "Saved" is on screen; the battery dies now.
    crash()

    const after = await reopen(p, secret)
    expect(notices(after.doc)).toEqual(['Food bank open Saturday', 'Lawyer on call Tuesday', 'Meeting moved to the library'])
    await after.close()
  })

  it('a crash before flush loses the write: the crash is real', async () => {
    const { p, crashAtNextWrite } = await phone()
    const { keyring } = await openDevice(p)
    const secret = newStoreSecret()
    const doc = new Y.Doc()
    const store = await keyring.openStore(secret, doc)
    await store.loaded
    doc.getMap('items').set('a', 'Posted before anything was saved')
    await store.flush()
    // The power goes while the write is on its way to the disk (encrypted, its transaction not yet committed).
    // Caught as its transaction opens: polling for it missed it on a loaded machine, where it could commit between two polls.
    const crashed = crashAtNextWrite()
    doc.getMap('items').set('b', 'Typed, never saved')
    expect(await crashed).toBeGreaterThan(0)

    const after = await reopen(p, secret)
    expect(notices(after.doc)).toEqual(['Posted before anything was saved'])
    await after.close()
  })
})
