import 'fake-indexeddb/auto'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { derivePassphraseBytes, deriveTransportKeys, derivePassphraseKey, generateTransportSecret, newScryptParams, type BoardId } from '../../src/crypto/index.ts'
import { Keyring, KeyringDamagedError, LockedError, type BoardRecord } from '../../src/storage/index.ts'
import { decodeDeviceFile, rootKey } from '../../src/storage/device-file.ts'
import { decodeContents, decodeSealed, encodeContents, encodeSealed, openContents, sealContents } from '../../src/storage/keyring-blob.ts'
import { deviceKek, hkdfKey, passphraseKek } from '../../src/storage/root-key.ts'
import { board, contains, idbRequest, MemoryStorage, profile, rawDatabase, type Profile } from './support.ts'

/** The blob on disk now. */
async function blobOf(p: Profile): Promise<Uint8Array> {
  return (await rawDatabase(p.indexedDB)).stores.keyring!.get('blob') as Uint8Array
}

/**
 * Whether a blob (a copy from the disk, of any age) opens with the device
 * file as it is now — trying both root-key slots — in device mode, or with
 * `passphrase`. This is what whoever copies the profile can try.
 */
async function opensNow(p: Profile, blob: Uint8Array, passphrase: string | null): Promise<boolean> {
  const sealed = decodeSealed(blob)
  const file = p.keyFile.bytes && decodeDeviceFile(p.keyFile.bytes)
  if (!sealed || !file) return false
  for (const slot of [0, 1] as const) {
    const root = rootKey(file, slot)
    if (!root) continue
    const kek = passphrase === null ? await deviceKek(root) : await passphraseKek(await hkdfKey(await derivePassphraseBytes(passphrase, sealed.kdf!)), root)
    if (await openContents(sealed, kek)) return true
  }
  return false
}

