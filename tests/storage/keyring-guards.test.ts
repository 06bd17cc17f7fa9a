/**
 * What the keyring must still do at the edges: a lock while an unlock is on
 * its way wins; after the panic the right passphrase opens nothing; a
 * passphrase-mode keyring keeps its passphrase and duress verifier through
 * every later write; a rotation cut short by a crash before the new blob
 * still opens the old one, and one cut short after it is finished on the next
 * open (the old root key does not stay on disk); a tab whose key another tab
 * replaced locks instead of writing.
 */
import { describe, expect, it } from 'vitest'
import { Keyring, LockedError, DEFAULT_KEYRING_SETTINGS, LEGACY_KEYRING_DB } from '../../src/storage/index.ts'
import { decodeDeviceFile, rootKey } from '../../src/storage/device-file.ts'
import { board, idbRequest, profile } from './support.ts'

const PASS = 'the river remembers'
const DURESS = 'the river is empty'

const rootKeys = (bytes: Uint8Array | null) => {
  const file = bytes && decodeDeviceFile(bytes)
  return file ? [rootKey(file, 0), rootKey(file, 1)].filter(Boolean).length : 0
}

/** The sealed keyring blob as the disk holds it. */
async function blobOf(p: ReturnType<typeof profile>): Promise<unknown> {
  const db = await idbRequest(p.indexedDB.open('hearth-store'))
  const value = await idbRequest(db.transaction('keyring', 'readonly').objectStore('keyring').get('blob'))
  db.close()
  return value
}

async function putBlob(p: ReturnType<typeof profile>, value: unknown): Promise<void> {
  const db = await idbRequest(p.indexedDB.open('hearth-store'))
  await idbRequest(db.transaction('keyring', 'readwrite').objectStore('keyring').put(value, 'blob'))
  db.close()
}

