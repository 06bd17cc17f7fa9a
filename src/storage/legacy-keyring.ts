import { derivePassphraseKey, type DeviceKeyMaterial, type ScryptParams } from '../crypto/index.ts'
import { committed, openDatabase, request } from './idb.ts'
import { decodeContents, normalizeRecord } from './keyring-blob.ts'
import type { BoardRecord, KeyringContents } from './keyring-types.ts'

/**
 * Reads the keyring of versions before the one database, to move it: the
 * IndexedDB database `hearth` (version 2: a store `keyring` with `blob`, the
 * device-mode `kek` as a stored CryptoKey, and `legacy:<id>` plaintext
 * records; version 1: a plaintext `boards` store, moved on upgrade as
 * version 2 did).
 */
export const LEGACY_KEYRING_DB = 'hearth'
const STORE = 'keyring'
const BOARDS = 'boards'
const LEGACY = 'legacy:'

interface OldBlob {
  readonly mode: 'device' | 'passphrase'
  readonly kdf?: ScryptParams
  readonly iv: Uint8Array
  readonly ct: Uint8Array
}

/** What the old database holds, still sealed. */
export interface LegacyKeyring {
  readonly blob: OldBlob | null
  readonly kek: CryptoKey | null
  readonly records: readonly BoardRecord[]
}

export function openLegacyDb(factory: IDBFactory): Promise<IDBDatabase> {
  return openDatabase(
    LEGACY_KEYRING_DB,
    2,
    (db, _old, tx) => {
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE)
      if (!db.objectStoreNames.contains(BOARDS)) return
      const all = tx.objectStore(BOARDS).getAll()
      all.onsuccess = () => {
        const store = tx.objectStore(STORE)
        for (const record of all.result as BoardRecord[]) if (record && typeof record.id === 'string') store.put(record, LEGACY + record.id)
        db.deleteObjectStore(BOARDS)
      }
    },
    factory,
  )
}

function parseOldBlob(value: unknown): OldBlob | null {
  if (typeof value !== 'object' || value === null) return null
  const o = value as Record<string, unknown>
  if (o.v !== 1 || (o.mode !== 'device' && o.mode !== 'passphrase') || !(o.iv instanceof Uint8Array) || !(o.ct instanceof Uint8Array)) return null
  if (o.mode === 'passphrase') {
    const k = o.kdf as Record<string, unknown> | undefined
    if (!k || k.alg !== 'scrypt' || typeof k.logN !== 'number' || k.logN > 22 || typeof k.r !== 'number' || typeof k.p !== 'number' || !(k.salt instanceof Uint8Array)) return null
  }
  return o as unknown as OldBlob
}

export async function readLegacyKeyring(db: IDBDatabase): Promise<LegacyKeyring> {
  const tx = db.transaction(STORE, 'readonly')
  const store = tx.objectStore(STORE)
  const [blob, kek, legacy] = await Promise.all([request(store.get('blob')), request(store.get('kek')), request(store.getAll(IDBKeyRange.bound(LEGACY, LEGACY + '\uffff')))])
  await committed(tx)
  return {
    blob: parseOldBlob(blob),
    kek: typeof CryptoKey !== 'undefined' && kek instanceof CryptoKey ? kek : null,
    records: (legacy as BoardRecord[]).map(normalizeRecord),
  }
}

/**
 * Opens the old blob (with the passphrase in passphrase mode) and adds the
 * plaintext records; null when the passphrase is wrong or the key is gone.
 */
export async function openLegacyKeyring(old: LegacyKeyring, passphrase: string): Promise<{ device: DeviceKeyMaterial | null; boards: BoardRecord[] } | null> {
  let contents: KeyringContents | null = null
  if (old.blob) {
    const kek = old.blob.mode === 'device' ? old.kek : await derivePassphraseKey(passphrase, old.blob.kdf!)
    if (!kek) return null
    try {
      const iv = new Uint8Array(old.blob.iv)
      const plain = new Uint8Array(
        await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(`hearth/keyring/v1/${old.blob.mode}`) }, kek, new Uint8Array(old.blob.ct)),
      )
      contents = decodeContents(plain)
      plain.fill(0)
    } catch {
      return null
    }
  }
  if (!contents && old.records.length === 0) return null
  const boards = (contents?.boards ?? []).map(normalizeRecord)
  const known = new Set(boards.map((r) => r.id))
  return { device: contents?.device ?? null, boards: [...boards, ...old.records.filter((r) => !known.has(r.id))] }
}