describe('keyring, device mode (no passphrase)', () => {
  it('Alice’s first run: a new device identity in memory, a key file and an empty database once the app starts, the keyring once she creates a board', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    expect(keyring.state).toBe('unlocked')
    expect(keyring.hasPassphrase).toBe(false)
    expect(keyring.firstRun).toBe(true)
    const keys = keyring.device()
    expect(keys.signPublic).toHaveLength(32)
    expect(await keyring.list()).toEqual([])
    // Opening reads; it writes nothing (a wiped device stays empty until the app starts again).
    expect(await p.indexedDB.databases()).toEqual([])
    expect(p.keyFile.bytes).toBeNull()

    await keyring.materialize()
    expect((await p.indexedDB.databases()).map((d) => d.name)).toEqual(['hearth-store'])
    expect(p.keyFile.bytes).toHaveLength(128)
    expect((await rawDatabase(p.indexedDB)).stores.keyring!.size).toBe(0)
    expect(keyring.firstRun).toBe(true)

    const garden = board('Secret Garden Collective', 'Alice Wren')
    await keyring.put(garden)
    expect(keyring.firstRun).toBe(false)
    await keyring.close()

    const again = await Keyring.open(p)
    expect(again.state).toBe('unlocked')
    expect(again.firstRun).toBe(false)
    expect(again.device()).toEqual(keys)
    expect(await again.get(garden.id)).toEqual(garden)
    await again.close()
  })

  it('keeps the same list, get, put, update and remove as the old registry, newest first', async () => {
    const keyring = await Keyring.open(profile())
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

  it('stores only ciphertext: no name, secret or board id in the database or the key file, and the blob’s size does not count boards', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    const garden = board('Secret Garden Collective', 'Alice Wren')
    await keyring.put(garden)
    const oneBoard = (await blobOf(p)).length
    await keyring.put(board('Second circle', 'Alice'))
    await keyring.put(board('Third circle', 'Alice'))
    await keyring.close()

    const { version, stores } = await rawDatabase(p.indexedDB)
    expect(version).toBe(1)
    expect(Object.keys(stores).sort()).toEqual(['device', 'keyring', 'records'])
    expect([...stores.keyring!.keys()]).toEqual(['blob'])
    const everything = [...Object.values(stores).flatMap((s) => [...s.values()]), p.keyFile.bytes]
    for (const value of everything) {
      expect(value).toBeInstanceOf(Uint8Array)
      for (const needle of ['Secret Garden', 'Alice Wren', garden.id, garden.transportSecret, garden.store!]) expect(contains(value, needle)).toBe(false)
    }
    expect((await blobOf(p)).length).toBe(oneBoard)
    expect(decodeSealed(await blobOf(p))!.ct.length).toBe(4096 + 16)
  })

  it('two tabs adding boards at the same time keep both', async () => {
    const p = profile()
    const first = await Keyring.open(p)
    await first.put(board('Existing', 'A'))
    const tabA = await Keyring.open(p)
    const tabB = await Keyring.open(p)
    const a = board('From tab A', 'A')
    const b = board('From tab B', 'B')
    await Promise.all([tabA.put(a), tabB.put(b)])
    const check = await Keyring.open(p)
    expect((await check.list()).map((r) => r.name).sort()).toEqual(['Existing', 'From tab A', 'From tab B'])
    await Promise.all([first.close(), tabA.close(), tabB.close(), check.close()])
  })

  it('refuses to open a damaged keyring, or one whose key file is gone, instead of starting a new identity over it', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    await keyring.put(board('Garden', 'Alice'))
    await keyring.close()
    const saved = p.keyFile.bytes!
    const file = new Uint8Array(saved)
    file[3]! ^= 1
    p.keyFile.bytes = file
    await expect(Keyring.open(p)).rejects.toThrow(/damaged/)
    await expect(Keyring.open(p)).rejects.toBeInstanceOf(KeyringDamagedError)
    p.keyFile.bytes = null
    await expect(Keyring.open(p)).rejects.toThrow(/damaged/)
    // The app tells this apart from a failure that trying again could mend (src/main.ts).
    await expect(Keyring.open(p)).rejects.toBeInstanceOf(KeyringDamagedError)
  })

  it('destroying the key file is the erasure: the blob stays on disk and nothing opens it any more', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    await keyring.put(board('Garden', 'Alice'))
    const blob = await blobOf(p)
    expect(await opensNow(p, blob, null)).toBe(true)
    await keyring.destroyKey()
    expect(keyring.state).toBe('locked')
    expect(p.keyFile.bytes).toBeNull()
    expect(await opensNow(p, blob, null)).toBe(false)
    await keyring.close()
    await expect(Keyring.open(p)).rejects.toThrow(/damaged/)
  })

  it('forgetting a board moves the keyring to a new root key: a copy of the blob from before no longer opens', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    const garden = board('Garden', 'Alice')
    await keyring.put(garden)
    await keyring.put(board('Kitchen', 'Alice'))
    const before = await blobOf(p)
    expect(await opensNow(p, before, null)).toBe(true)
    await keyring.remove(garden.id)
    expect(await opensNow(p, before, null)).toBe(false)
    expect(await opensNow(p, await blobOf(p), null)).toBe(true)
    // The old slot is zeroed in place: one key in the file.
    const file = decodeDeviceFile(p.keyFile.bytes!)!
    expect([rootKey(file, 0), rootKey(file, 1)].filter(Boolean)).toHaveLength(1)
    await keyring.close()
  })
})

