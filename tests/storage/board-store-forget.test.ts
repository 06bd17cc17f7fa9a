/**
 * What a board's doc deletes leaves the disk, not only the doc. Alice's
 * device stores her board's sealed doc as encrypted records appended as
 * changes happen; a compaction that drops an entry (the one holding an
 * address edited away) deletes it from the doc, but the record that brought
 * the entry still holds it, and deleting a record from IndexedDB leaves its
 * bytes in LevelDB's files for a while. So once the doc deletes something
 * it held, the store writes the doc's state again under a new store secret,
 * in the one transaction that commits the keyring naming the new secret
 * under a new root key, and deletes every record under the old one: what
 * the disk keeps of them has no key anywhere.
 */
import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import type { BoardId } from '../../src/crypto/index.ts'
import { decodeDeviceFile, rootKey } from '../../src/storage/device-file.ts'
import { decodeSealed, openContents } from '../../src/storage/keyring-blob.ts'
import { deviceKek } from '../../src/storage/root-key.ts'
import { storeKeys, type StoreKeys } from '../../src/storage/board-records.ts'
import { FORGET_AFTER_MS } from '../../src/storage/board-store.ts'
import { Keyring, type BoardStore } from '../../src/storage/index.ts'
import { crashableProfile } from './crash.ts'
import { board, profile, rawDatabase, type Profile } from './support.ts'

const ADDRESS = '14 Elm Street, back door'
const KEPT = 'Soup on Sunday'
const enc = new TextEncoder()

/** Alice's device with her board in its keyring, the board's store open on `doc`. */
async function device(p: Profile = profile()) {
  const keyring = await Keyring.open(p)
  const record = board('Harbour mutual aid', 'Alice')
  await keyring.put(record)
  const doc = new Y.Doc()
  const store = await keyring.openStore(record.store!, doc)
  await store.loaded
  return { p, keyring, record, doc, store }
}

/** Every stored record that opens under `keys` (with the key it is stored under as associated data), decrypted. */
async function openedUnder(p: Profile, keys: StoreKeys): Promise<Uint8Array[]> {
  const records = (await rawDatabase(p.indexedDB)).stores.records!
  const opened: Uint8Array[] = []
  for (const [tag, value] of records) {
    const bytes = value as Uint8Array
    try {
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12), additionalData: enc.encode(String(tag)) }, keys.cipher, bytes.slice(12))
      opened.push(new Uint8Array(plain))
    } catch {
      // Not under these keys.
    }
  }
  return opened
}

const holds = (plains: readonly Uint8Array[], text: string) => plains.some((p) => Buffer.from(p).includes(Buffer.from(text)))

/** The store secret the keyring on disk names now. */
async function storeSecretOnDisk(keyring: Keyring, id: BoardId): Promise<Uint8Array> {
  return (await keyring.get(id))!.store!
}

/** Whether a keyring blob (a copy of any age) opens with the device file as it is now, in either slot. */
async function blobOpens(p: Profile, blob: Uint8Array): Promise<boolean> {
  const sealed = decodeSealed(blob)!
  const file = decodeDeviceFile(p.keyFile.bytes!)!
  for (const slot of [0, 1] as const) {
    const root = rootKey(file, slot)
    if (root && (await openContents(sealed, await deviceKek(root)))) return true
  }
  return false
}

const blobOf = async (p: Profile) => (await rawDatabase(p.indexedDB)).stores.keyring!.get('blob') as Uint8Array

async function reopened(p: Profile, id: BoardId) {
  const keyring = await Keyring.open(p)
  const doc = new Y.Doc()
  const store = await keyring.openStore((await keyring.get(id))!.store!, doc)
  await store.loaded
  return { keyring, doc, store }
}

/** Writes KEPT and ADDRESS to the doc, stores them, then deletes ADDRESS: the records hold a deletion. */
async function withDeletion(doc: Y.Doc, store: BoardStore): Promise<Y.Map<unknown>> {
  const items = doc.getMap('items')
  items.set('kept', KEPT)
  items.set('place', ADDRESS)
  await store.flush()
  items.delete('place')
  await store.flush()
  return items
}

