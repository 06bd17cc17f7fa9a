import type * as Y from 'yjs'
import { checkPassphrase, derivePassphraseBytes, generateDeviceKeys, newScryptParams, type BoardId, type DeviceKeyMaterial, type PassphraseError, type ScryptParams } from '../crypto/index.ts'
import { deleteBoardRecords, storeKeys } from './board-records.ts'
import type { BoardStore, StoreMove, StoreOptions } from './board-store.ts'
import { decodeDeviceFile, DEFAULT_PREFS, encodeDeviceFile, newDeviceFile, rootKey, withSlot, type DeviceFile, type DevicePrefs } from './device-file.ts'
import { exclusive } from './exclusive.ts'
import { calibratedScrypt } from './kdf-cost.ts'
import { hasOpfs, idbKeyFile, opfsKeyFile, type KeyFile } from './key-file.ts'
import { decodeSealed, encodeSealed, openContents, sealContents, type DuressVerifier, type KeyringMode, type SealedKeyring } from './keyring-blob.ts'
import { deleteMovedDatabases, hasMovedDatabases, moveBoards } from './keyring-migrate.ts'
import { DEFAULT_LOCK_SETTINGS } from './keyring-settings.ts'
import { KeyringDamagedError, LockedError, type BoardRecord, type KeyringContents, type KeyringSettings } from './keyring-types.ts'
import { LEGACY_KEYRING_DB, openLegacyKeyring, openLegacyDb, readLegacyKeyring, type LegacyKeyring } from './legacy-keyring.ts'
import { clearLegacySettings, readLegacySettings } from './legacy-settings.ts'
import { duressTag, hkdfKey, passphraseKek, deviceKek, sameBytes } from './root-key.ts'
import { DEFAULT_NETWORK } from './settings.ts'
import { databaseExists, DEVICE_STORE, openVault, readBlob, VAULT_DB, writeBlob, type WriteOutcome } from './vault-db.ts'
import { retriable } from '../chunks/retriable.ts'

export interface KeyringDeps {
  /** Default: the page's `indexedDB`. Tests pass a fresh fake-indexeddb factory. */
  readonly indexedDB?: IDBFactory
  /** The one database's name. Default `hearth-store`. */
  readonly name?: string
  /** Where the device file lives. Default: the origin-private file system where the browser has it, else the database. */
  readonly keyFile?: KeyFile
  /** Creates the device identity on first run. Default: WebCrypto Ed25519 + X25519. */
  readonly generateDevice?: () => Promise<DeviceKeyMaterial>
  /** log2 of scrypt's N for new passphrases, instead of calibrating on the device. Tests only: it may go below the floor. */
  readonly kdfLogN?: number
  /** Where versions before the one database kept settings. Default: the page's localStorage. */
  readonly localStorage?: Storage | null
}

export type UnlockResult = { readonly ok: true } | { readonly ok: false; readonly error: 'wrong_passphrase' | 'duress' }
export type SetPassphraseResult = { readonly ok: true } | { readonly ok: false; readonly error: PassphraseError }
export type SetDuressResult = { readonly ok: true } | { readonly ok: false; readonly error: PassphraseError | 'same_as_passphrase' | 'no_passphrase' }

export const DEFAULT_KEYRING_SETTINGS: KeyringSettings = { network: DEFAULT_NETWORK, lock: DEFAULT_LOCK_SETTINGS, operatorSignaling: [] }

/**
 * The live store (board-store.ts, with Yjs) is a chunk of its own: the
 * keyring opens at start, a board's store only with a board. The app loads
 * it alongside the board engine, so that a failure to fetch it is named;
 * tried again after a failure under a URL of its own (chunks/retriable.ts).
 */
export const loadBoardStore: () => Promise<typeof import('./board-store.ts')> = retriable(() => import('./board-store.ts'))

