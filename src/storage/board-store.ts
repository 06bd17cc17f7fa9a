import { IndexeddbPersistence } from 'y-indexeddb'
import type * as Y from 'yjs'
import type { BoardId } from '../crypto/index.ts'
import { committed, deleteDatabase } from './idb.ts'

/** Before sealed boards: the readable board doc, in plain text (migrated, then deleted). */
export const boardDatabaseName = (id: BoardId): string => `hearth-board-${id}`
/** Sealed boards: only signed, encrypted entries. */
export const sealedDatabaseName = (id: BoardId): string => `hearth-sealed-${id}`

/** A board doc's local persistence. */
export interface BoardStore {
  /** Resolves once everything stored has been applied to the doc. */
  readonly loaded: Promise<void>
  /** Resolves once every update made so far is committed to disk. */
  flush(): Promise<void>
  /** Stops persisting and closes the database. */
  destroy(): Promise<void>
}

/**
 * Persists a board doc with y-indexeddb. y-indexeddb writes each update in its
 * own readwrite transaction as the update happens; IndexedDB runs transactions
 * on the same store in creation order, so a later readonly transaction
 * completing proves every earlier write is committed. That is what `flush`
 * waits for before the UI reports an action as saved.
 */
export function openBoardStore(id: BoardId, doc: Y.Doc, kind: 'sealed' | 'legacy' = 'sealed'): BoardStore {
  const persistence = new IndexeddbPersistence(kind === 'sealed' ? sealedDatabaseName(id) : boardDatabaseName(id), doc)
  const loaded = persistence.whenSynced.then(() => undefined)
  return {
    loaded,
    async flush() {
      await loaded
      const db = persistence.db
      if (!db) return
      await committed(db.transaction('updates', 'readonly'))
    },
    async destroy() {
      await persistence.destroy()
    },
  }
}

/** Deletes a board's local data for real (sealed and any legacy database): resolves once both are gone. */
export async function deleteBoardData(id: BoardId): Promise<void> {
  await Promise.all([deleteDatabase(sealedDatabaseName(id)), deleteDatabase(boardDatabaseName(id))])
}

/** Deletes the plain-text database of a board from before sealed boards, once it has been migrated. */
export async function deleteLegacyBoardData(id: BoardId): Promise<void> {
  await deleteDatabase(boardDatabaseName(id))
}

/** Whether a plain-text database from before sealed boards exists for this board. */
export async function hasLegacyBoardData(id: BoardId): Promise<boolean> {
  if (typeof indexedDB.databases !== 'function') return true
  return (await indexedDB.databases()).some((d) => d.name === boardDatabaseName(id))
}
