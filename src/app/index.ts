export { Hearth, checkDisplayName, DISPLAY_NAME_MAX, type JoinResult, type DisplayNameError } from './hearth.ts'
export { BoardSession } from './board-session.ts'
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
} from './network.ts'
// Types the state layer needs without reaching past app/.
export type { BoardRecord, DeviceSettings, IceServer } from '../storage/index.ts'
export { loadSettings, saveSettings, DEFAULT_SETTINGS } from '../storage/index.ts'
export type { SyncStatus } from '../sync/index.ts'
export type { BoardId, InviteError } from '../crypto/index.ts'
export { parseInvite } from '../crypto/index.ts'
