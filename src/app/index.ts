export { Hearth, checkDisplayName, DISPLAY_NAME_MAX, type JoinResult, type DisplayNameError } from './hearth.ts'
export type { BoardSession, ItemActions } from './board-session.ts'
export { BoardOpenElsewhereError } from './board-lock.ts'
export type { SealedBoard, MemberView, DeviceView, RequestInfo, HistoryEvent, InviteInfo, Role, Rejection, DiagnosticEvent } from '../sealed/index.ts'
export { REJECTIONS } from '../sealed/index.ts'
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
  loadKnownSignaling,
  saveKnownSignaling,
} from './network.ts'
// Types the state layer needs without reaching past app/.
export type { BoardRecord, DeviceSettings, IceServer } from '../storage/index.ts'
export { loadSettings, saveSettings, DEFAULT_SETTINGS } from '../storage/index.ts'
export type { SyncStatus } from '../sync/index.ts'
export type { BoardId, InviteError } from '../crypto/index.ts'
export { parseInvite } from '../crypto/index.ts'
// Device lock and panic wipe, for the state layer.
export { Keyring, LockedError, wipeDevice, onWipeElsewhere, loadLockSettings, saveLockSettings, AUTO_LOCK_CHOICES, DEFAULT_LOCK_SETTINGS, type LockSettings, type AutoLockMinutes, type WipeReport, type UnlockResult, type SetPassphraseResult } from '../storage/index.ts'