describe('keyring, passphrase mode', () => {
  it('Alice sets a passphrase: after a restart the keyring is locked until she types it', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    const garden = board('Secret Garden Collective', 'Alice Wren')
    await keyring.put(garden)
    const keys = keyring.device()

    expect(await keyring.setPassphrase('short')).toEqual({ ok: false, error: 'too_short' })
    expect(keyring.hasPassphrase).toBe(false)
    expect(await keyring.setPassphrase('the river remembers')).toEqual({ ok: true })
    expect(keyring.hasPassphrase).toBe(true)
    expect(keyring.state).toBe('unlocked')
    await keyring.close()

    const sealed = decodeSealed(await blobOf(p))!
    expect(sealed).toMatchObject({ mode: 'passphrase', kdf: { alg: 'scrypt', logN: 10, r: 8, p: 1 } })

    const again = await Keyring.open(p)
    expect(again.state).toBe('locked')
    expect(again.hasPassphrase).toBe(true)
    await expect(again.list()).rejects.toBeInstanceOf(LockedError)
    await expect(again.put(board('x', 'y'))).rejects.toBeInstanceOf(LockedError)
    expect(() => again.device()).toThrow(LockedError)
    expect(() => again.settings()).toThrow(LockedError)

    expect(await again.unlock('the river forgets')).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(again.state).toBe('locked')
    expect(await again.unlock('the river remembers')).toEqual({ ok: true })
    expect(await again.get(garden.id)).toEqual(garden)
    expect(again.device()).toEqual(keys)
    await again.close()
  })

  it('lock() forgets every secret at once; unlock brings them back; a wrong passphrase loses nothing', async () => {
    const keyring = await Keyring.open(profile())
    const garden = board('Garden', 'Alice')
    await keyring.put(garden)
    await keyring.setPassphrase('the river remembers')
    keyring.lock()
    expect(keyring.state).toBe('locked')
    await expect(keyring.list()).rejects.toBeInstanceOf(LockedError)
    expect(await keyring.unlock('wrong passphrase')).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(await keyring.unlock('the river remembers')).toEqual({ ok: true })
    expect(await keyring.list()).toEqual([garden])
    await keyring.close()
  })

  it('Alice presses Unlock and the app locks at once (hidden) while the unlock still waits its turn: it stays locked', async () => {
    const keyring = await Keyring.open(profile())
    await keyring.put(board('Garden', 'Alice'))
    await keyring.setPassphrase('the river remembers')
    keyring.lock()
    // Work ahead of it in the keyring's queue, so the unlock has not begun when the lock comes.
    const ahead = keyring.unlock('wrong passphrase')
    const unlocking = keyring.unlock('the river remembers')
    keyring.lock()
    expect(await ahead).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(await unlocking).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(keyring.state).toBe('locked')
    await expect(keyring.list()).rejects.toBeInstanceOf(LockedError)
    expect(await keyring.unlock('the river remembers')).toEqual({ ok: true })
    await keyring.close()
  })

  it('a write still in flight when Alice locks does not unlock the keyring again', async () => {
    const keyring = await Keyring.open(profile())
    await keyring.setPassphrase('the river remembers')
    const pending = keyring.put(board('Garden', 'Alice'))
    keyring.lock()
    await pending.catch(() => undefined)
    expect(keyring.state).toBe('locked')
    await expect(keyring.list()).rejects.toBeInstanceOf(LockedError)
    await keyring.close()
  })

  it('every change of passphrase moves to a new root key: a copy of an older blob opens with neither passphrase, nor without one', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    const garden = board('Garden', 'Alice')
    await keyring.put(garden)
    const deviceMode = await blobOf(p)
    await keyring.setPassphrase('first passphrase')
    const first = await blobOf(p)
    expect(await opensNow(p, first, 'first passphrase')).toBe(true)
    expect(await opensNow(p, deviceMode, null)).toBe(false)

    await keyring.setPassphrase('second passphrase')
    expect(decodeSealed(await blobOf(p))!.kdf!.salt).not.toEqual(decodeSealed(first)!.kdf!.salt)
    expect(await opensNow(p, first, 'first passphrase')).toBe(false)
    keyring.lock()
    expect(await keyring.unlock('first passphrase')).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(await keyring.unlock('second passphrase')).toEqual({ ok: true })
    const second = await blobOf(p)

    expect(await keyring.setPassphrase(null)).toEqual({ ok: true })
    expect(keyring.hasPassphrase).toBe(false)
    expect(await opensNow(p, second, 'second passphrase')).toBe(false)
    await keyring.close()
    const again = await Keyring.open(p)
    expect(again.state).toBe('unlocked')
    expect(await again.list()).toEqual([garden])
    await again.close()
  })

  it('on a real device, Alice’s passphrase is stretched with scrypt at the cost calibrated here (N ≥ 2^16, r = 8, p = 1), and the blob opens only with that key and the device file', async () => {
    const p: Profile = { ...profile(), kdfLogN: undefined } // the calibrated cost, as the app runs
    const keyring = await Keyring.open(p)
    await keyring.put(board('Garden', 'Alice'))
    expect(await keyring.setPassphrase('the river remembers')).toEqual({ ok: true })
    await keyring.close()

    const sealed = decodeSealed(await blobOf(p))!
    expect(sealed.kdf).toMatchObject({ alg: 'scrypt', r: 8, p: 1 })
    expect(sealed.kdf!.logN).toBeGreaterThanOrEqual(16)
    // The key is derived here independently at exactly that cost, then bound to the device file's root key; the blob must open with it.
    const stretched = await scryptAsync(new TextEncoder().encode('the river remembers'), sealed.kdf!.salt, { N: 2 ** sealed.kdf!.logN, r: 8, p: 1, dkLen: 32, maxmem: 2 ** 30 })
    const root = rootKey(decodeDeviceFile(p.keyFile.bytes!)!, sealed.slot)!
    expect(await openContents(sealed, await passphraseKek(await hkdfKey(stretched), root))).not.toBeNull()
    expect(await openContents(sealed, await passphraseKek(await hkdfKey(stretched), new Uint8Array(32)))).toBeNull()
  }, 120_000) // a calibration and three real scrypt runs of 64 MiB or more: slow by design, slower on a busy machine

  it('a locked keyring refuses a new passphrase', async () => {
    const keyring = await Keyring.open(profile())
    await keyring.setPassphrase('first passphrase')
    keyring.lock()
    await expect(keyring.setPassphrase('another passphrase')).rejects.toBeInstanceOf(LockedError)
    await expect(keyring.setPassphrase(null)).rejects.toBeInstanceOf(LockedError)
    await keyring.close()
  })
})

