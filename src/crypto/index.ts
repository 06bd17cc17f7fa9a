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
export { type Invite, type InviteError, type InviteResult, INVITE_PREFIX, encodeInvite, inviteLink, parseInvite } from './invite.ts'
export {
  type DeviceKeyMaterial,
  type DeviceSigner,
  generateDeviceKeys,
  importDeviceSigner,
  verifySignature,
  agreeWithDevice,
  deviceTag,
  fingerprint,
  boundClientId,
} from './device.ts'
export { type ContentCipher, CONTENT_KEY_BYTES, generateContentKey, legacyContentKey, importContentKey } from './content-key.ts'
export {
  type EntryKind,
  type EntryHeader,
  type ParsedEntry,
  type ParseError,
  ENTRY_KINDS,
  MAX_ENTRY_BYTES,
  BOARD_ID_BYTES,
  encodeHeader,
  sealEntry,
  parseEntry,
  verifyEntry,
  openEntry,
} from './entry.ts'
export { type ScryptParams, type PassphraseError, SCRYPT_LOG_N, PASSPHRASE_MIN, PASSPHRASE_MAX, checkPassphrase, normalizePassphrase, newScryptParams, derivePassphraseBytes, derivePassphraseKey } from './passphrase.ts'
export { type Curves, type Ed25519Impl, type X25519Impl, CurvesUnavailableError, curves, detectCurves } from './curves.ts'
