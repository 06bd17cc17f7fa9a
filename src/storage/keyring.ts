import { checkPassphrase, derivePassphraseKey, generateDeviceKeys, newScryptParams, type BoardId, type DeviceKeyMaterial, type PassphraseError } from '../crypto/index.ts'
import { newDeviceKek, openContents, sealContents, type KeyringMode, type SealedKeyring } from './keyring-blob.ts'
import { KEYRING_DB, keyringExists, openKeyringDb, readKeyring, writeKeyring, type KeyringSnapshot, type WriteOutcome } from './keyring-db.ts'
import { LockedError, type BoardRecord, type KeyringContents } from './keyring-types.ts'

export interface KeyringDeps {
  /** Default: the page's `indexedDB`. Tests pass a fresh fake-indexeddb factory. */
  readonly indexedDB?: IDBFactory
  /** Database name. Default `hearth`. */
  readonly name?: string
  /** Creates the device identity on first run. Default: WebCrypto Ed25519 + X25519. */
  readonly generateDevice?: () => Promise<DeviceKeyMaterial>
  /** log2 of scrypt's N for new passphrases. Default 15; tests use less. */
  readonly kdfLogN?: number
}

export type UnlockResult = { readonly ok: true } | { readonly ok: false; readonly error: 'wrong_passphrase' }
export type SetPassphraseResult = { readonly ok: true } | { readonly ok: false; readonly error: PassphraseError }

/** The secrets in memory while unlocked. `kek` is null until a fresh device's first write creates it. */
interface Open {
  readonly contents: KeyringContents
  readonly kek: CryptoKey | null
}

const sortRecords = (records: readonly BoardRecord[]) =>
  [...records].sort((a, b) => b.openedAt - a.openedAt || a.id.localeCompare(b.id))

/**
 * Everything secret on this device — its identity keys and every board record
 * (secrets, content keys, board names, display names) — sealed as one
 * AES-256-GCM blob in IndexedDB.
 *
 * Device mode (default): the key-encryption key is a random non-extractable
 * CryptoKey stored beside the blob, so the keyring opens without the person.
 * Passphrase mode: the key comes from the passphrase through scrypt and is
 * never stored; the keyring starts locked, and `lock()` forgets every secret.
 *
 * Every method that changes records resolves once the new blob is committed.
 * Reads and writes run one at a time, in call order. Methods that need secrets
 * throw `LockedError` while locked.
 */
export class Keyring {
  readonly #factory: IDBFactory
  readonly #name: string
  readonly #generateDevice: () => Promise<DeviceKeyMaterial>
  readonly #kdfLogN: number | undefined
  #db: Promise<IDBDatabase> | null = null
  #loading: Promise<void> | null = null
  /** The blob on disk as last read or written (its mode, generation and KDF parameters). */
  #sealed: SealedKeyring | null = null
  #open: Open | null = null
  /** Plaintext records from the version 1 store still to be sealed and deleted. */
  #legacy: readonly BoardRecord[] = []
  /** Bumped by lock() and close(), so a write finishing afterwards does not bring secrets back. */
  #epoch = 0
  #queue: Promise<unknown> = Promise.resolve()

  constructor(deps: KeyringDeps = {}) {
    this.#factory = deps.indexedDB ?? indexedDB
    this.#name = deps.name ?? KEYRING_DB
    this.#generateDevice = deps.generateDevice ?? generateDeviceKeys
    this.#kdfLogN = deps.kdfLogN
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
    return this.#sealed?.mode === 'passphrase'
  }