describe('keyring guards', () => {
  it('Alice locks while her unlock is under way: it stays locked', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    await keyring.put(board('Garden', 'Alice'))
    await keyring.setPassphrase(PASS)
    keyring.lock()
    const unlocking = keyring.unlock(PASS)
    // The unlock has begun (reading the blob, stretching the passphrase) when the lock comes.
    await new Promise((r) => setImmediate(r))
    keyring.lock()
    expect(await unlocking).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(keyring.state).toBe('locked')
    await expect(keyring.list()).rejects.toBeInstanceOf(LockedError)
    await keyring.close()
  })

  it('after the key file is destroyed, the right passphrase opens nothing (an answer, not a crash)', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    await keyring.put(board('Garden', 'Alice'))
    await keyring.setPassphrase(PASS)
    await keyring.destroyKey()
    expect(await keyring.unlock(PASS)).toEqual({ ok: false, error: 'wrong_passphrase' })
    expect(keyring.state).toBe('locked')
  })

  it('a board added after the passphrase and the duress passphrase were set: both still answer after a restart', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    await keyring.setPassphrase(PASS)
    expect(await keyring.setDuress(DURESS)).toEqual({ ok: true })
    const garden = board('Garden', 'Alice')
    await keyring.put(garden)
    await keyring.close()

    const again = await Keyring.open(p)
    expect(await again.unlock(DURESS)).toEqual({ ok: false, error: 'duress' })
    expect(await again.unlock(PASS)).toEqual({ ok: true })
    expect(await again.list()).toEqual([garden])
    await again.close()
  })

  it('clearing the duress passphrase, or going back to no passphrase, says no duress is set', async () => {
    const keyring = await Keyring.open(profile())
    expect(await keyring.setDuress(DURESS)).toEqual({ ok: false, error: 'no_passphrase' })
    await keyring.setPassphrase(PASS)
    await keyring.setDuress(DURESS)
    expect(keyring.hasDuress()).toBe(true)
    const garden = board('Garden', 'Alice')
    await keyring.put(garden)
    expect(await keyring.setDuress(null)).toEqual({ ok: true })
    expect(keyring.hasDuress()).toBe(false)
    expect(await keyring.list()).toEqual([garden])
    await keyring.setDuress(DURESS)
    expect(await keyring.setPassphrase(null)).toEqual({ ok: true })
    expect(keyring.hasDuress()).toBe(false)
    await keyring.close()
  })

  it('a setting changed on a keyring that had none keeps every other default', async () => {
    const keyring = await Keyring.open(profile())
    await keyring.updateSettings({ operatorSignaling: ['wss://relay.example/signal'] })
    expect(keyring.settings()).toEqual({ ...DEFAULT_KEYRING_SETTINGS, operatorSignaling: ['wss://relay.example/signal'] })
    await keyring.close()
  })

  it('a rotation cut short after the new blob was written is finished on the next open: the old root key goes', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    const garden = board('Garden', 'Alice')
    await keyring.put(garden)
    await keyring.put(board('Kitchen', 'Alice'))
    const versions = p.keyFile.history.length
    await keyring.remove(garden.id)
    await keyring.close()
    // The rotation wrote the device file twice: the new key beside the old, then the old zeroed.
    const written = p.keyFile.history.slice(versions)
    expect(written.map(rootKeys)).toEqual([2, 1])
    // The power went before the old key was zeroed.
    p.keyFile.bytes = new Uint8Array(written[0]!)

    const again = await Keyring.open(p)
    expect((await again.list()).map((r) => r.name)).toEqual(['Kitchen'])
    expect(rootKeys(p.keyFile.bytes)).toBe(1)
    await again.close()
  })

  it('a rotation cut short before the new blob was written opens the old blob with the old key, untouched in its slot (from either slot)', async () => {
    for (const rotationsBefore of [0, 1]) {
      const p = profile()
      const keyring = await Keyring.open(p)
      const boards = ['Garden', 'Kitchen', 'Pantry'].map((name) => board(name, 'Alice'))
      for (const b of boards) await keyring.put(b)
      // Each removal rotates the root key into the other slot.
      for (const b of boards.slice(0, rotationsBefore)) await keyring.remove(b.id)
      const oldBlob = await blobOf(p)
      const versions = p.keyFile.history.length
      await keyring.remove(boards[rotationsBefore]!.id)
      await keyring.close()
      const [first] = p.keyFile.history.slice(versions)
      // The power went after the new key was written beside the old one, before the new blob.
      p.keyFile.bytes = new Uint8Array(first!)
      await putBlob(p, oldBlob)

      const again = await Keyring.open(p)
      expect((await again.list()).map((r) => r.name).sort(), `after ${rotationsBefore} rotations`).toEqual(boards.slice(rotationsBefore).map((b) => b.name))
      await again.close()
    }
  })

  it('a tab whose key another tab replaced (a new passphrase) locks on its next write, and writes nothing', async () => {
    const p = profile()
    const first = await Keyring.open(p)
    await first.setPassphrase(PASS)
    await first.close()
    const [tabA, tabB] = [await Keyring.open(p), await Keyring.open(p)]
    expect(await tabA.unlock(PASS)).toEqual({ ok: true })
    expect(await tabB.unlock(PASS)).toEqual({ ok: true })
    expect(await tabA.setPassphrase('a new river passphrase')).toEqual({ ok: true })
    await expect(tabB.put(board('From B', 'Bob'))).rejects.toBeInstanceOf(LockedError)
    expect(tabB.state).toBe('locked')
    expect(await tabB.unlock('a new river passphrase')).toEqual({ ok: true })
    expect(await tabB.list()).toEqual([])
    await Promise.all([tabA.close(), tabB.close()])
  })

  it('a write under way when Alice locks does not unlock the keyring once it commits', async () => {
    const keyring = await Keyring.open(profile())
    await keyring.setPassphrase(PASS)
    const pending = keyring.put(board('Garden', 'Alice'))
    // The write has taken the records and is sealing and committing them.
    await new Promise((r) => setImmediate(r))
    keyring.lock()
    await pending
    expect(keyring.state).toBe('locked')
    await expect(keyring.list()).rejects.toBeInstanceOf(LockedError)
    await keyring.close()
  })

  it('two tabs in passphrase mode adding boards at the same time keep both (the one that lost the race reads the other’s blob with its key)', async () => {
    const p = profile()
    const first = await Keyring.open(p)
    await first.setPassphrase(PASS)
    await first.close()
    const [tabA, tabB] = [await Keyring.open(p), await Keyring.open(p)]
    await tabA.unlock(PASS)
    await tabB.unlock(PASS)
    await Promise.all([tabA.put(board('From A', 'Alice')), tabB.put(board('From B', 'Bob'))])
    expect(tabB.state).toBe('unlocked')
    const check = await Keyring.open(p)
    await check.unlock(PASS)
    expect((await check.list()).map((r) => r.name).sort()).toEqual(['From A', 'From B'])
    await Promise.all([tabA.close(), tabB.close(), check.close()])
  })
})

describe('leftovers of an older version’s layout', () => {
  it('an older keyring or sealed-board database still on disk is deleted when the keyring opens; anything else stays', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    await keyring.put(board('Garden', 'Alice'))
    await keyring.close()
    for (const name of [LEGACY_KEYRING_DB, 'hearth-sealed-abc', 'someone-elses-db']) {
      const req = p.indexedDB.open(name)
      await new Promise((r) => (req.onsuccess = r))
      req.result.close()
    }
    const again = await Keyring.open(p)
    expect((await p.indexedDB.databases()).map((d) => d.name).sort()).toEqual(['hearth-store', 'someone-elses-db'])
    expect((await again.list()).map((r) => r.name)).toEqual(['Garden'])
    await again.close()
  })

  it('a sealed-board database left alone (its keyring already gone) is deleted; a name that only looks like one stays', async () => {
    const p = profile()
    const keyring = await Keyring.open(p)
    await keyring.put(board('Garden', 'Alice'))
    for (const name of ['hearth-sealed', 'hearth-sealed-xyz']) {
      const req = p.indexedDB.open(name)
      await new Promise((r) => (req.onsuccess = r))
      req.result.close()
    }
    await keyring.close()
    const again = await Keyring.open(p)
    expect((await p.indexedDB.databases()).map((d) => d.name).sort()).toEqual(['hearth-sealed', 'hearth-store'])
    await again.close()
  })
})