/** The secrets in memory while unlocked. `pkey` (passphrase mode): the scrypt output as a non-extractable HKDF key. */
interface Open {
  readonly contents: KeyringContents
  readonly pkey: CryptoKey | null
}

/** A change of how the blob is keyed. */
interface Rekey {
  readonly mode: KeyringMode
  readonly pkey: CryptoKey | null
  readonly kdf: ScryptParams | null
  readonly duress: DuressVerifier | null
}

interface Mutation<T> {
  /** The new contents, or null when nothing changes. */
  readonly contents: KeyringContents | null
  readonly result: T
  readonly rekey?: Rekey
  /** A new root key, so that no copy of an older blob opens any more (after removing something). */
  readonly rotate?: boolean
  /** Board records written in the transaction that writes the blob (writeBlob). */
  readonly alongside?: (records: IDBObjectStore) => void
}

const DEVICE_LOCK = 'hearth-device-file'

const sortRecords = (records: readonly BoardRecord[]) => [...records].sort((a, b) => b.openedAt - a.openedAt || a.id.localeCompare(b.id))

/**
 * Everything secret on this device — its identity keys, every board record
 * (secrets, content keys, store secrets, board names, display names) and the
 * person's settings — sealed as one AES-256-GCM blob in the device's one
 * database, under a key-encryption key (KEK) that always comes from the root
 * key in the device file (device-file.ts, key-file.ts): destroy that file and
 * no copy of any blob opens, with the passphrase or without.
 *
 * Device mode: the KEK comes from the root key alone, so the keyring opens
 * without the person. Passphrase mode: from the root key and scrypt of the
 * passphrase; the keyring starts locked, and `lock()` forgets every secret.
 * Removing a board or changing how the keyring is keyed moves it to a new
 * root key and zeroes the old one in place, so older copies of the blob that
 * the database may still hold stop opening too.
 *
 * Every method that changes records resolves once the new blob is committed.
 * Reads and writes run one at a time, in call order. Methods that need secrets
 * throw `LockedError` while locked.
 */
export class Keyring {
  readonly #factory: IDBFactory
  readonly #name: string
  readonly #keyFile: KeyFile
  readonly #generateDevice: () => Promise<DeviceKeyMaterial>
  readonly #kdfLogN: number | undefined
  readonly #localStorage: Storage | null | undefined
  #db: Promise<IDBDatabase> | null = null
  #loading: Promise<void> | null = null
  /** The blob on disk as last read or written. */
  #sealed: SealedKeyring | null = null
  #open: Open | null = null
  /** An older version's keyring, still to be moved (it is in passphrase mode: that needs the passphrase). */
  #legacy: LegacyKeyring | null = null
  #prefs: DevicePrefs = DEFAULT_PREFS
  /** Bumped by lock() and close(), so a write finishing afterwards does not bring secrets back. */
  #epoch = 0
  #queue: Promise<unknown> = Promise.resolve()

  constructor(deps: KeyringDeps = {}) {
    this.#factory = deps.indexedDB ?? indexedDB
    this.#name = deps.name ?? VAULT_DB
    this.#keyFile = deps.keyFile ?? (hasOpfs() ? opfsKeyFile() : idbKeyFile(() => this.#database(), DEVICE_STORE))
    this.#generateDevice = deps.generateDevice ?? generateDeviceKeys
    this.#kdfLogN = deps.kdfLogN
    this.#localStorage = deps.localStorage
  }

  /** Opens the keyring: unlocked in device mode, locked in passphrase mode. */
  static async open(deps: KeyringDeps = {}): Promise<Keyring> {
    const keyring = new Keyring(deps)
    await keyring.ready()
    return keyring
  }

  get state(): 'locked' | 'unlocked' {
    return this.#open ? 'unlocked' : 'locked'
  }

