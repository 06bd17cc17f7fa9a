import 'fake-indexeddb/auto'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { deriveTransportKeys, generateTransportSecret, type BoardId } from '../../src/crypto/index.ts'
import { Keyring, LockedError, type BoardRecord, type KeyringDeps } from '../../src/storage/index.ts'
import { decodeContents, encodeContents, newDeviceKek, openContents, sealContents, type SealedKeyring } from '../../src/storage/keyring-blob.ts'

/** Each test gets its own empty "browser profile"; scrypt is cheap except where the real cost is measured. */
const device = (): KeyringDeps => ({ indexedDB: new IDBFactory(), kdfLogN: 10 })

const board = (name: string, displayName: string, openedAt = 1): BoardRecord => {
  const secret = generateTransportSecret()
  return { id: deriveTransportKeys(secret).boardId, transportSecret: secret, contentKey: crypto.getRandomValues(new Uint8Array(32)), format: 2, displayName, name, addedAt: 1, openedAt }
}

function idbRequest<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

/** Every value stored in the `hearth` database, by store and key, as the disk holds it. */
async function rawDatabase(factory: IDBFactory): Promise<{ version: number; stores: Record<string, Map<IDBValidKey, unknown>> }> {
  const db = await idbRequest(factory.open('hearth'))
  const stores: Record<string, Map<IDBValidKey, unknown>> = {}
  for (const name of db.objectStoreNames) {
    const store = db.transaction(name, 'readonly').objectStore(name)
    const [keys, values] = await Promise.all([idbRequest(store.getAllKeys()), idbRequest(store.getAll())])
    stores[name] = new Map(keys.map((k, i) => [k, values[i]]))
  }
  const version = db.version
  db.close()
  return { version, stores }
}

/** Whether `needle` appears anywhere in a stored value (strings, and byte arrays as UTF-8). */
function containsText(value: unknown, needle: string): boolean {
  const bytes = new TextEncoder().encode(needle)
  const inBytes = (hay: Uint8Array) => hay.length >= bytes.length && Buffer.from(hay).includes(Buffer.from(bytes))
  if (typeof value === 'string') return value.includes(needle)
  if (value instanceof Uint8Array) return inBytes(value)
  if (typeof value === 'object' && value !== null) return Object.values(value).some((v) => containsText(v, needle))
  return false
}