  /** Resolves once the keyring has been read from disk (locked or not). */
  ready(): Promise<void> {
    this.#loading ??= this.#load().catch((err: unknown) => {
      this.#loading = null
      throw err
    })
    return this.#loading
  }

  /** This device's identity keys. Throws LockedError while locked. */
  device(): DeviceKeyMaterial {
    if (!this.#open) throw new LockedError()
    return this.#open.contents.device
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

  async update(id: BoardId, patch: Partial<Omit<BoardRecord, 'id' | 'secret'>>): Promise<BoardRecord | null> {
    return this.#write((c) => {
      const existing = c.boards.find((r) => r.id === id)
      if (!existing) return { contents: null, result: null }
      const next: BoardRecord = { ...existing, ...patch }
      return { contents: withRecord(c, next), result: next }
    })
  }

  remove(id: BoardId): Promise<void> {
    return this.#write((c) =>
      c.boards.some((r) => r.id === id) ? { contents: { ...c, boards: c.boards.filter((r) => r.id !== id) }, result: undefined } : { contents: null, result: undefined },
    )
  }

  /** Unlocks with the passphrase (ignored in device mode). A wrong passphrase is an error value; nothing changes. */
  unlock(passphrase: string): Promise<UnlockResult> {
    return this.#enqueue(async () => {
      await this.ready()
      if (this.#open) return { ok: true }
      const epoch = this.#epoch
      const snapshot = await readKeyring(await this.#database())
      const opened = await this.#decrypt(snapshot, passphrase)
      if (!opened) return { ok: false, error: 'wrong_passphrase' }
      if (epoch !== this.#epoch) return { ok: false, error: 'wrong_passphrase' }
      this.#sealed = snapshot.sealed
      this.#open = opened
      this.#legacy = snapshot.legacy
      await this.#absorbLegacy()
      return { ok: true }
    })
  }

  /** Forgets every secret held in memory (board records, device keys, the passphrase key). */
  lock(): void {
    this.#open = null
    this.#epoch++
  }

  /**
   * Sets or changes the passphrase (a new random salt each time), or with
   * null goes back to device mode. Must be unlocked. At least 8 characters.
   */
  setPassphrase(passphrase: string | null): Promise<SetPassphraseResult> {
    if (passphrase !== null) {
      const error = checkPassphrase(passphrase)
      if (error) return Promise.resolve({ ok: false, error })
    }
    return this.#write(async (c) => {
      if (passphrase === null) return { contents: c, result: { ok: true } as const, as: { mode: 'device', kek: await newDeviceKek() } }
      const kdf = newScryptParams(this.#kdfLogN)
      return { contents: c, result: { ok: true } as const, as: { mode: 'passphrase', kek: await derivePassphraseKey(passphrase, kdf), kdf } }
    })
  }

  /** Waits for pending writes, forgets secrets and closes the database. The next call reads it again. */
  async close(): Promise<void> {
    await this.#queue
    this.lock()
    this.#sealed = null
    this.#loading = null
    const db = this.#db
    this.#db = null
    if (db) (await db.catch(() => null))?.close()
  }

  async #load(): Promise<void> {
    this.#open = null
    this.#sealed = null
    this.#legacy = []
    // A fresh (or wiped) device keeps nothing on disk until there is something to keep.
    if (!(await keyringExists(this.#factory, this.#name))) {
      this.#open = { contents: { device: await this.#generateDevice(), boards: [] }, kek: null }
      return
    }
    const snapshot = await readKeyring(await this.#database())
    this.#sealed = snapshot.sealed
    this.#legacy = snapshot.legacy
    if (snapshot.sealed?.mode === 'passphrase') return
    const opened = await this.#decrypt(snapshot, '')
    if (!opened) throw new Error('The keyring on this device is damaged: its key is missing or does not open it')
    this.#open = opened
    // Not queued: load runs at the start of a queued call, before anything else touches the blob.
    await this.#absorbLegacy()
  }

  /** Opens what is on disk, or null if the passphrase is wrong. A fresh database opens to a new identity. */
  async #decrypt(snapshot: KeyringSnapshot, passphrase: string): Promise<Open | null> {
    const { sealed } = snapshot
    if (snapshot.damaged) return null
    if (!sealed) return { contents: { device: await this.#generateDevice(), boards: [] }, kek: null }
    const kek = sealed.mode === 'device' ? snapshot.kek : await derivePassphraseKey(passphrase, sealed.kdf!)
    if (!kek) return null
    const contents = await openContents(sealed, kek)
    return contents ? { contents, kek } : null
  }

  /** Seals records left by the version 1 store into the blob (and deletes them) — the migration's second step. */
  async #absorbLegacy(): Promise<void> {
    if (this.#legacy.length === 0 || !this.#open) return
    const c = this.#open.contents
    const known = new Set(c.boards.map((r) => r.id))
    const boards = [...c.boards, ...this.#legacy.filter((r) => !known.has(r.id))]
    await this.#commit({ ...c, boards }, null)
  }

  #read<T>(fn: (c: KeyringContents) => T): Promise<T> {
    return this.#enqueue(async () => {
      await this.ready()
      if (!this.#open) throw new LockedError()
      return fn(this.#open.contents)
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
        if (!this.#open) throw new LockedError()
        const { contents, result, as } = await fn(this.#open.contents)
        if (!contents) return result
        if ((await this.#commit(contents, as ?? null)) === 'ok') return result
        if (attempt === 3) throw new Error('The keyring keeps changing in another tab')
        await this.#reload()
      }
    })
  }

  /** Seals and writes the contents (under a new key and mode if `as` is given). */
  async #commit(contents: KeyringContents, as: Rekey | null): Promise<WriteOutcome> {
    const open = this.#open
    if (!open) throw new LockedError()
    const epoch = this.#epoch
    const mode: KeyringMode = as?.mode ?? this.#sealed?.mode ?? 'device'
    const kek = as?.kek ?? open.kek ?? (await newDeviceKek())
    const kdf = as ? as.kdf : this.#sealed?.kdf
    const gen = this.#sealed?.gen ?? 0
    const sealed = await sealContents(contents, kek, { mode, gen: gen + 1, ...(kdf ? { kdf } : {}) })
    const legacy = this.#legacy.map((r) => r.id)
    const outcome = await writeKeyring(await this.#database(), sealed, gen, { kek: mode === 'device' ? kek : null, dropLegacy: legacy })
    if (outcome !== 'ok') return outcome
    this.#sealed = sealed
    this.#legacy = []
    if (epoch === this.#epoch) this.#open = { contents, kek }
    return outcome
  }

  /** Another tab wrote: read its blob with the key in memory, or lock if that key no longer opens it. */
  async #reload(): Promise<void> {
    const snapshot = await readKeyring(await this.#database())
    const kek = this.#open?.kek
    const contents = snapshot.sealed && kek ? await openContents(snapshot.sealed, kek) : null
    if (!contents || !kek) {
      this.lock()
      this.#sealed = snapshot.sealed
      throw new LockedError()
    }
    this.#sealed = snapshot.sealed
    this.#legacy = snapshot.legacy
    this.#open = { contents, kek }
  }

  #enqueue<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run, run)
    this.#queue = next.catch(() => undefined)
    return next
  }

  #database(): Promise<IDBDatabase> {
    if (!this.#db) {
      const db = openKeyringDb(this.#factory, this.#name)
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

interface Rekey {
  readonly mode: KeyringMode
  readonly kek: CryptoKey
  readonly kdf?: SealedKeyring['kdf']
}

interface Mutation<T> {
  /** The new contents, or null when nothing changes. */
  readonly contents: KeyringContents | null
  readonly result: T
  /** Re-key: a new mode and key-encryption key for this and later writes. */
  readonly as?: Rekey
}

function withRecord(c: KeyringContents, record: BoardRecord): KeyringContents {
  return { ...c, boards: [...c.boards.filter((r) => r.id !== record.id), record] }
}
