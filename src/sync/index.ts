export { connectBoard, deriveStatus, type BoardSync, type ConnectBoardOptions, type SyncState, type SyncStatus } from './board-sync.ts'
export { chunkedWrtc } from './chunked-wrtc.ts'
export type { WrtcLike, RTCIceServerLike } from './types.ts'
