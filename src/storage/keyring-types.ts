import type { BoardId, TransportSecret, DeviceKeyMaterial } from '../crypto/index.ts'
import type { LockSettings } from './keyring-settings.ts'
import type { NetworkSettings } from './settings.ts'

export type { DeviceKeyMaterial }

/**
 * What this device remembers about a board it belongs to.
 *
 * Format 1 boards (before sealed boards) stored their Y.Doc in plain text and
 * had one secret; format 2 boards store only sealed entries and have two
 * secrets. A format 1 record is migrated when its board is first opened.
 */
export interface BoardRecord {
  readonly id: BoardId
  /**
   * The transport secret this device first knew the board by (its room and
   * signaling password; on boards from before membership also its id). Later
   * epochs' secrets are in `keys`.
   */
  readonly transportSecret: TransportSecret
  /** The board's first content key (32 bytes). Absent on format 1 records and while waiting to be let in. */
  readonly contentKey?: Uint8Array
  /** Every content key this device was sent, oldest first, each with its epoch's transport secret when known. */
  readonly keys?: readonly EpochKeys[]
  /**
   * The secret of this board's records in the device's one database: their
   * keys and their places come from it (board-store.ts). Random, so nothing
   * on disk matches anything an invite holds. Absent only on records read
   * from before the one database, until they are moved into it.
   */
  readonly store?: Uint8Array
  /** This device's identity on this board alone, so that two boards cannot tell they share a device. Older records use the keyring's. */
  readonly device?: DeviceKeyMaterial
  /** While waiting to be let in: the invitation secret of the invite link. Dropped once admitted. */
  readonly invitation?: Uint8Array
  /** 1 = plaintext Yjs database (migrated on open), 2 = sealed. Absent means 1. */
  readonly format?: 1 | 2
  /** The founder's device signing key, when known (from the invite or because this device founded it). */
  readonly founder?: Uint8Array
  /** The signing key of the device whose invite this device used to join. */
  readonly invitedBy?: Uint8Array
  /** The name this person shows on this board. */
  readonly displayName: string
  /** Last known board name, so the list renders without opening every board. */
  readonly name: string
  readonly addedAt: number
  readonly openedAt: number
  /** When this person last looked at the board (posts by others after it are marked new). */
  readonly lastSeenAt?: number
}

export interface EpochKeys {
  readonly contentKey: Uint8Array
  readonly transport: Uint8Array | null
  /** When this device moved on from this epoch (it keeps pointing stragglers to the next room for a while). */
  readonly leftAt?: number
}

/** Settings kept inside the keyring, so that nothing a person chose is readable at rest. */
export interface KeyringSettings {
  readonly network: NetworkSettings
  readonly lock: LockSettings
  /** The operator's extra signaling servers as /config.json last listed them (used from the next start). */
  readonly operatorSignaling: readonly string[]
}

/** Everything secret on this device: sealed as one blob in the keyring. */
export interface KeyringContents {
  /** The identity of records from before each board had its own (see BoardRecord.device). */
  readonly device: DeviceKeyMaterial
  readonly boards: readonly BoardRecord[]
  /** Absent in keyrings written before settings moved in: the defaults apply. */
  readonly settings?: KeyringSettings
  /** Whether a duress passphrase is set (only here: on disk its verifier looks the same either way). */
  readonly duress?: boolean
}

/** Thrown by every keyring method that needs secrets while the keyring is locked. */
export class LockedError extends Error {
  override readonly name = 'LockedError'
  constructor() {
    super('The keyring is locked: unlock it with the passphrase first')
  }
}

/**
 * What this device keeps cannot be opened: the device file is gone or
 * damaged, or does not open the keyring. Trying again does not help; a wipe
 * starts afresh (the boards then need new invitations).
 */
export class KeyringDamagedError extends Error {
  override readonly name = 'KeyringDamagedError'
}
