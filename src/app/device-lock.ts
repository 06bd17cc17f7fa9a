import {
  AUTO_LOCK_CHOICES,
  DEFAULT_KEYRING_SETTINGS,
  DEFAULT_LOCK_SETTINGS,
  DEFAULT_SETTINGS,
  Keyring,
  type AutoLockMinutes,
  type DevicePrefs,
  type DeviceSettings,
  type KeyringDeps,
  type KeyringSettings,
  type LockSettings,
  type Look,
  type NetworkSettings,
  type SetDuressResult,
  type SetPassphraseResult,
} from '../storage/index.ts'
import type { Registry } from './hearth.ts'

export { AUTO_LOCK_CHOICES, DEFAULT_LOCK_SETTINGS, DEFAULT_SETTINGS }
export type { AutoLockMinutes, DevicePrefs, DeviceSettings, KeyringSettings, LockSettings, Look, NetworkSettings, SetDuressResult, SetPassphraseResult }

/** What typing a passphrase on the lock screen did. */
export type UnlockOutcome = 'unlocked' | 'wrong' | 'duress'

/**
 * The device lock, as the app sees it: whether this device's keyring is
 * locked, the passphrase and the duress passphrase, and the settings kept
 * inside the keyring (read as defaults while locked). Not the one-tab claim
 * on a board (board-claim.ts).
 */
export class DeviceLock {
  readonly #keyring: Keyring

  constructor(deps: KeyringDeps = {}) {
    this.#keyring = new Keyring(deps)
  }

  /** The boards' records and stores, for Hearth. */
  get registry(): Registry {
    return this.#keyring
  }

  /** Reads the keyring (unlocked in device mode, locked in passphrase mode). */
  ready(): Promise<void> {
    return this.#keyring.ready()
  }

  /** Makes the device file and the empty database exist, as a fresh start does (see Keyring.materialize). */
  materialize(): Promise<void> {
    return this.#keyring.materialize()
  }

  get locked(): boolean {
    return this.#keyring.state === 'locked'
  }

  get hasPassphrase(): boolean {
    return this.#keyring.hasPassphrase
  }

  /** Nothing kept yet: the first run asks for a passphrase. */
  get firstRun(): boolean {
    return this.#keyring.firstRun
  }

  /** Language and look: readable before unlocking. */
  get prefs(): DevicePrefs {
    return this.#keyring.prefs
  }

  /** The person's settings; the defaults while locked (the wipe then asks first). */
  settings(): KeyringSettings {
    return this.locked ? DEFAULT_KEYRING_SETTINGS : this.#keyring.settings()
  }

  hasDuress(): boolean {
    return !this.locked && this.#keyring.hasDuress()
  }

  async unlock(passphrase: string): Promise<UnlockOutcome> {
    const result = await this.#keyring.unlock(passphrase)
    return result.ok ? 'unlocked' : result.error === 'duress' ? 'duress' : 'wrong'
  }

  /** Forgets every secret in memory. The caller closes the boards first. */
  lock(): void {
    this.#keyring.lock()
  }

  setPassphrase(passphrase: string | null): Promise<SetPassphraseResult> {
    return this.#keyring.setPassphrase(passphrase)
  }

  setDuress(duress: string | null): Promise<SetDuressResult> {
    return this.#keyring.setDuress(duress)
  }

  saveSettings(patch: Partial<KeyringSettings>): Promise<void> {
    return this.#keyring.updateSettings(patch)
  }

  setPrefs(patch: Partial<DevicePrefs>): Promise<void> {
    return this.#keyring.setPrefs(patch)
  }

  /** Destroys the device file: the erasure at the heart of every wipe (panic-wipe.ts). */
  destroyKey(): Promise<void> {
    return this.#keyring.destroyKey()
  }

  close(): Promise<void> {
    return this.#keyring.close()
  }
}
