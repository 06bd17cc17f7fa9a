import { committed, openDatabase, request } from './idb.ts'
import { decodeSealed } from './keyring-blob.ts'

/**
 * The device's one IndexedDB database, for every board: its name and its
 * stores are the same on every device, whatever boards it holds, and every
 * value in it is bytes of ciphertext.
 *
 * - `keyring`: `blob`, the sealed keyring (keyring-blob.ts);
 * - `records`: every board's stored updates, under keys that look random
 *   (board-store.ts);
 * - `device`: the device file, only where the browser has no origin-private
 *   file system (key-file.ts).
 */
export const VAULT_DB = 'hearth-store'
const VERSION = 1
export const KEYRING_STORE = 'keyring'
export const RECORDS_STORE = 'records'
export const DEVICE_STORE = 'device'
const BLOB = 'blob'

export function openVault(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return openDatabase(
    name,
    VERSION,
    (db) => {
      for (const store of [KEYRING_STORE, RECORDS_STORE, DEVICE_STORE]) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store)
    },
    factory,
  )
}

/** Whether a database exists, without creating it. Without `databases()`, null: unknown. */
export async function databaseExists(factory: IDBFactory, name: string): Promise<boolean | null> {
  if (typeof factory.databases !== 'function') return null
  return (await factory.databases()).some((d) => d.name === name)
}

/** The stored blob's bytes, or null when there is none. */
export async function readBlob(db: IDBDatabase): Promise<Uint8Array | null> {
  const value = await request(db.transaction(KEYRING_STORE, 'readonly').objectStore(KEYRING_STORE).get(BLOB))
  return value instanceof Uint8Array ? value : value === undefined ? null : new Uint8Array(0)
}

export type WriteOutcome = 'ok' | 'conflict'

/**
 * Writes a new blob if the stored one is still generation `expectedGen` (0 =
 * none stored); 'conflict' (nothing written) if another tab wrote first.
 * `alongside` writes board records in the same transaction, only if the blob
 * is written: both commit or neither. Resolves once committed.
 */
export function writeBlob(db: IDBDatabase, bytes: Uint8Array, expectedGen: number, alongside?: (records: IDBObjectStore) => void): Promise<WriteOutcome> {
  const tx = db.transaction(alongside ? [KEYRING_STORE, RECORDS_STORE] : KEYRING_STORE, 'readwrite')
  const store = tx.objectStore(KEYRING_STORE)
  let outcome: WriteOutcome = 'ok'
  const current = store.get(BLOB)
  current.onsuccess = () => {
    const gen = current.result === undefined ? 0 : (decodeSealed(current.result)?.gen ?? -1)
    if (gen !== expectedGen) {
      outcome = 'conflict'
      return
    }
    store.put(bytes, BLOB)
    alongside?.(tx.objectStore(RECORDS_STORE))
  }
  return committed(tx).then(() => outcome)
}