describe('the duress passphrase', () => {
  it('Alice sets one; typed on the lock screen it answers "duress" and changes nothing by itself; her own passphrase still opens', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    const garden = board('Garden', 'Alice')
    await keyring.put(garden)
    expect(await keyring.setDuress('the moths are gone')).toEqual({ ok: false, error: 'no_passphrase' })
    await keyring.setPassphrase('the river remembers')
    const unset = decodeSealed(await blobOf(p))!
    expect(await keyring.setDuress('short')).toEqual({ ok: false, error: 'too_short' })
    expect(await keyring.setDuress('the river remembers')).toEqual({ ok: false, error: 'same_as_passphrase' })
    expect(keyring.hasDuress()).toBe(false)
    expect(await keyring.setDuress('the moths are gone')).toEqual({ ok: true })
    expect(keyring.hasDuress()).toBe(true)
    const set = decodeSealed(await blobOf(p))!
    // On disk, a set verifier and an unset one look alike: random-looking bytes of the same size either way.
    expect(unset.duress!.tag.some((b) => b !== 0)).toBe(true)
    expect(set.duress!.tag).toHaveLength(unset.duress!.tag.length)
    expect(set.duress!.kdf.logN).toBe(unset.duress!.kdf.logN)
    await keyring.close()

    const again = await Keyring.open(p)
    expect(await again.unlock('the moths are here')).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(await again.unlock('the moths are gone')).toEqual({ ok: false, error: 'duress' })
    expect(again.state).toBe('locked')
    // Changing the passphrase keeps the duress passphrase.
    expect(await again.unlock('the river remembers')).toEqual({ ok: true })
    await again.setPassphrase('the river runs on')
    again.lock()
    expect(await again.unlock('the moths are gone')).toEqual({ ok: false, error: 'duress' })
    expect(await again.unlock('the river runs on')).toEqual({ ok: true })
    expect(again.hasDuress()).toBe(true)
    expect(await again.list()).toEqual([garden])
    expect(await again.setDuress(null)).toEqual({ ok: true })
    again.lock()
    expect(await again.unlock('the moths are gone')).toEqual({ ok: false, error: 'wrong_passphrase' })
    await again.close()
  })
})

describe('settings and prefs', () => {
  it('keeps the person’s settings inside the keyring, and the language and look in the device file, readable while locked', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    expect(keyring.settings().lock).toEqual({ autoLockMinutes: 5, lockWhenHidden: true, confirmWipe: true })
    await keyring.updateSettings({ network: { signaling: ['wss://friend.example/signal'], replaceSignaling: false, iceServers: [{ urls: 'turn:relay.example:3478', username: 'u', credential: 'secret-turn' }], relayOnly: true } })
    await keyring.setPrefs({ language: 'ar', look: 'notes' })
    await keyring.setPassphrase('the river remembers')
    await keyring.close()
    for (const value of (await rawDatabase(p.indexedDB)).stores.keyring!.values()) expect(contains(value, 'friend.example')).toBe(false)
    expect(contains(p.keyFile.bytes, 'friend.example')).toBe(false)

    const again = await Keyring.open(p)
    expect(again.state).toBe('locked')
    expect(again.prefs).toEqual({ language: 'ar', look: 'notes' })
    await again.setPrefs({ look: 'hearth' })
    expect(await again.unlock('the river remembers')).toEqual({ ok: true })
    expect(again.settings().network.relayOnly).toBe(true)
    expect(again.settings().network.iceServers[0]!.credential).toBe('secret-turn')
    expect(again.prefs.look).toBe('hearth')
    await again.close()
  })
})

