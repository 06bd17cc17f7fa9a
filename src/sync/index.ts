export { connectBoard, deriveStatus, type BoardSync, type ConnectBoardOptions, type SyncState, type SyncStatus, type PeerKind, type PeerProof } from './board-sync.ts'
export { chunkedWrtc } from './chunked-wrtc.ts'
export type { WrtcLike, RTCIceServerLike } from './types.ts'
