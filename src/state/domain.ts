/**
 * The domain types and constants components need, re-exported so that `ui/`
 * depends only on `state/` (and `i18n/`), never on `core/` or `app/` directly.
 */
export {
  LIMITS,
  ITEM_KINDS,
  AID_TYPES,
  AID_CATEGORIES,
  AID_STATUSES,
  toIcs,
  type Item,
  type ItemId,
  type ItemKind,
  type EventItem,
  type MeetingItem,
  type AidItem,
  type ResourceItem,
  type AidCategory,
  type AidStatus,
  type AidType,
  type FieldError,
  type ItemQuery,
} from '../core/index.ts'
export { DISPLAY_NAME_MAX, ChunkUnavailableError, isStorageRefusal, checkSignalingUrl, checkIceUrl, type SyncStatus, type BoardRecord, type IceServer } from '../app/index.ts'
