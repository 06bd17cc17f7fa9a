import { IndexeddbPersistence } from 'y-indexeddb'
import type * as Y from 'yjs'

/**
 * A board's database as versions before the one database kept it: y-indexeddb,
 * one database per board, named after the board id. Written with y-indexeddb
 * itself into the page's `indexedDB` (run it inside Phone.act).
 */
export async function oldBoardDatabase(name: string, doc: Y.Doc): Promise<void> {
  const persistence = new IndexeddbPersistence(name, doc)
  await persistence.whenSynced
  await persistence.destroy()
}
