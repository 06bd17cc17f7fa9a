/**
 * The board's domain types. Everything here is plain data: the Y.Doc holds it,
 * `core/` reads and writes it, the UI renders it as text.
 *
 * Times are milliseconds since the Unix epoch (UTC); the UI formats them with Intl.
 */

/** A random, unguessable item id (base64url, 16 bytes of randomness). */
export type ItemId = string & { readonly __brand: 'ItemId' }

export const ITEM_KINDS = ['notice', 'event', 'meeting', 'aid', 'resource'] as const
/** notice; event; safe meeting; mutual aid; trusted resource. */
export type ItemKind = (typeof ITEM_KINDS)[number]

export const AID_TYPES = ['offer', 'request'] as const
export type AidType = (typeof AID_TYPES)[number]

export const AID_CATEGORIES = ['housing', 'work', 'legal', 'health', 'money', 'food', 'other'] as const
export type AidCategory = (typeof AID_CATEGORIES)[number]

export const AID_STATUSES = ['open', 'taken', 'done'] as const
export type AidStatus = (typeof AID_STATUSES)[number]

/** Fields every item has. */
export interface ItemCommon {
  readonly id: ItemId
  readonly title: string
  readonly body: string
  /** Display name the author chose for this board (unverified until sealed boards land). */
  readonly author: string
  readonly createdAt: number
  readonly updatedAt: number
  /** When the item disappears from every device; null = never. */
  readonly expiresAt: number | null
  readonly pinned: boolean
  readonly tags: readonly string[]
}

export interface NoticeItem extends ItemCommon {
  readonly kind: 'notice'
}

/** `body` holds the event's details. */
export interface EventItem extends ItemCommon {
  readonly kind: 'event'
  readonly start: number
  readonly end: number | null
  readonly place: string
}

/** A safe meeting. `expiresAt` is required and defaults to `end`. */
export interface MeetingItem extends ItemCommon {
  readonly kind: 'meeting'
  readonly place: string
  readonly start: number
  readonly end: number
  /** How to get in: door code, code word, who to ask for. */
  readonly access: string
}

export interface AidItem extends ItemCommon {
  readonly kind: 'aid'
  readonly aidType: AidType
  readonly category: AidCategory
  readonly status: AidStatus
}

/** A trusted resource. `title` is its name, `body` says what it is. */
export interface ResourceItem extends ItemCommon {
  readonly kind: 'resource'
  /** How to reach it: phone, address, hours. */
  readonly contact: string
  readonly notes: string
}

export type Item = NoticeItem | EventItem | MeetingItem | AidItem | ResourceItem

type Editable<T> = Omit<T, 'id' | 'createdAt' | 'updatedAt'>
/** What a person fills in to create an item. */
export type ItemDraft =
  | Editable<NoticeItem>
  | Editable<EventItem>
  | (Omit<Editable<MeetingItem>, 'expiresAt'> & { readonly expiresAt?: number | null })
  | Editable<AidItem>
  | Editable<ResourceItem>

/**
 * An item's editable fields after validation: what `validateDraft` returns and
 * what a stored item holds besides its id and timestamps. Unlike `ItemDraft`, a
 * meeting's `expiresAt` is always filled in.
 */
export type ItemFields =
  | Editable<NoticeItem>
  | Editable<EventItem>
  | Editable<MeetingItem>
  | Editable<AidItem>
  | Editable<ResourceItem>

/** A change to an existing item: any subset of the kind's editable fields (kind cannot change). */
export type ItemPatch = Partial<Omit<Editable<NoticeItem & EventItem & MeetingItem & AidItem & ResourceItem>, 'kind'>>

/** Board-level metadata, replicated with the board. */
export interface BoardMeta {
  readonly name: string
  readonly description: string
}

/** Stable, translatable validation error codes (the UI maps them to messages). */
export type ValidationCode =
  | 'required'
  | 'too_long'
  | 'too_many'
  | 'invalid'
  | 'end_before_start'
  | 'expiry_in_past'
  | 'not_found'

export interface FieldError {
  /** The field the person must fix, e.g. 'title', 'end', 'tags'. */
  readonly field: string
  readonly code: ValidationCode
  /** For 'too_long' / 'too_many': the limit. */
  readonly limit?: number
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly FieldError[] }

/** A query over the board, as the UI's filters express it. All parts optional, all must match. */
export interface ItemQuery {
  readonly kind?: ItemKind
  /** Every whitespace-separated word must occur in the item's text fields (case- and diacritic-insensitive). */
  readonly text?: string
  readonly tag?: string
  readonly category?: AidCategory
  readonly status?: AidStatus
  readonly aidType?: AidType
  /** Events and meetings: upcoming = not yet ended; past = ended. */
  readonly when?: 'upcoming' | 'past'
}
