import { deleteDatabase } from './idb.ts'
import { importBoardRecords, newStoreSecret, storeKeys } from './board-records.ts'
import type { BoardRecord } from './keyring-types.ts'
import { LEGACY_KEYRING_DB } from './legacy-keyring.ts'
import { readYIndexeddb, sealedDatabaseName } from './legacy-boards.ts'

/**
 * Moves the sealed boards of an older version into the one database: each
 * board gets a store secret and its y-indexeddb updates become its first
 * record. Returns the records with their store secrets; the old databases
 * stay until the new keyring is committed (deleteMovedDatabases), so a crash
 * in between loses nothing. Boards from before sealed boards (format 1) move
 * when they are first opened, as before.
 */
export async function moveBoards(boards: readonly BoardRecord[], database: () => Promise<IDBDatabase>, factory: IDBFactory): Promise<BoardRecord[]> {
  const moved: BoardRecord[] = []
  for (const record of boards) {
    const store = record.store ?? newStoreSecret()
    if (!record.store && record.format === 2) {
      const updates = await readYIndexeddb(sealedDatabaseName(record.id), factory)
      if (updates?.length) await importBoardRecords(database, await storeKeys(store), updates)
    }
    moved.push({ ...record, store })
  }
  return moved
}

/** Deletes the older version's keyring and sealed board databases (waiting until each is gone). */
export async function deleteMovedDatabases(factory: IDBFactory): Promise<void> {
  const names = typeof factory.databases === 'function' ? (await factory.databases()).map((d) => d.name ?? '') : [LEGACY_KEYRING_DB]
  await Promise.all(names.filter((n) => n === LEGACY_KEYRING_DB || n.startsWith('hearth-sealed-')).map((n) => deleteDatabase(n, factory)))
}

/** Whether anything of an older version's layout is still on this device. */
export async function hasMovedDatabases(factory: IDBFactory): Promise<boolean> {
  if (typeof factory.databases !== 'function') return false
  return (await factory.databases()).some((d) => d.name === LEGACY_KEYRING_DB || d.name?.startsWith('hearth-sealed-'))
}
