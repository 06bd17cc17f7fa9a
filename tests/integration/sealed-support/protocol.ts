/** Messages between the sealed-board tests and their child peers (`sealed-peer.ts`). */
import type { SyncStatus } from '../../../src/sync/status.ts'

export interface SealedInit {
  readonly role: 'member' | 'relay'
  /** The board's transport secret (base64): room and signaling password. */
  readonly secret: string
  /** The board's content key (base64); a relay never gets one. */
  readonly contentKey?: string
  /** Device keys (base64 fields); generated in the child if absent. */
  readonly keys?: { signPkcs8: string; signPublic: string; agreePkcs8: string; agreePublic: string }
  readonly name?: string
  readonly invitedBy?: string | null
  /** Founder's signing public key (base64). */
  readonly founder?: string
  readonly compactAfter?: number
  /** Keep a copy of every entry ever seen (Eve). */
  readonly record?: boolean
  /** Relay: file that receives the sealed doc's full state on every update. */
  readonly persistPath?: string
}

/** One crafted operation on the sealed doc's `entries` map. */
export type RawOp =
  | { op: 'delete'; key: string }
  | { op: 'set'; key: string; b64: string }
  /** Put back the bytes once seen under `from`, under `key`. */
  | { op: 'setSeen'; key: string; from: string }
  /** `size` bytes starting with `head`. */
  | { op: 'fill'; key: string; size: number; head: number[] }
  /** A value that is not bytes at all. */
  | { op: 'value'; key: string; value: string | number | boolean | null | Record<string, unknown> }

export interface DiagnosticEventJson {
  reason: string
  key: string
  /** Named only when a valid signature proves it. */
  author: string | null
  via: string | null
}

export interface PeerState {
  keys: string[]
  status: SyncStatus | null
  stateBytes: number
  titles?: string[]
  bodies?: string[]
  boardName?: string
  roster?: { tag: string; name: string; founder: boolean }[]
  counts?: Record<string, number>
  events?: DiagnosticEventJson[]
  suspects?: string[]
  pending?: number
  myTag?: string
  /** The engine's failure (a bug, or an entry that broke it), if it stopped. */
  failure?: string | null
}