// ── Older versions' layouts ────────────────────────────────────────────────

/** Exactly what versions before the one database wrote: the `hearth` database, version 2. */
async function oldInstall(factory: IDBFactory, records: BoardRecord[], mode: 'device' | 'passphrase', passphrase = ''): Promise<void> {
  const device = { signPkcs8: new Uint8Array([1, 2, 3]), signPublic: new Uint8Array(32).fill(7), agreePkcs8: new Uint8Array([4]), agreePublic: new Uint8Array(32).fill(8) }
  const kdf = mode === 'passphrase' ? newScryptParams(10) : undefined
  const kek = kdf ? await derivePassphraseKey(passphrase, kdf) : await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const plain = encodeContents({ device, boards: records.map(({ store: _store, ...r }) => r as BoardRecord) })
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(`hearth/keyring/v1/${mode}`) }, kek, new Uint8Array(plain)))
  const open = factory.open('hearth', 2)
  open.onupgradeneeded = () => open.result.createObjectStore('keyring')
  const db = await idbRequest(open)
  const tx = db.transaction('keyring', 'readwrite')
  tx.objectStore('keyring').put({ v: 1, mode, gen: 1, ...(kdf ? { kdf } : {}), iv, ct }, 'blob')
  if (mode === 'device') tx.objectStore('keyring').put(kek, 'kek')
  await new Promise((r) => (tx.oncomplete = r))
  db.close()
}

/** A sealed board's y-indexeddb database, as versions before the one database kept it. */
async function oldSealedBoard(factory: IDBFactory, id: BoardId, updates: Uint8Array[]): Promise<void> {
  const open = factory.open(`hearth-sealed-${id}`, 1)
  open.onupgradeneeded = () => {
    open.result.createObjectStore('updates', { autoIncrement: true })
    open.result.createObjectStore('custom')
  }
  const db = await idbRequest(open)
  const tx = db.transaction('updates', 'readwrite')
  for (const u of updates) tx.objectStore('updates').add(u)
  await new Promise((r) => (tx.oncomplete = r))
  db.close()
}

function sealedDocUpdates(): { updates: Uint8Array[]; text: string } {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  doc.getMap('entries').set('a.1', 'the first entry')
  doc.getMap('entries').set('a.2', 'the second entry')
  return { updates, text: 'the second entry' }
}