describe('keyring, device mode (no passphrase)', () => {
  it('Alice’s first run: a new device identity, nothing on disk until she creates a board', async () => {
    const deps = device()
    const keyring = await Keyring.open(deps)
    expect(keyring.state).toBe('unlocked')
    expect(keyring.hasPassphrase).toBe(false)
    const keys = keyring.device()
    expect(keys.signPublic).toHaveLength(32)
    expect(keys.agreePublic).toHaveLength(32)
    expect(keys.signPkcs8.length).toBeGreaterThan(32)
    expect(await keyring.list()).toEqual([])
    expect(await deps.indexedDB!.databases()).toEqual([])

    const garden = board('Secret Garden Collective', 'Alice Wren')
    await keyring.put(garden)
    expect((await deps.indexedDB!.databases()).map((d) => d.name)).toEqual(['hearth'])
    await keyring.close()

    const again = await Keyring.open(deps)
    expect(again.state).toBe('unlocked')
    expect(again.device()).toEqual(keys)
    expect(await again.get(garden.id)).toEqual(garden)
    await again.close()
  })

  it('keeps the same list, get, put, update and remove as the old registry, newest first', async () => {
    const keyring = await Keyring.open(device())
    const food = board('Food bank', 'Alice', 10)
    const housing = board('Housing', 'Ali', 20)
    await keyring.put(food)
    await keyring.put(housing)
    expect((await keyring.list()).map((r) => r.name)).toEqual(['Housing', 'Food bank'])
    const updated = await keyring.update(food.id, { openedAt: 30, name: 'Food bank (north)' })
    expect(updated).toMatchObject({ id: food.id, name: 'Food bank (north)', openedAt: 30 })
    expect(updated?.transportSecret).toEqual(food.transportSecret)
    expect((await keyring.list()).map((r) => r.name)).toEqual(['Food bank (north)', 'Housing'])
    await keyring.remove(housing.id)
    expect((await keyring.list()).map((r) => r.id)).toEqual([food.id])
    expect(await keyring.update(housing.id, { name: 'x' })).toBeNull()
    expect(await keyring.get(housing.id)).toBeNull()
    await keyring.close()
  })

  it('stores only ciphertext: no board name, member name or secret in the database, and the key cannot be exported', async () => {
    const deps = device()
    const keyring = await Keyring.open(deps)
    const garden = board('Secret Garden Collective', 'Alice Wren')
    await keyring.put(garden)
    await keyring.close()

    const { version, stores } = await rawDatabase(deps.indexedDB!)
    expect(version).toBe(2)
    expect(Object.keys(stores)).toEqual(['keyring'])
    const keyringStore = stores.keyring!
    expect([...keyringStore.keys()].sort()).toEqual(['blob', 'kek'])
    for (const value of keyringStore.values()) {
      expect(containsText(value, 'Secret Garden')).toBe(false)
      expect(containsText(value, 'Alice Wren')).toBe(false)
      expect(containsText(value, Buffer.from(garden.transportSecret).toString('latin1'))).toBe(false)
    }
    const kek = keyringStore.get('kek') as CryptoKey
    expect(kek.extractable).toBe(false)
    await expect(crypto.subtle.exportKey('raw', kek)).rejects.toThrow()
    // The blob's size does not tell how many boards there are (padded to 4 KiB).
    expect((keyringStore.get('blob') as { ct: Uint8Array }).ct.length).toBe(4096 + 16)
  })

  it('two tabs adding boards at the same time keep both', async () => {
    const deps = device()
    const first = await Keyring.open(deps)
    await first.put(board('Existing', 'A'))
    const tabA = await Keyring.open(deps)
    const tabB = await Keyring.open(deps)
    const a = board('From tab A', 'A')
    const b = board('From tab B', 'B')
    await Promise.all([tabA.put(a), tabB.put(b)])
    const check = await Keyring.open(deps)
    expect((await check.list()).map((r) => r.name).sort()).toEqual(['Existing', 'From tab A', 'From tab B'])
    await Promise.all([first.close(), tabA.close(), tabB.close(), check.close()])
  })

  it('refuses to open a damaged keyring instead of starting a new identity over it', async () => {
    const deps = device()
    const keyring = await Keyring.open(deps)
    await keyring.put(board('Garden', 'Alice'))
    await keyring.close()
    const db = await idbRequest(deps.indexedDB!.open('hearth'))
    const tx = db.transaction('keyring', 'readwrite')
    tx.objectStore('keyring').delete('kek')
    await new Promise((r) => (tx.oncomplete = r))
    db.close()
    await expect(Keyring.open(deps)).rejects.toThrow(/damaged/)
  })
})