  get hasPassphrase(): boolean {
    return (this.#sealed?.mode ?? this.#legacy?.blob?.mode) === 'passphrase'
  }

  /** Nothing has been kept yet: no keyring on disk (a fresh or wiped device). */
  get firstRun(): boolean {
    return !this.#sealed && !this.#legacy
  }

  /** Whether destroying the device file overwrites it where it lies (see key-file.ts). */
  get erasable(): boolean {
    return this.#keyFile.erasable
  }

  /** What is readable before unlocking: the language and the app's look. */
  get prefs(): DevicePrefs {
    return this.#prefs
  }

  /** Resolves once the keyring has been read from disk (locked or not). */
  ready(): Promise<void> {
    this.#loading ??= this.#load().catch((err: unknown) => {
      this.#loading = null
      throw err
    })
    return this.#loading
  }

  /**
   * Makes the device file and the empty database exist, as every start of a
   * fresh install does — so that a device wiped by the duress passphrase,
   * which then starts like a fresh install, holds the same kinds of files.
   */
  materialize(): Promise<void> {
    return this.#enqueue(async () => {
      await this.ready()
      await this.#deviceFile()
      await this.#database()
    })
  }

  /** This device's identity keys (records from before per-board identities). Throws LockedError while locked. */
  device(): DeviceKeyMaterial {
    return this.#contents().device
  }

  /** The person's settings. Throws LockedError while locked. */
  settings(): KeyringSettings {
    return this.#contents().settings ?? DEFAULT_KEYRING_SETTINGS
  }

  /** Whether a duress passphrase is set (known only while unlocked). */
  hasDuress(): boolean {
    return this.#contents().duress === true
  }

  list(): Promise<BoardRecord[]> {
    return this.#read((c) => sortRecords(c.boards))
  }

  get(id: BoardId): Promise<BoardRecord | null> {
    return this.#read((c) => c.boards.find((r) => r.id === id) ?? null)
  }

  /** Adds or replaces the record; resolves once committed. */
  put(record: BoardRecord): Promise<void> {
    return this.#write((c) => ({ contents: withRecord(c, record), result: undefined }))
  }

  update(id: BoardId, patch: Partial<Omit<BoardRecord, 'id' | 'secret'>>): Promise<BoardRecord | null> {
    return this.#write((c) => {
      const existing = c.boards.find((r) => r.id === id)
      if (!existing) return { contents: null, result: null }
      const next: BoardRecord = { ...existing, ...patch }
      return { contents: withRecord(c, next), result: next }
    })
  }

  /** Forgets a board; the keyring moves to a new root key, so no older copy of it still names the board. */
  remove(id: BoardId): Promise<void> {
    return this.#write((c) =>
      c.boards.some((r) => r.id === id) ? { contents: { ...c, boards: c.boards.filter((r) => r.id !== id) }, result: undefined, rotate: true } : { contents: null, result: undefined },
    )
  }

  updateSettings(patch: Partial<KeyringSettings>): Promise<void> {
    return this.#write((c) => ({ contents: { ...c, settings: { ...(c.settings ?? DEFAULT_KEYRING_SETTINGS), ...patch } }, result: undefined }))
  }

  /** Changes what is readable before unlocking (language, look). Works while locked. */
  setPrefs(patch: Partial<DevicePrefs>): Promise<void> {
    return this.#enqueue(async () => {
      await this.ready()
      await exclusive(DEVICE_LOCK, async () => {
        const file = await this.#ensureDeviceFile()
        const prefs = { ...file.prefs, ...patch }
        await this.#keyFile.write(encodeDeviceFile({ ...file, prefs }))
        this.#prefs = prefs
      })
    })
  }

  /**
   * Opens the records of one board's store (BoardRecord.store). The store
   * may move them to a new secret (`moveStore`), once they hold something
   * deleted.
   */
  async openStore(secret: Uint8Array, doc: Y.Doc, opts?: StoreOptions): Promise<BoardStore> {
    const [{ openBoardStore }, keys] = await Promise.all([loadBoardStore(), storeKeys(secret)])
    let current = secret
    const move: StoreMove = async (next, writes) => {
      const moved = await this.moveStore(current, next, writes)
      if (moved) current = next
      return moved
    }
    return openBoardStore(() => this.#database(), keys, doc, { move, ...opts })
  }

  /**
   * Moves a board's records from store secret `from` to `to`: `writes` (the
   * records written again under `to`, the old ones deleted) commits in the
   * one transaction that writes the keyring naming `to`, under a new root
   * key. Either both happen or neither; and no copy of the keyring left on
   * the disk opens any more, so whatever bytes of the old records the disk
   * keeps have no key. False, with nothing written, when no board here has
   * the store secret `from` (the board was left meanwhile). Throws
   * LockedError while locked.
   */
  moveStore(from: Uint8Array, to: Uint8Array, writes: (records: IDBObjectStore) => void): Promise<boolean> {
    return this.#write((c) => {
      const record = c.boards.find((r) => r.store !== undefined && sameBytes(r.store, from))
      if (!record) return { contents: null, result: false }
      return { contents: withRecord(c, { ...record, store: to }), result: true, rotate: true, alongside: writes }
    })
  }

  /** Deletes every record of one board's store. */
  async deleteStore(secret: Uint8Array): Promise<void> {
    await deleteBoardRecords(() => this.#database(), await storeKeys(secret))
  }

  /**
   * Unlocks with the passphrase. A wrong passphrase is an error value and
   * changes nothing; the duress passphrase is the error 'duress' (the caller
   * wipes). An older version's keyring is moved into the new layout here.
   */
  unlock(passphrase: string): Promise<UnlockResult> {
    // A lock() made after this call wins over it, also while it still waits its turn behind other work
    // (the app locking as it is hidden, right after the person pressed Unlock).
    const epoch = this.#epoch
    return this.#enqueue(async () => {
      await this.ready()
      if (epoch !== this.#epoch) return { ok: false, error: 'wrong_passphrase' }
      if (this.#open) return { ok: true }
      if (!this.#sealed && this.#legacy) {
        const old = await openLegacyKeyring(this.#legacy, passphrase)
        if (!old) return { ok: false, error: 'wrong_passphrase' }
        if (epoch !== this.#epoch) return { ok: false, error: 'wrong_passphrase' }
        await this.#moveLegacy(old, passphrase)
        return { ok: true }
      }
      const bytes = await readBlob(await this.#database())
      const sealed = bytes ? decodeSealed(bytes) : null
      if (!sealed?.kdf || !sealed.duress) return { ok: false, error: 'wrong_passphrase' }
      const file = await this.#readDeviceFile()
      const root = file && rootKey(file, sealed.slot)
      if (!file || !root) return { ok: false, error: 'wrong_passphrase' }
      const pkey = await passphraseKey(passphrase, sealed.kdf)
      const contents = await openContents(sealed, await passphraseKek(pkey, root))
      if (!contents) {
        const tag = await duressTag(await passphraseKey(passphrase, sealed.duress.kdf), file.duressSalt)
        return { ok: false, error: sameBytes(tag, sealed.duress.tag) ? 'duress' : 'wrong_passphrase' }
      }
      if (epoch !== this.#epoch) return { ok: false, error: 'wrong_passphrase' }
      this.#sealed = sealed
      this.#open = { contents, pkey }
      await this.#afterOpen()
      return { ok: true }
    })
  }

  /** Forgets every secret held in memory (board records, device keys, the passphrase key). */
  lock(): void {
    this.#open = null
    this.#epoch++
  }

  /**
   * Sets or changes the passphrase (scrypt's cost calibrated on this device
   * to about a second, never below N = 2^16), or with null goes back to
   * device mode. Must be unlocked. At least 8 characters. Either way the
   * keyring moves to a new root key, so a copy of the blob under the old
   * passphrase (or none) stops opening.
   */
  setPassphrase(passphrase: string | null): Promise<SetPassphraseResult> {
    if (passphrase !== null) {
      const error = checkPassphrase(passphrase)
      if (error) return Promise.resolve({ ok: false, error })
    }
    return this.#write<SetPassphraseResult>(async (c) => {
      if (passphrase === null) return { contents: { ...c, duress: false }, result: { ok: true } as const, rekey: { mode: 'device', pkey: null, kdf: null, duress: null }, rotate: true }
      const kdf = await this.#newKdf()
      const duress = this.#sealed?.duress ?? (await randomVerifier(kdf.logN))
      return { contents: c, result: { ok: true } as const, rekey: { mode: 'passphrase', pkey: await passphraseKey(passphrase, kdf), kdf, duress }, rotate: true }
    })
  }

  /**
   * Sets (or with null clears) the duress passphrase: typed on the lock
   * screen, it makes `unlock` answer 'duress'. Needs a passphrase, and must
   * differ from it. Whether one is set shows only inside the keyring: the
   * verifier on disk is random when none is set.
   */
  setDuress(duress: string | null): Promise<SetDuressResult> {
    if (duress !== null) {
      const error = checkPassphrase(duress)
      if (error) return Promise.resolve({ ok: false, error })
    }
    return this.#write<SetDuressResult>(async (c) => {
      const sealed = this.#sealed
      const open = this.#open
      if (sealed?.mode !== 'passphrase' || !sealed.kdf || !open?.pkey) return { contents: null, result: { ok: false, error: 'no_passphrase' } as const }
      const rekey = (verifier: DuressVerifier): Rekey => ({ mode: 'passphrase', pkey: open.pkey, kdf: sealed.kdf, duress: verifier })
      if (duress === null) return { contents: { ...c, duress: false }, result: { ok: true } as const, rekey: rekey(await randomVerifier(sealed.kdf.logN)) }
      const file = await this.#deviceFile()
      const root = rootKey(file, sealed.slot)!
      if (await openContents(sealed, await passphraseKek(await passphraseKey(duress, sealed.kdf), root))) return { contents: null, result: { ok: false, error: 'same_as_passphrase' } as const }
      const kdf = newScryptParams(sealed.kdf.logN)
      const tag = await duressTag(await passphraseKey(duress, kdf), file.duressSalt)
      return { contents: { ...c, duress: true }, result: { ok: true } as const, rekey: rekey({ kdf, tag }) }
    })
  }

  /**
   * The erasure: forgets every secret and destroys the device file
   * (overwritten in place, then deleted). From then on no copy of anything
   * this keyring sealed opens. Not queued: a panic does not wait its turn.
   */
  async destroyKey(): Promise<void> {
    this.lock()
    await this.#keyFile.destroy()
  }

  /** Waits for pending writes, forgets secrets and closes the database. The next call reads it again. */
  async close(): Promise<void> {
    await this.#queue.catch(() => undefined)
    this.lock()
    this.#sealed = null
    this.#legacy = null
    this.#loading = null
    const db = this.#db
    this.#db = null
    if (db) (await db.catch(() => null))?.close()
  }

  async #load(): Promise<void> {
    this.#open = null
    this.#sealed = null
    this.#legacy = null
    const vault = await databaseExists(this.#factory, this.#name)
    const bytes = vault === false ? null : await readBlob(await this.#database())
    const file = await this.#readDeviceFile()
    this.#prefs = file?.prefs ?? DEFAULT_PREFS
    if (bytes) {
      const sealed = decodeSealed(bytes)
      const root = sealed && file && rootKey(file, sealed.slot)
      if (!sealed || !root) throw new KeyringDamagedError('The keyring on this device is damaged: its key is missing or does not open it')
      this.#sealed = sealed
      if (sealed.mode === 'passphrase') {
        // A rotation cut short leaves the old root beside the new: whatever copy of the old blob the disk keeps would open with it.
        await this.#zeroStaleSlot().catch(() => undefined)
        return
      }
      const contents = await openContents(sealed, await deviceKek(root))
      if (!contents) throw new KeyringDamagedError('The keyring on this device is damaged: its key is missing or does not open it')
      this.#open = { contents, pkey: null }
      await this.#afterOpen()
      return
    }
    if ((await databaseExists(this.#factory, LEGACY_KEYRING_DB)) !== false) {
      const db = await openLegacyDb(this.#factory)
      const legacy = await readLegacyKeyring(db).finally(() => db.close())
      if (legacy.blob || legacy.records.length > 0) {
        this.#legacy = legacy
        if (legacy.blob?.mode === 'passphrase') return
        const old = await openLegacyKeyring(legacy, '')
        if (!old) throw new KeyringDamagedError('The keyring on this device is damaged: its key is missing or does not open it')
        await this.#moveLegacy(old, null)
        return
      }
    }
    this.#open = { contents: { device: await this.#generateDevice(), boards: [] }, pkey: null }
    await this.#absorbLegacySettings()
  }

  /** Once unlocked: settings an older version left in plain text move in, leftovers of the move are deleted, a half-done rotation is finished. */
  async #afterOpen(): Promise<void> {
    await this.#absorbLegacySettings()
    if (await hasMovedDatabases(this.#factory)) await deleteMovedDatabases(this.#factory)
    await this.#zeroStaleSlot()
  }

  /**
   * Zeroes the root key the blob on disk does not use (a rotation cut short
   * before its last step), reading both under the device file's lock: a
   * stale view of which slot is live would zero another tab's new root.
   * Needs no passphrase, so a locked device finishes it as it starts.
   */
  async #zeroStaleSlot(): Promise<void> {
    await exclusive(DEVICE_LOCK, async () => {
      const onDisk = await this.#blobOnDisk()
      const file = await this.#readDeviceFile()
      if (!onDisk || !file) return
      const other = onDisk.slot === 0 ? 1 : 0
      if (rootKey(file, other)) await this.#keyFile.write(encodeDeviceFile(withSlot(file, other, new Uint8Array(32))))
    })
  }

  async #blobOnDisk(): Promise<SealedKeyring | null> {
    const bytes = await readBlob(await this.#database())
    return bytes ? decodeSealed(bytes) : null
  }

  /** The older version's keyring, opened: into the new layout (device file, one database), then the old databases go. */
  async #moveLegacy(old: { device: DeviceKeyMaterial | null; boards: BoardRecord[] }, passphrase: string | null): Promise<void> {
    const boards = await moveBoards(old.boards, () => this.#database(), this.#factory)
    const contents: KeyringContents = { device: old.device ?? (await this.#generateDevice()), boards }
    this.#open = { contents, pkey: null }
    let rekey: Rekey | undefined
    if (passphrase !== null) {
      const kdf = await this.#newKdf()
      rekey = { mode: 'passphrase', pkey: await passphraseKey(passphrase, kdf), kdf, duress: await randomVerifier(kdf.logN) }
    }
    if ((await this.#commit(contents, rekey ?? null, false)) !== 'ok') throw new Error('The keyring changed in another tab while moving it')
    this.#legacy = null
    await deleteMovedDatabases(this.#factory)
    await this.#absorbLegacySettings()
  }

  /** Settings an older version kept in localStorage: into the keyring (and the language into the device file), then out of localStorage. */
  async #absorbLegacySettings(): Promise<void> {
    const legacy = readLegacySettings(this.#localStorage === null ? undefined : (this.#localStorage ?? globalThis.localStorage))
    const open = this.#open
    if (!legacy || !open) return
    const c = open.contents
    const settings = { network: legacy.network, lock: legacy.lock, operatorSignaling: legacy.operatorSignaling }
    if ((await this.#commit({ ...c, settings }, null, false)) !== 'ok') return
    if (legacy.language && !this.#prefs.language) {
      const file = await this.#deviceFile()
      this.#prefs = { ...file.prefs, language: legacy.language }
      await this.#keyFile.write(encodeDeviceFile({ ...file, prefs: this.#prefs }))
    }
    clearLegacySettings(this.#localStorage === null ? undefined : (this.#localStorage ?? globalThis.localStorage))
  }

  #newKdf(): Promise<ScryptParams> {
    return this.#kdfLogN === undefined ? calibratedScrypt() : Promise.resolve(newScryptParams(this.#kdfLogN))
  }

  #contents(): KeyringContents {
    if (!this.#open) throw new LockedError()
    return this.#open.contents
  }

  /** The device file as stored, or null (none: a fresh or wiped device). */
  async #readDeviceFile(): Promise<DeviceFile | null> {
    // The fallback lives in the database: do not create it just to look.
    if (!this.#keyFile.erasable && (await databaseExists(this.#factory, this.#name)) === false) return null
    const bytes = await this.#keyFile.read()
    if (!bytes) return null
    const file = decodeDeviceFile(bytes)
    if (!file) throw new KeyringDamagedError('The key file on this device is damaged')
    return file
  }

  /** The device file, created on first need (never over a keyring that needs the old one). */
  #deviceFile(): Promise<DeviceFile> {
    return exclusive(DEVICE_LOCK, () => this.#ensureDeviceFile())
  }

  /** #deviceFile, for code that already holds the device-file lock (Web Locks do not nest). */
  async #ensureDeviceFile(): Promise<DeviceFile> {
    const existing = await this.#readDeviceFile()
    if (existing) return existing
    if (this.#sealed) throw new KeyringDamagedError('The key file on this device is gone: the keyring cannot be opened')
    const file = newDeviceFile(this.#prefs)
    await this.#keyFile.write(encodeDeviceFile(file))
    return file
  }

  #read<T>(fn: (c: KeyringContents) => T): Promise<T> {
    return this.#enqueue(async () => {
      await this.ready()
      return fn(this.#contents())
    })
  }

  /**
   * Applies `fn` to the records and commits the result. If another tab wrote
   * in between, re-reads the keyring and applies `fn` again.
   */
  #write<T>(fn: (c: KeyringContents) => Mutation<T> | Promise<Mutation<T>>): Promise<T> {
    return this.#enqueue(async () => {
      await this.ready()
      for (let attempt = 0; ; attempt++) {
        const { contents, result, rekey, rotate, alongside } = await fn(this.#contents())
        if (!contents) return result
        if ((await this.#commit(contents, rekey ?? null, rotate === true, alongside)) === 'ok') return result
        if (attempt === 3) throw new Error('The keyring keeps changing in another tab')
        await this.#reload()
      }
    })
  }

  /**
   * Seals and writes the contents, re-keyed if `rekey` is given. With
   * `rotate`, under a new root key: written into the device file's other slot
   * first, the blob next, and the old slot zeroed in place last — a crash at
   * any point leaves a key that opens the blob on disk. Which slot is live is
   * read from the blob on disk, under the device file's lock: another tab
   * may have rotated since this one last read it (its new root must never
   * be overwritten), and then this write is a conflict, with nothing
   * touched. Once the blob is written the commit stands: zeroing the old
   * slot is finished later (`#zeroStaleSlot`) if it fails now.
   */
  async #commit(contents: KeyringContents, rekey: Rekey | null, rotate: boolean, alongside?: (records: IDBObjectStore) => void): Promise<WriteOutcome> {
    const open = this.#open
    if (!open) throw new LockedError()
    const epoch = this.#epoch
    const sealed = this.#sealed
    const mode: KeyringMode = rekey?.mode ?? sealed?.mode ?? 'device'
    const pkey = rekey ? rekey.pkey : open.pkey
    const gen = sealed?.gen ?? 0
    const outcome = await exclusive(DEVICE_LOCK, async () => {
      const onDisk = await this.#blobOnDisk()
      if ((onDisk?.gen ?? 0) !== gen) return 'conflict' as const
      let file = await this.#ensureDeviceFile()
      const oldSlot: 0 | 1 = onDisk?.slot ?? (rootKey(file, 0) ? 0 : 1)
      let slot = oldSlot
      if (rotate || !rootKey(file, slot)) {
        slot = rotate ? (oldSlot === 0 ? 1 : 0) : slot
        file = withSlot(file, slot, crypto.getRandomValues(new Uint8Array(32)))
        await this.#keyFile.write(encodeDeviceFile(file))
      }
      const root = rootKey(file, slot)!
      const kek = mode === 'device' ? await deviceKek(root) : await passphraseKek(pkey!, root)
      const next = await sealContents(contents, kek, { mode, slot, gen: gen + 1, kdf: rekey ? rekey.kdf : (sealed?.kdf ?? null), duress: rekey ? rekey.duress : (sealed?.duress ?? null) })
      const written = await writeBlob(await this.#database(), encodeSealed(next), gen, alongside)
      if (written !== 'ok') return written
      this.#sealed = next
      // The old root (after a rotation), or one a rotation interrupted earlier left: best effort, finished at the next open or commit.
      const stale = slot === 0 ? 1 : 0
      if (rootKey(file, stale)) await this.#keyFile.write(encodeDeviceFile(withSlot(file, stale, new Uint8Array(32)))).catch(() => undefined)
      return written
    })
    if (outcome === 'ok' && epoch === this.#epoch) this.#open = { contents, pkey }
    return outcome
  }

  /** Another tab wrote: read its blob with the key in memory, or lock if that key no longer opens it. */
  async #reload(): Promise<void> {
    const bytes = await readBlob(await this.#database())
    const sealed = bytes ? decodeSealed(bytes) : null
    const file = await this.#readDeviceFile()
    const root = sealed && file && rootKey(file, sealed.slot)
    const pkey = this.#open?.pkey ?? null
    const kek = root && sealed ? (sealed.mode === 'device' ? await deviceKek(root) : pkey ? await passphraseKek(pkey, root) : null) : null
    const contents = sealed && kek ? await openContents(sealed, kek) : null
    this.#sealed = sealed
    if (!contents) {
      this.lock()
      throw new LockedError()
    }
    this.#open = { contents, pkey }
  }

  #enqueue<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run, run)
    this.#queue = next.catch(() => undefined)
    return next
  }

  #database(): Promise<IDBDatabase> {
    if (!this.#db) {
      const db = openVault(this.#factory, this.#name)
      this.#db = db
      db.then(
        (opened) => {
          // A panic wipe (or upgrade) in another tab: close, and open again if still needed.
          opened.onversionchange = () => {
            opened.close()
            if (this.#db === db) this.#db = null
          }
        },
        () => {
          if (this.#db === db) this.#db = null
        },
      )
    }
    return this.#db
  }
}

/** scrypt of the passphrase as a non-extractable HKDF key; the bytes are zeroed once imported. */
async function passphraseKey(passphrase: string, kdf: ScryptParams): Promise<CryptoKey> {
  const bytes = await derivePassphraseBytes(passphrase, kdf)
  try {
    return await hkdfKey(bytes)
  } finally {
    bytes.fill(0)
  }
}

/** A verifier no passphrase matches, indistinguishable from a real one. */
async function randomVerifier(logN: number): Promise<DuressVerifier> {
  return { kdf: newScryptParams(logN), tag: crypto.getRandomValues(new Uint8Array(32)) }
}

function withRecord(c: KeyringContents, record: BoardRecord): KeyringContents {
  return { ...c, boards: [...c.boards.filter((r) => r.id !== record.id), record] }
}
