import { committed, openDatabase, request } from './idb.ts'
import { normalizeRecord, parseSealed, type SealedKeyring } from './keyring-blob.ts'
import type { BoardRecord } from './keyring-types.ts'

/**
 * The keyring's IndexedDB database: `hearth`, version 2, one store `keyring`
 * with three kinds of entries:
 *
 * - `blob`: the sealed keyring (ciphertext only);
 * - `kek`: the device-mode key-encryption key, a non-extractable CryptoKey
 *   (absent in passphrase mode);
 * - `legacy:<board id>`: plaintext board records moved out of the version 1
 *   `boards` store, kept only until they are sealed into the blob.
 *
 * Upgrading from version 1 moves the records and deletes `boards` in one
 * versionchange transaction; sealing them and deleting the `legacy:` entries
 * happen in one later transaction. Either step either happens whole or not at
 * all, so a crash at any point loses nothing.
 */
export const KEYRING_DB = 'hearth'
export const KEYRING_DB_VERSION = 2
const STORE = 'keyring'
const LEGACY_STORE = 'boards'
const BLOB = 'blob'
const KEK = 'kek'
const LEGACY = 'legacy:'

export interface KeyringSnapshot {
  readonly sealed: SealedKeyring | null
  /** True when a blob is stored but cannot be parsed (damaged). */
  readonly damaged: boolean
  readonly kek: CryptoKey | null
  readonly legacy: readonly BoardRecord[]
}

/** Whether the database exists, without creating it (so a fresh or wiped device stays empty until it has something to keep). */
export async function keyringExists(factory: IDBFactory, name: string): Promise<boolean> {
  if (typeof factory.databases !== 'function') return true
  const dbs = await factory.databases()
  return dbs.some((d) => d.name === name)
}

export function openKeyringDb(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return openDatabase(
    name,
    KEYRING_DB_VERSION,
    (db, _oldVersion, tx) => {
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE)
      if (!db.objectStoreNames.contains(LEGACY_STORE)) return
      const all = tx.objectStore(LEGACY_STORE).getAll()
      all.onsuccess = () => {
        const store = tx.objectStore(STORE)
        for (const record of all.result as BoardRecord[]) {
          if (record && typeof record.id === 'string') store.put(record, LEGACY + record.id)
        }
        db.deleteObjectStore(LEGACY_STORE)
      }
    },
    factory,
  )
}

/** Reads everything the keyring has on disk in one transaction. */
export async function readKeyring(db: IDBDatabase): Promise<KeyringSnapshot> {
  const tx = db.transaction(STORE, 'readonly')
  const store = tx.objectStore(STORE)
  const [blob, kek, legacy] = await Promise.all([
    request(store.get(BLOB)),
    request(store.get(KEK)),
    request(store.getAll(IDBKeyRange.bound(LEGACY, LEGACY + '\uffff'))),
  ])
  const sealed = blob === undefined ? null : parseSealed(blob)
  return {
    sealed,
    damaged: blob !== undefined && sealed === null,
    kek: kek instanceof CryptoKey ? kek : null,
    legacy: (legacy as BoardRecord[]).map(normalizeRecord),
  }
}

export type WriteOutcome = 'ok' | 'conflict'

/**
 * Writes a new blob if the stored one is still generation `expectedGen` (0 =
 * none stored). In the same transaction: stores or deletes the device KEK, and
 * deletes the legacy records now sealed inside the blob. Resolves once
 * committed; 'conflict' (nothing written) if another tab wrote first.
 */
export function writeKeyring(
  db: IDBDatabase,
  sealed: SealedKeyring,
  expectedGen: number,
  opts: { kek: CryptoKey | null; dropLegacy: readonly string[] },
): Promise<WriteOutcome> {
  const tx = db.transaction(STORE, 'readwrite')
  const store = tx.objectStore(STORE)
  let outcome: WriteOutcome = 'ok'
  const current = store.get(BLOB)
  current.onsuccess = () => {
    const gen = parseSealed(current.result)?.gen ?? 0
    if (gen !== expectedGen) {
      outcome = 'conflict'
      return
    }
    store.put(sealed, BLOB)
    if (opts.kek) store.put(opts.kek, KEK)
    else store.delete(KEK)
    for (const id of opts.dropLegacy) store.delete(LEGACY + id)
  }
  return committed(tx).then(() => outcome)
}
