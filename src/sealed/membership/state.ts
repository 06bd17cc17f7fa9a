import type { AdmitAs, Cutoff, Role } from './ops.ts'

/** A control entry that passed every check before its meaning: signature, key, sequence. */
export interface ControlEntry {
  /** base64url of the entry's 16-byte hash. */
  readonly hash: string
  /** Device tag of the signer. */
  readonly author: string
  readonly authorKey: Uint8Array
  readonly seq: number
  readonly parents: readonly string[]
  readonly op: import('./ops.ts').Op
}

export interface DeviceInfo {
  readonly tag: string
  readonly sign: Uint8Array
  readonly agree: Uint8Array
  /** Member id (the tag of the member's first device); null for relays. */
  readonly member: string | null
  readonly as: AdmitAs | 'founder' | 'listed'
  /** Hash of the entry that admitted it (the genesis for the founder and listed members). */
  readonly admission: string
  /** Device tag of the device that admitted it, and of the one whose invitation it used (verified). */
  readonly admittedBy: string | null
  readonly invitedBy: string | null
  /** Set once removed: the last of its sequence numbers that counts, and by whom. */
  removed: { readonly cutoff: number; readonly by: string; readonly hash: string } | null
}

export interface MemberInfo {
  readonly id: string
  role: Role
  name: string
  readonly devices: string[]
  /** Order of admission (0 = founder): seniority among equals. */
  readonly index: number
  readonly admittedBy: string | null
  readonly invitedBy: string | null
}

export interface InviteInfo {
  readonly id: string
  readonly hash: string
  readonly createdBy: string
  readonly pub: Uint8Array
  readonly requestKey: Uint8Array
  readonly uses: number
  used: number
  readonly expiresAt: number | null
  readonly as: AdmitAs
  readonly ask: boolean
  revoked: boolean
  /** Key id of the epoch it was made in: an invitation dies with its epoch. */
  readonly epoch: string
}

export interface EpochInfo {
  /** Key id (base64url) of this epoch's content key. */
  readonly key: string
  readonly parent: string | null
  readonly hash: string
  readonly by: string | null
  /** Devices that were sent this epoch's key (including those admitted during it). */
  readonly recipients: Set<string>
  /** Whether it continued the chain; a concurrent rotation that lost is not (its key still reads its entries). */
  readonly effective: boolean
}

/** Something that happened, for the membership history every member sees. */
export type HistoryEvent =
  | { readonly kind: 'founded'; readonly hash: string; readonly by: string }
  | { readonly kind: 'invited'; readonly hash: string; readonly by: string; readonly invite: string }
  | { readonly kind: 'revoked'; readonly hash: string; readonly by: string; readonly invite: string }
  | { readonly kind: 'admitted'; readonly hash: string; readonly by: string; readonly device: string; readonly as: AdmitAs }
  | { readonly kind: 'refused'; readonly hash: string; readonly by: string; readonly request: string }
  | { readonly kind: 'removed'; readonly hash: string; readonly by: string; readonly devices: readonly string[] }
  | { readonly kind: 'role'; readonly hash: string; readonly by: string; readonly member: string; readonly role: Role }
  | { readonly kind: 'settings'; readonly hash: string; readonly by: string; readonly membersMayInvite: boolean }
  | { readonly kind: 'rekeyed'; readonly hash: string; readonly by: string }

/** Why a control entry had no effect. */
export type ControlVerdict = 'ok' | 'not_member' | 'not_allowed' | 'invalid' | 'void_after_removal' | 'waiting'

export interface Decrease {
  readonly hash: string
  readonly index: number
  readonly cutoffs: readonly Cutoff[]
  /** Null for a removal; the new role for a role change. */
  readonly role: Role | null
}

export interface RoleChange {
  readonly hash: string
  readonly role: Role
  readonly cutoffs: readonly Cutoff[]
}

export const RANK: Readonly<Record<Role, number>> = { founder: 0, moderator: 1, member: 2 }