describe('keyring, passphrase mode', () => {
  it('Alice sets a passphrase: after a restart the keyring is locked until she types it', async () => {
    const deps = device()
    const keyring = await Keyring.open(deps)
    const garden = board('Secret Garden Collective', 'Alice Wren')
    await keyring.put(garden)
    const keys = keyring.device()

    expect(await keyring.setPassphrase('short')).toEqual({ ok: false, error: 'too_short' })
    expect(keyring.hasPassphrase).toBe(false)
    expect(await keyring.setPassphrase('the river remembers')).toEqual({ ok: true })
    expect(keyring.hasPassphrase).toBe(true)
    expect(keyring.state).toBe('unlocked')
    await keyring.close()

    // In passphrase mode no key is stored: only the blob and its scrypt parameters.
    const { stores } = await rawDatabase(deps.indexedDB!)
    expect([...stores.keyring!.keys()]).toEqual(['blob'])
    expect(stores.keyring!.get('blob')).toMatchObject({ mode: 'passphrase', kdf: { alg: 'scrypt', logN: 10, r: 8, p: 1 } })

    const again = await Keyring.open(deps)
    expect(again.state).toBe('locked')
    expect(again.hasPassphrase).toBe(true)
    await expect(again.list()).rejects.toBeInstanceOf(LockedError)
    await expect(again.get(garden.id)).rejects.toBeInstanceOf(LockedError)
    await expect(again.put(board('x', 'y'))).rejects.toBeInstanceOf(LockedError)
    expect(() => again.device()).toThrow(LockedError)

    expect(await again.unlock('the river forgets')).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(again.state).toBe('locked')
    expect(await again.unlock('the river remembers')).toEqual({ ok: true })
    expect(again.state).toBe('unlocked')
    expect(await again.get(garden.id)).toEqual(garden)
    expect(again.device()).toEqual(keys)
    await again.close()
  })

  it('lock() forgets every secret at once; unlock brings them back; a wrong passphrase loses nothing', async () => {
    const keyring = await Keyring.open(device())
    const garden = board('Garden', 'Alice')
    await keyring.put(garden)
    await keyring.setPassphrase('the river remembers')
    keyring.lock()
    expect(keyring.state).toBe('locked')
    await expect(keyring.list()).rejects.toBeInstanceOf(LockedError)
    expect(() => keyring.device()).toThrow(LockedError)
    expect(await keyring.unlock('wrong passphrase')).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(await keyring.unlock('the river remembers')).toEqual({ ok: true })
    expect(await keyring.list()).toEqual([garden])
    await keyring.close()
  })

  it('a write still in flight when Alice locks does not unlock the keyring again', async () => {
    const keyring = await Keyring.open(device())
    await keyring.setPassphrase('the river remembers')
    const garden = board('Garden', 'Alice')
    const pending = keyring.put(garden)
    keyring.lock()
    await pending.catch(() => undefined)
    expect(keyring.state).toBe('locked')
    await expect(keyring.list()).rejects.toBeInstanceOf(LockedError)
    await keyring.close()
  })

  it('changing the passphrase re-keys; removing it goes back to device mode', async () => {
    const deps = device()
    const keyring = await Keyring.open(deps)
    const garden = board('Garden', 'Alice')
    await keyring.put(garden)
    await keyring.setPassphrase('first passphrase')
    const firstSalt = (await rawDatabase(deps.indexedDB!)).stores.keyring!.get('blob') as { kdf: { salt: Uint8Array } }
    await keyring.setPassphrase('second passphrase')
    const secondSalt = (await rawDatabase(deps.indexedDB!)).stores.keyring!.get('blob') as { kdf: { salt: Uint8Array } }
    expect(secondSalt.kdf.salt).not.toEqual(firstSalt.kdf.salt)
    keyring.lock()
    expect(await keyring.unlock('first passphrase')).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(await keyring.unlock('second passphrase')).toEqual({ ok: true })

    expect(await keyring.setPassphrase(null)).toEqual({ ok: true })
    expect(keyring.hasPassphrase).toBe(false)
    await keyring.close()
    const again = await Keyring.open(deps)
    expect(again.state).toBe('unlocked')
    expect(await again.list()).toEqual([garden])
    const { stores } = await rawDatabase(deps.indexedDB!)
    expect([...stores.keyring!.keys()].sort()).toEqual(['blob', 'kek'])
    await again.close()
  })

  it('on a real device, Alice’s passphrase is stretched with scrypt N = 2^15, r = 8, p = 1, and the blob opens only with that key', async () => {
    const deps: KeyringDeps = { indexedDB: new IDBFactory() } // the default cost, as the app runs
    const keyring = await Keyring.open(deps)
    await keyring.put(board('Garden', 'Alice'))
    expect(await keyring.setPassphrase('the river remembers')).toEqual({ ok: true })
    await keyring.close()

    const blob = (await rawDatabase(deps.indexedDB!)).stores.keyring!.get('blob') as SealedKeyring
    expect(blob.kdf).toMatchObject({ alg: 'scrypt', logN: 15, r: 8, p: 1 })
    // The key is derived here independently at exactly that cost; the blob must open with it.
    const kek = await crypto.subtle.importKey(
      'raw',
      await scryptAsync(new TextEncoder().encode('the river remembers'), blob.kdf!.salt, { N: 2 ** 15, r: 8, p: 1, dkLen: 32, maxmem: 2 ** 30 }),
      { name: 'AES-GCM' },
      false,
      ['decrypt'],
    )
    expect(await openContents(blob, kek)).not.toBeNull()
  }, 60_000) // two real 32 MiB scrypt runs: slow by design, slower on a busy machine

  it('a locked keyring refuses a new passphrase', async () => {
    const keyring = await Keyring.open(device())
    await keyring.setPassphrase('first passphrase')
    keyring.lock()
    await expect(keyring.setPassphrase('another passphrase')).rejects.toBeInstanceOf(LockedError)
    await expect(keyring.setPassphrase(null)).rejects.toBeInstanceOf(LockedError)
    await keyring.close()
  })
})

