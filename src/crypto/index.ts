export { toBase64url, fromBase64url } from './base64url.ts'
/** Byte strings one after another (from @noble/hashes, which crypto/ already uses). */
export { concatBytes } from '@noble/hashes/utils.js'
export {
  type TransportSecret,
  type BoardId,
  type TransportKeys,
  TRANSPORT_SECRET_BYTES,
  generateTransportSecret,
  asTransportSecret,
  deriveTransportKeys,
  publicEntryKey,
  foundedBoardId,
} from './board-secret.ts'
export {
  type Invite,
  type KeyInvite,
  type InviteError,
  type InviteResult,
  type InvitePurpose,
  INVITE_PURPOSES,
  INVITE_PREFIX,
  encodeInvite,
  inviteLink,
  parseInvite,
} from './invite.ts'
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
  BOUND_CLIENT_IDS_FROM,
  legacyBoundClientId,
} from './device.ts'
export { type KeyAgreement, importAgreement, ephemeralAgreement } from './agreement.ts'
export { sealLockboxes, openLockbox, lockboxCount, MAX_LOCKBOXES } from './lockbox.ts'
export { type Invitation, INVITATION_SECRET_BYTES, generateInvitationSecret, deriveInvitation, invitationId } from './invitation.ts'
export { KEY_ID_BYTES, FIRST_KEY_ID, keyId, keyIdHex } from './key-id.ts'
export { type ContentCipher, type ContentKeyOptions, CONTENT_KEY_BYTES, generateContentKey, legacyContentKey, importContentKey } from './content-key.ts'
export { type CheckedEntry, type EntryCheck, type EntryCrypto, inlineCrypto } from './entry-crypto.ts'
export { arrayBufferView, encryptHere } from './aes-gcm.ts'
export { INLINE_AT_ONCE, WorkerCrypto, pageCrypto, serveEntryCrypto, type ClosableCrypto, type WorkerLike } from './worker-crypto.ts'
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
  checkEntry,
  checkAndOpenEntry,
  openEntry,
} from './entry.ts'
export { type ScryptParams, type PassphraseError, SCRYPT_LOG_N, PASSPHRASE_MIN, PASSPHRASE_MAX, checkPassphrase, normalizePassphrase, newScryptParams, derivePassphraseBytes, derivePassphraseKey } from './passphrase.ts'
export { type Curves, type Ed25519Impl, type X25519Impl, CurvesUnavailableError, curves, detectCurves } from './curves.ts'
