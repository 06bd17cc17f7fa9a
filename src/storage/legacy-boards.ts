import type { BoardId } from '../crypto/index.ts'
import { deleteDatabase, request } from './idb.ts'

/**
 * Board databases of versions before the one database, in y-indexeddb's
 * format (a store `updates` of Yjs updates, auto-incremented keys): one
 * database per board, named after the board id — which an invite also holds.
 * They are read once to move them, then deleted.
 */
/** Before sealed boards: the readable board doc, in plain text (migrated when the board is opened). */
export const boardDatabaseName = (id: BoardId): string => `hearth-board-${id}`
/** Sealed boards before the one database: signed, encrypted entries (moved on first unlock). */
export const sealedDatabaseName = (id: BoardId): string => `hearth-sealed-${id}`

/** Every stored update of a y-indexeddb database, oldest first; null when there is no such database. */
export async function readYIndexeddb(name: string, factory: IDBFactory = indexedDB): Promise<Uint8Array[] | null> {
  if (typeof factory.databases === 'function' && !(await factory.databases()).some((d) => d.name === name)) return null
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open(name)
    // It did not exist after all: leave nothing behind.
    req.onupgradeneeded = () => req.transaction?.abort()
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error(`Cannot open ${name}`))
  }).catch(() => null)
  if (!db) return null
  try {
    if (!db.objectStoreNames.contains('updates')) return []
    const values = await request(db.transaction('updates', 'readonly').objectStore('updates').getAll())
    return (values as unknown[]).filter((v): v is Uint8Array => v instanceof Uint8Array)
  } finally {
    db.close()
  }
}

/** Names of the per-board databases of older versions still on this device. */
export async function legacyBoardDatabases(factory: IDBFactory = indexedDB): Promise<string[]> {
  if (typeof factory.databases !== 'function') return []
  return (await factory.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith('hearth-sealed-') || n.startsWith('hearth-board-'))
}

/** Whether a plain-text database from before sealed boards exists for this board. */
export async function hasLegacyBoardData(id: BoardId): Promise<boolean> {
  if (typeof indexedDB.databases !== 'function') return true
  return (await indexedDB.databases()).some((d) => d.name === boardDatabaseName(id))
}

/** The plain-text board from before sealed boards, as its stored updates (null if none). */
export function readLegacyBoard(id: BoardId): Promise<Uint8Array[] | null> {
  return readYIndexeddb(boardDatabaseName(id))
}

/** Deletes the plain-text database of a board from before sealed boards, once it has been migrated. */
export async function deleteLegacyBoardData(id: BoardId): Promise<void> {
  await deleteDatabase(boardDatabaseName(id))
}