describe('migration from the plaintext registry (database version 1)', () => {
  it('a board made before the keyring keeps working, and its plaintext record is gone from disk', async () => {
    const factory = new IDBFactory()
    const secret = generateTransportSecret()
    const id = deriveTransportKeys(secret).boardId
    const old = { id, secret, displayName: 'Alice Wren', name: 'Secret Garden Collective', addedAt: 5, openedAt: 6 }
    // Exactly what BoardRegistry version 1 wrote.
    const open = factory.open('hearth', 1)
    open.onupgradeneeded = () => open.result.createObjectStore('boards', { keyPath: 'id' })
    const v1 = await idbRequest(open)
    const tx = v1.transaction('boards', 'readwrite')
    tx.objectStore('boards').put(old)
    await new Promise((r) => (tx.oncomplete = r))
    v1.close()

    const keyring = await Keyring.open({ indexedDB: factory })
    expect(keyring.state).toBe('unlocked')
    // The record comes back under today's field name for the transport secret.
    const { secret: _secret, ...rest } = old
    const migrated = { ...rest, transportSecret: secret }
    expect(await keyring.list()).toEqual([migrated])
    expect(await keyring.get(id as BoardId)).toEqual(migrated)
    await keyring.close()

    const { version, stores } = await rawDatabase(factory)
    expect(version).toBe(2)
    expect(Object.keys(stores)).toEqual(['keyring'])
    expect([...stores.keyring!.keys()].sort()).toEqual(['blob', 'kek'])
    for (const value of stores.keyring!.values()) expect(containsText(value, 'Secret Garden')).toBe(false)

    const again = await Keyring.open({ indexedDB: factory })
    expect(await again.list()).toEqual([migrated])
    await again.close()
  })
})

describe('keyring blob (AES-256-GCM under the KEK)', () => {
  const contents = { device: { signPkcs8: new Uint8Array([1, 2]), signPublic: new Uint8Array(32), agreePkcs8: new Uint8Array([3]), agreePublic: new Uint8Array(32) }, boards: [board('Garden', 'Alice')] }

  it('round-trips every byte array and field', async () => {
    expect(decodeContents(encodeContents(contents))).toEqual(contents)
    const kek = await newDeviceKek()
    const sealed = await sealContents(contents, kek, { mode: 'device', gen: 1 })
    expect(await openContents(sealed, kek)).toEqual(contents)
  })

  it('does not open with another key, altered ciphertext, or a relabelled mode', async () => {
    const kek = await newDeviceKek()
    const sealed = await sealContents(contents, kek, { mode: 'device', gen: 1 })
    expect(await openContents(sealed, await newDeviceKek())).toBeNull()
    const altered = new Uint8Array(sealed.ct)
    altered[10]! ^= 1
    expect(await openContents({ ...sealed, ct: altered }, kek)).toBeNull()
    expect(await openContents({ ...sealed, mode: 'passphrase' }, kek)).toBeNull()
  })
})
