import type { BoardId, BoardSecret } from '../crypto/index.ts'
import { committed, openDatabase, request } from './idb.ts'

/**
 * What this device remembers about a board it belongs to.
 *
 * Format 1 boards (before sealed boards) stored their Y.Doc in plain text and
 * had one secret; format 2 boards store only sealed entries and have two
 * secrets. A format 1 record is migrated when its board is first opened.
 */
export interface BoardRecord {
  readonly id: BoardId
  /** The transport secret: derives the room, the signaling password and the board id. */
  readonly secret: BoardSecret
  /** The content key (32 bytes): encrypts every entry. Absent only on format 1 records. */
  readonly contentKey?: Uint8Array
  /** 1 = plaintext Yjs database (migrated on open), 2 = sealed. Absent means 1. */
  readonly format?: 1 | 2
  /** The founder's device signing key, when known (from the invite or because this device founded it). */
  readonly founder?: Uint8Array
  /** The name this person shows on this board. */
  readonly displayName: string
  /** Last known board name, so the list renders without opening every board. */
  readonly name: string
  readonly addedAt: number
  readonly openedAt: number
}

const DB_NAME = 'hearth'
const STORE = 'boards'

/** The list of boards on this device (IndexedDB database `hearth`, store `boards`). */
export class BoardRegistry {
  #db: Promise<IDBDatabase> | null = null

  #open(): Promise<IDBDatabase> {
    this.#db ??= openDatabase(DB_NAME, 1, (db) => {
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'id' })
    })
    return this.#db
  }

  async list(): Promise<BoardRecord[]> {
    const db = await this.#open()
    const records = await request(db.transaction(STORE, 'readonly').objectStore(STORE).getAll())
    return (records as BoardRecord[]).sort((a, b) => b.openedAt - a.openedAt || a.id.localeCompare(b.id))
  }

  async get(id: BoardId): Promise<BoardRecord | null> {
    const db = await this.#open()
    const record = await request(db.transaction(STORE, 'readonly').objectStore(STORE).get(id))
    return (record as BoardRecord | undefined) ?? null
  }

  /** Writes the record and resolves once it is committed. */
  async put(record: BoardRecord): Promise<void> {
    const db = await this.#open()
    const tx = db.transaction(STORE, 'readwrite')
    tx.objectStore(STORE).put(record)
    await committed(tx)
  }

  async update(id: BoardId, patch: Partial<Omit<BoardRecord, 'id' | 'secret'>>): Promise<BoardRecord | null> {
    const existing = await this.get(id)
    if (!existing) return null
    const next = { ...existing, ...patch }
    await this.put(next)
    return next
  }

  async remove(id: BoardId): Promise<void> {
    const db = await this.#open()
    const tx = db.transaction(STORE, 'readwrite')
    tx.objectStore(STORE).delete(id)
    await committed(tx)
  }

  async close(): Promise<void> {
    if (this.#db) (await this.#db).close()
    this.#db = null
  }
}
