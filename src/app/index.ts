export { Hearth, checkDisplayName, DISPLAY_NAME_MAX, type JoinResult, type DisplayNameError } from './hearth.ts'
export type { BoardSession, ItemActions } from './board-session.ts'
export { BoardOpenElsewhereError } from './board-claim.ts'
export { ChunkUnavailableError, loadChunk } from './chunk.ts'
export type { SealedBoard, MemberView, DeviceView, RequestInfo, HistoryEvent, InviteInfo, Role, Rejection, DiagnosticEvent } from '../sealed/index.ts'
// From the engine's leaf modules, not its index: the first script (the board list, the join and lock screens) does not carry the engine, which loads with a board.
export { REJECTIONS } from '../sealed/diagnostics.ts'
// Long work in slices, with the page let run between (the engine's own).
export { Slices, yieldToEventLoop } from '../sealed/yield.ts'
export {
  type ServerConfig,
  type NetworkPlan,
  type SignalingUrlError,
  EMPTY_SERVER_CONFIG,
  ownSignalingUrl,
  checkSignalingUrl,
  checkIceUrl,
  planNetwork,
  parseServerConfig,
  fetchServerConfig,
  knownSignaling,
} from './network.ts'
// The device lock and the wipe: the state layer's only way to the keyring and the device's storage.
export {
  DeviceLock,
  AUTO_LOCK_CHOICES,
  DEFAULT_LOCK_SETTINGS,
  DEFAULT_SETTINGS,
  type UnlockOutcome,
  type AutoLockMinutes,
  type DevicePrefs,
  type DeviceSettings,
  type KeyringSettings,
  type LockSettings,
  type Look,
  type NetworkSettings,
  type SetDuressResult,
  type SetPassphraseResult,
} from './device-lock.ts'
export { panicWipe, onWipeElsewhere, type WipeKind, type WipeReport } from './panic-wipe.ts'
export type { BoardRecord, IceServer } from '../storage/index.ts'
// Why the app could not start: the browser refused storage, or what it keeps cannot be opened; whether a wipe would find anything.
export { isStorageRefusal, keepsDatabases, KeyringDamagedError } from '../storage/index.ts'
export type { SyncStatus } from '../sync/index.ts'
export type { BoardId, InviteError } from '../crypto/index.ts'
export { parseInvite } from '../crypto/index.ts'
