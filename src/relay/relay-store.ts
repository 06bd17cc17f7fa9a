import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { decodeRecord, encodeRecord, type RelayBoardRecord } from './relay-record.ts'
import { SecretBox } from './secret-box.ts'

/** Stored bytes and rows of one board's updates. */
export interface BoardUsage {
  readonly bytes: number
  readonly rows: number
}

const recordAd = (id: string) => `hearth-relay/board\0${id}`
const updateAd = (id: string) => `hearth-relay/update\0${id}`

/**
 * The relay's disk: one SQLite database (better-sqlite3) in WAL mode with
 * `synchronous=FULL`, so every write has reached the disk (fsync) when its
 * call returns, and a crash or `kill -9` loses nothing that was written —
 * SQLite's journal makes each write whole or absent, never torn. Each
 * board's sealed doc is kept as the Yjs updates it received, one row each,
 * and now and then replaced by its merged state in one transaction.
 *
 * Every blob — board records (the relay's keys, the transport secrets) and
 * updates (sealed entries, whose headers are in clear) — is sealed again
 * with AES-256-GCM under the store key, which lives in a file of its own
 * (see SELF_HOSTING.md): the database alone gives nothing. Files are created
 * readable by the relay's user only. Nothing here is ever a content key.
 */
export class RelayStore {
  readonly #db: Database.Database
  readonly #box: SecretBox
  readonly #statements

  private constructor(db: Database.Database, box: SecretBox) {
    this.#db = db
    this.#box = box
    this.#statements = {
      boards: db.prepare<[], { id: string; record: Buffer }>('SELECT id, record FROM boards ORDER BY id'),
      putBoard: db.prepare<[string, Buffer]>('INSERT INTO boards (id, record) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET record = excluded.record'),
      hasBoard: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM boards WHERE id = ?'),
      removeBoard: db.prepare<[string]>('DELETE FROM boards WHERE id = ?'),
      removeUpdates: db.prepare<[string]>('DELETE FROM updates WHERE board = ?'),
      load: db.prepare<[string], { bytes: Buffer }>('SELECT bytes FROM updates WHERE board = ? ORDER BY seq'),
      append: db.prepare<[string, Buffer]>('INSERT INTO updates (board, bytes) VALUES (?, ?)'),
      usage: db.prepare<[], { board: string; bytes: number; rows: number }>('SELECT board, SUM(LENGTH(bytes)) AS bytes, COUNT(*) AS rows FROM updates GROUP BY board'),
    }
  }

  /** Opens (or makes) the store in `dir`; the store key is `keyFile`, or `dir/store.key` made on first use. */
  static open(dir: string, keyFile: string | null = null): RelayStore {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    chmodSync(dir, 0o700)
    const box = new SecretBox(readOrMakeKey(keyFile ?? join(dir, 'store.key'), keyFile === null))
    const path = join(dir, 'relay.db')
    const db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    // Deleted rows (compacted updates, removed boards) are overwritten with zeros, not left in free pages.
    db.pragma('secure_delete = ON')
    db.pragma('busy_timeout = 5000')
    db.exec(`
      CREATE TABLE IF NOT EXISTS boards (id TEXT PRIMARY KEY, record BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, board TEXT NOT NULL, bytes BLOB NOT NULL);
      CREATE INDEX IF NOT EXISTS updates_by_board ON updates (board, seq);
    `)
    for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600)
    return new RelayStore(db, box)
  }

  /** Every board's record (records that do not open under this store key are skipped). */
  boards(): RelayBoardRecord[] {
    const out: RelayBoardRecord[] = []
    for (const row of this.#statements.boards.all()) {
      const plain = this.#box.open(row.record, recordAd(row.id))
      const record = plain ? decodeRecord(plain) : null
      if (record && record.id === row.id) out.push(record)
    }
    return out
  }

  hasBoard(id: string): boolean {
    return this.#statements.hasBoard.get(id)!.n > 0
  }

  /** Adds or replaces a board's record; durable when it returns. */
  putBoard(record: RelayBoardRecord): void {
    this.#statements.putBoard.run(record.id, this.#box.seal(encodeRecord(record), recordAd(record.id)))
  }

  /** Forgets a board and everything stored for it. */
  removeBoard(id: string): void {
    this.#db.transaction(() => {
      this.#statements.removeUpdates.run(id)
      this.#statements.removeBoard.run(id)
    })()
  }

  /** A board's stored updates, oldest first. */
  load(id: string): Uint8Array[] {
    const out: Uint8Array[] = []
    for (const row of this.#statements.load.all(id)) {
      const plain = this.#box.open(row.bytes, updateAd(id))
      if (!plain) throw new Error(`A stored update of board ${id} does not open: the store key is wrong or the database was altered`)
      out.push(plain)
    }
    return out
  }

  /** Appends one update; on disk when it returns. Returns the bytes it takes there. */
  append(id: string, update: Uint8Array): number {
    const blob = this.#box.seal(update, updateAd(id))
    this.#statements.append.run(id, blob)
    return blob.length
  }

  /** Replaces a board's updates with its merged state, in one transaction. Returns the bytes it takes. */
  compact(id: string, state: Uint8Array): number {
    const blob = this.#box.seal(state, updateAd(id))
    this.#db.transaction(() => {
      this.#statements.removeUpdates.run(id)
      this.#statements.append.run(id, blob)
    })()
    return blob.length
  }

  /** Stored bytes and rows per board. */
  usage(): Map<string, BoardUsage> {
    return new Map(this.#statements.usage.all().map((r) => [r.board, { bytes: r.bytes, rows: r.rows }]))
  }

  close(): void {
    this.#db.close()
  }
}

/** The 32-byte store key: read, or made once (readable by this user only) when the relay made its own. */
function readOrMakeKey(file: string, mayMake: boolean): Uint8Array {
  if (!existsSync(file)) {
    if (!mayMake) throw new Error(`The store key file ${file} does not exist`)
    const fd = openSync(file, 'wx', 0o600)
    try {
      writeSync(fd, randomBytes(32).toString('base64') + '\n')
    } finally {
      closeSync(fd)
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
  if (key.length !== 32) throw new Error(`The store key file ${file} does not hold a 32-byte key (base64)`)
  return key
}
