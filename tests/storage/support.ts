/**
 * What the storage stories share: an empty "browser profile" per test
 * (fake-indexeddb, and a device file in memory standing in for the
 * origin-private file system), and ways to look at what is on its disk.
 */
import { IDBFactory } from 'fake-indexeddb'
import { deriveTransportKeys, generateTransportSecret } from '../../src/crypto/index.ts'
import type { BoardRecord, KeyFile, KeyringDeps } from '../../src/storage/index.ts'
import { newStoreSecret } from '../../src/storage/index.ts'

/** A device file in memory that remembers every version written, as a forensic copy of the disk would. */
export class MemoryKeyFile implements KeyFile {
  readonly erasable = true
  bytes: Uint8Array | null = null
  /** Every version of the file ever written, oldest first (what a copy-on-write disk could keep). */
  readonly history: Uint8Array[] = []
  destroyed = 0

  async read(): Promise<Uint8Array | null> {
    return this.bytes ? new Uint8Array(this.bytes) : null
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.bytes = new Uint8Array(bytes)
    this.history.push(new Uint8Array(bytes))
  }

  async destroy(): Promise<void> {
    if (this.bytes) this.destroyed++
    this.bytes = null
  }
}

export interface Profile extends KeyringDeps {
  readonly indexedDB: IDBFactory
  readonly keyFile: MemoryKeyFile
}

/** Each test gets its own empty profile; scrypt is cheap except where the real cost is measured. */
export const profile = (): Profile => ({ indexedDB: new IDBFactory(), keyFile: new MemoryKeyFile(), kdfLogN: 10, localStorage: null })

export const board = (name: string, displayName: string, openedAt = 1): BoardRecord => {
  const secret = generateTransportSecret()
  return {
    id: deriveTransportKeys(secret).boardId,
    transportSecret: secret,
    contentKey: crypto.getRandomValues(new Uint8Array(32)),
    store: newStoreSecret(),
    format: 2,
    displayName,
    name,
    addedAt: 1,
    openedAt,
  }
}

export function idbRequest<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

/** Every value stored in a database, by store and key, as the disk holds it. */
export async function rawDatabase(factory: IDBFactory, name = 'hearth-store'): Promise<{ version: number; stores: Record<string, Map<IDBValidKey, unknown>> }> {
  const db = await idbRequest(factory.open(name))
  const stores: Record<string, Map<IDBValidKey, unknown>> = {}
  for (const store of db.objectStoreNames) {
    const s = db.transaction(store, 'readonly').objectStore(store)
    const [keys, values] = await Promise.all([idbRequest(s.getAllKeys()), idbRequest(s.getAll())])
    stores[store] = new Map(keys.map((k, i) => [k, values[i]]))
  }
  const version = db.version
  db.close()
  return { version, stores }
}

/** Whether `needle` (text, or bytes) appears anywhere in a stored value. */
export function contains(value: unknown, needle: string | Uint8Array): boolean {
  const bytes = typeof needle === 'string' ? Buffer.from(needle) : Buffer.from(needle)
  if (typeof value === 'string') return typeof needle === 'string' ? value.includes(needle) : false
  if (value instanceof Uint8Array) return Buffer.from(value).includes(bytes)
  if (typeof value === 'object' && value !== null) return Object.values(value).some((v) => contains(v, needle))
  return false
}

/** An in-memory localStorage. */
export class MemoryStorage implements Storage {
  readonly #data = new Map<string, string>()
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
