export { toBase64url, fromBase64url } from './base64url.ts'
export {
  type BoardSecret,
  type BoardId,
  type TransportKeys,
  BOARD_SECRET_BYTES,
  generateBoardSecret,
  asBoardSecret,
  deriveTransportKeys,
} from './board-secret.ts'
export { type InviteError, type InviteResult, INVITE_PREFIX, encodeInvite, inviteLink, parseInvite } from './invite.ts'