describe('what the doc deletes leaves the stored records', () => {
  it('the records are written again under a new store secret, the keyring moves with them to a new root key, and nothing on the disk still opens the old ones', async () => {
    const { p, keyring, record, doc, store } = await device()
    const items = doc.getMap('items')
    items.set('kept', KEPT)
    items.set('place', ADDRESS)
    await store.flush()
    await store.verdicts.save(Uint8Array.of(7, 7, 7))
    const oldKeys = await storeKeys(record.store!)
    const oldBlob = await blobOf(p)
    // The records before: the address is there, under the old secret.
    expect(holds(await openedUnder(p, oldKeys), ADDRESS)).toBe(true)

    items.delete('place')
    await store.flush()
    // Deleted from the doc, still in the record that brought it.
    expect(holds(await openedUnder(p, oldKeys), ADDRESS)).toBe(true)
    await store.forget()

    const secret = await storeSecretOnDisk(keyring, record.id)
    expect(Buffer.from(secret).equals(Buffer.from(record.store!))).toBe(false)
    // Nothing under the old secret is left, and nothing under the new one holds the address.
    expect(await openedUnder(p, oldKeys)).toEqual([])
    const now = await openedUnder(p, await storeKeys(secret))
    expect(holds(now, ADDRESS)).toBe(false)
    expect(holds(now, KEPT)).toBe(true)
    // The keyring that named the old secret no longer opens: its root key is gone from the device file.
    expect(await blobOpens(p, oldBlob)).toBe(false)
    expect(await blobOpens(p, await blobOf(p))).toBe(true)
    const file = decodeDeviceFile(p.keyFile.bytes!)!
    expect([rootKey(file, 0), rootKey(file, 1)].filter(Boolean)).toHaveLength(1)

    // Written after the move, under the new secret; the verdicts came along.
    items.set('later', 'Coats in winter')
    await store.flush()
    expect(await store.verdicts.load()).toEqual(Uint8Array.of(7, 7, 7))
    await store.destroy()
    await keyring.close()
    const again = await reopened(p, record.id)
    expect(again.doc.getMap('items').toJSON()).toEqual({ kept: KEPT, later: 'Coats in winter' })
    expect(await again.store.verdicts.load()).toEqual(Uint8Array.of(7, 7, 7))
    await again.store.destroy()
    await again.keyring.close()
  })

  it('happens by itself FORGET_AFTER_MS after the first deletion; what only adds leaves the records as they are', { timeout: 20_000 }, async () => {
    const { keyring, record, doc, store } = await device()
    const items = doc.getMap('items')
    items.set('kept', KEPT)
    await store.flush()
    await new Promise((r) => setTimeout(r, FORGET_AFTER_MS + 300))
    expect(Buffer.from(await storeSecretOnDisk(keyring, record.id)).equals(Buffer.from(record.store!))).toBe(true)

    items.set('place', ADDRESS)
    await store.flush()
    items.delete('place')
    await vi.waitFor(async () => expect(Buffer.from(await storeSecretOnDisk(keyring, record.id)).equals(Buffer.from(record.store!))).toBe(false), { timeout: FORGET_AFTER_MS * 4, interval: 100 })
    await store.destroy()
    await keyring.close()
  })

  it('records that hold a deletion when the board opens (the app closed before its rewrite) are written again once it has opened', { timeout: 20_000 }, async () => {
    const { p, keyring, record, doc, store } = await device()
    doc.getMap('items').set('place', ADDRESS)
    await store.flush()
    doc.getMap('items').delete('place')
    // Put away at once: the deletion is on disk, the rewrite never ran.
    await store.destroy()
    await keyring.close()
    const oldKeys = await storeKeys(record.store!)
    expect(holds(await openedUnder(p, oldKeys), ADDRESS)).toBe(true)

    const again = await reopened(p, record.id)
    await vi.waitFor(async () => expect(await openedUnder(p, oldKeys)).toEqual([]), { timeout: FORGET_AFTER_MS * 4, interval: 100 })
    expect(holds(await openedUnder(p, await storeKeys((await again.keyring.get(record.id))!.store!)), ADDRESS)).toBe(false)
    expect(again.doc.getMap('items').toJSON()).toEqual({})
    await again.store.destroy()
    await again.keyring.close()
  })

  it('a move the disk refuses changes nothing: the board opens whole under the old secret, and the next move succeeds', async () => {
    const { p, keyring, record, doc, store } = await device()
    const items = await withDeletion(doc, store)
    const put = IDBObjectStore.prototype.put
    const full = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args) {
      if (this.name === 'records') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
      return put.apply(this, args)
    })
    // Made while the move is under way: kept for the next write.
    const moving = store.forget()
    items.set('during', 'Lawyer on call Tuesday')
    await moving
    full.mockRestore()
    expect(Buffer.from(await storeSecretOnDisk(keyring, record.id)).equals(Buffer.from(record.store!))).toBe(true)
    // The write made meanwhile failed and is said to have; the next flush writes it.
    await expect(store.flush()).rejects.toThrow(/quota/)
    await store.flush()
    await store.destroy()
    await keyring.close()

    const again = await reopened(p, record.id)
    expect(again.doc.getMap('items').toJSON()).toEqual({ kept: KEPT, during: 'Lawyer on call Tuesday' })
    // Still holding the deletion: moved once it can be.
    await again.store.forget()
    expect(await openedUnder(p, await storeKeys(record.store!))).toEqual([])
    await again.store.destroy()
    await again.keyring.close()
  })

  it('a crash as the move commits leaves the board whole under the old secret, and it moves on the next opening', async () => {
    const { factory, crashAtNextWrite } = crashableProfile()
    const { p, record, doc, store } = await device({ ...profile(), indexedDB: factory })
    await withDeletion(doc, store)
    // The power goes as the move's one transaction (the keyring and the records) is on its way to the disk.
    const crashed = crashAtNextWrite()
    void store.forget().catch(() => undefined)
    expect(await crashed).toBeGreaterThan(0)

    const again = await reopened(p, record.id)
    expect(again.doc.getMap('items').toJSON()).toEqual({ kept: KEPT })
    // Nothing was moved: the keyring names the old secret, whose records are all there.
    expect(Buffer.from((await again.keyring.get(record.id))!.store!).equals(Buffer.from(record.store!))).toBe(true)
    await again.store.forget()
    expect(await openedUnder(p, await storeKeys(record.store!))).toEqual([])
    await again.store.destroy()
    await again.keyring.close()
  })

  it('with a passphrase: after the move the keyring opens with it, and only with it, and the board is whole', async () => {
    const { p, keyring, record, doc, store } = await device()
    expect(await keyring.setPassphrase('moths circle the porch lamp')).toEqual({ ok: true })
    await withDeletion(doc, store)
    await store.forget()
    expect(Buffer.from(await storeSecretOnDisk(keyring, record.id)).equals(Buffer.from(record.store!))).toBe(false)
    await store.destroy()
    await keyring.close()

    const again = await Keyring.open(p)
    expect(again.state).toBe('locked')
    expect(await again.unlock('moths circle the lamp')).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(await again.unlock('moths circle the porch lamp')).toEqual({ ok: true })
    const copy = new Y.Doc()
    const reopenedStore = await again.openStore((await again.get(record.id))!.store!, copy)
    await reopenedStore.loaded
    expect(copy.getMap('items').toJSON()).toEqual({ kept: KEPT })
    await reopenedStore.destroy()
    await again.close()
  })

  it('a store whose board is no longer in the keyring (left meanwhile) only merges its records', async () => {
    const { p, keyring, record, doc, store } = await device()
    doc.getMap('items').set('place', ADDRESS)
    await store.flush()
    doc.getMap('items').delete('place')
    await store.flush()
    await keyring.remove(record.id)
    await store.forget()
    const plains = await openedUnder(p, await storeKeys(record.store!))
    expect(plains.length).toBeGreaterThan(0)
    expect(holds(plains, ADDRESS)).toBe(false)
    await store.destroy()
    await keyring.close()
  })
})