describe('moving an older version’s data into the one database', () => {
  it('device mode: on first start Alice’s board, its sealed entries and her settings move in, and the old databases and plain settings are gone', async () => {
    const p = profile()
    const garden = board('Secret Garden Collective', 'Alice Wren')
    const { updates, text } = sealedDocUpdates()
    await oldInstall(p.indexedDB, [garden], 'device')
    await oldSealedBoard(p.indexedDB, garden.id, updates)
    const storage = new MemoryStorage()
    storage.setItem('hearth.settings', JSON.stringify({ language: 'ar', signaling: ['wss://friend.example/signal'], relayOnly: true }))
    storage.setItem('hearth.operator-signaling', JSON.stringify(['wss://operator.example/signal']))

    const keyring = await Keyring.open({ ...p, localStorage: storage })
    expect(keyring.state).toBe('unlocked')
    const [moved] = await keyring.list()
    expect(moved).toMatchObject({ id: garden.id, name: 'Secret Garden Collective', displayName: 'Alice Wren' })
    expect(moved!.store).toHaveLength(32)
    const doc = new Y.Doc()
    const store = await keyring.openStore(moved!.store!, doc)
    await store.loaded
    expect(doc.getMap('entries').get('a.2')).toBe(text)
    await store.destroy()
    expect(keyring.settings().network).toMatchObject({ signaling: ['wss://friend.example/signal'], relayOnly: true })
    expect(keyring.settings().operatorSignaling).toEqual(['wss://operator.example/signal'])
    // An old install kept "lock when hidden" off unless it was turned on.
    expect(keyring.settings().lock.lockWhenHidden).toBe(false)
    expect(keyring.prefs.language).toBe('ar')
    expect(storage.length).toBe(0)
    expect((await p.indexedDB.databases()).map((d) => d.name)).toEqual(['hearth-store'])
    await keyring.close()

    const again = await Keyring.open(p)
    expect((await again.list()).map((r) => r.id)).toEqual([garden.id])
    await again.close()
  })

  it('passphrase mode: it stays locked until Alice types her passphrase, then moves in under a new, calibrated key', async () => {
    const p = profile()
    const garden = board('Garden', 'Alice')
    await oldInstall(p.indexedDB, [garden], 'passphrase', 'the river remembers')
    await oldSealedBoard(p.indexedDB, garden.id, sealedDocUpdates().updates)
    const keyring = await Keyring.open(p)
    expect(keyring.state).toBe('locked')
    expect(keyring.hasPassphrase).toBe(true)
    expect(keyring.firstRun).toBe(false)
    expect(await keyring.unlock('the river forgets')).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect((await p.indexedDB.databases()).map((d) => d.name).sort()).toContain('hearth')
    expect(await keyring.unlock('the river remembers')).toEqual({ ok: true })
    expect((await keyring.list()).map((r) => r.id)).toEqual([garden.id])
    expect((await p.indexedDB.databases()).map((d) => d.name)).toEqual(['hearth-store'])
    await keyring.close()

    const again = await Keyring.open(p)
    expect(again.state).toBe('locked')
    expect(await again.unlock('the river remembers')).toEqual({ ok: true })
    await again.close()
  })

  it('the plaintext registry of version 1: its record is sealed into the keyring and gone from disk', async () => {
    const p = profile()
    const secret = generateTransportSecret()
    const id = deriveTransportKeys(secret).boardId
    const old = { id, secret, displayName: 'Alice Wren', name: 'Secret Garden Collective', addedAt: 5, openedAt: 6 }
    const open = p.indexedDB.open('hearth', 1)
    open.onupgradeneeded = () => open.result.createObjectStore('boards', { keyPath: 'id' })
    const v1 = await idbRequest(open)
    const tx = v1.transaction('boards', 'readwrite')
    tx.objectStore('boards').put(old)
    await new Promise((r) => (tx.oncomplete = r))
    v1.close()

    const keyring = await Keyring.open(p)
    expect(keyring.state).toBe('unlocked')
    const [record] = await keyring.list()
    // The record comes back under today's field name for the transport secret, with a store of its own.
    expect(record).toMatchObject({ id, transportSecret: secret, displayName: 'Alice Wren', name: 'Secret Garden Collective', addedAt: 5, openedAt: 6 })
    expect(record!.store).toHaveLength(32)
    await keyring.close()
    expect((await p.indexedDB.databases()).map((d) => d.name)).toEqual(['hearth-store'])
    for (const value of (await rawDatabase(p.indexedDB)).stores.keyring!.values()) expect(contains(value, 'Secret Garden')).toBe(false)
  })
})

describe('keyring blob (AES-256-GCM under the KEK, the header as associated data)', () => {
  const contents = { device: { signPkcs8: new Uint8Array([1, 2]), signPublic: new Uint8Array(32), agreePkcs8: new Uint8Array([3]), agreePublic: new Uint8Array(32) }, boards: [board('Garden', 'Alice')] }
  const header = { mode: 'device' as const, slot: 0 as const, gen: 1, kdf: null, duress: null }
  const newKek = async () => deviceKek(crypto.getRandomValues(new Uint8Array(32)))

  it('round-trips every byte array and field, and its own encoding', async () => {
    expect(decodeContents(encodeContents(contents))).toEqual(contents)
    const kek = await newKek()
    const sealed = await sealContents(contents, kek, header)
    expect(decodeSealed(encodeSealed(sealed))).toEqual(sealed)
    expect(await openContents(sealed, kek)).toEqual(contents)
  })

  it('does not open with another key, altered ciphertext, or a changed header', async () => {
    const kek = await newKek()
    const sealed = await sealContents(contents, kek, header)
    expect(await openContents(sealed, await newKek())).toBeNull()
    const altered = new Uint8Array(sealed.ct)
    altered[10]! ^= 1
    expect(await openContents({ ...sealed, ct: altered }, kek)).toBeNull()
    expect(await openContents({ ...sealed, slot: 1 }, kek)).toBeNull()
    expect(await openContents({ ...sealed, gen: 2 }, kek)).toBeNull()
    expect(decodeSealed(new Uint8Array(100))).toBeNull()
  })
})
