export { type BoardRecord, BoardRegistry } from './registry.ts'
export {
  type BoardStore,
  openBoardStore,
  deleteBoardData,
  deleteLegacyBoardData,
  hasLegacyBoardData,
  boardDatabaseName,
  sealedDatabaseName,
} from './board-store.ts'
export { type DeviceSettings, type IceServer, DEFAULT_SETTINGS, loadSettings, saveSettings, parseSettings } from './settings.ts'
export { Keyring, type KeyringDeps, type UnlockResult, type SetPassphraseResult } from './keyring.ts'
export { LockedError, type KeyringContents, type DeviceKeyMaterial, type EpochKeys } from './keyring-types.ts'
export { KEYRING_DB, KEYRING_DB_VERSION } from './keyring-db.ts'
export { type LockSettings, type AutoLockMinutes, AUTO_LOCK_CHOICES, DEFAULT_LOCK_SETTINGS, loadLockSettings, saveLockSettings, parseLockSettings } from './keyring-settings.ts'
export { type WipeReport, type WipeDeps, wipeDevice, onWipeElsewhere } from './wipe.ts'
