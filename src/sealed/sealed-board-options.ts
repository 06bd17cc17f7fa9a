import { inlineCrypto, type DeviceSigner, type EntryCrypto, type KeyAgreement, type TransportSecret } from '../crypto/index.ts'
import type { ContentRules } from './content-rules.ts'
import type { VerdictStore } from './verdicts.ts'

/** What a sealed board is opened with. */
export interface SealedBoardOptions {
  /** Raw 16-byte board id (binds every entry to this board). */
  readonly boardId: Uint8Array
  readonly signer: DeviceSigner
  readonly agreement: KeyAgreement
  /** Content keys this device holds, oldest first, with each epoch's transport secret when known. */
  readonly contentKeys: readonly { readonly key: Uint8Array; readonly transport?: Uint8Array | null }[]
  /** The board's first transport secret (its public entries), when no content key is held yet. */
  readonly transport?: Uint8Array
  readonly rules: ContentRules
  /** Boards from before membership: the founder's signing key, from the invite. */
  readonly founder?: Uint8Array
  /** A newcomer waiting to be let in: its invitation secret's request key and id. */
  readonly request?: { readonly key: Uint8Array }
  readonly now?: () => number
  /** Compact own entries once this many are not covered by a snapshot. */
  readonly compactAfter?: number
  /** Once something of this device's own was deleted (an edit, a takedown), compact once it has written nothing for this long (ms; 0: only after `compactAfter`). */
  readonly compactWhenQuiet?: number
  /** Largest snapshot this device writes (bytes of Yjs update). */
  readonly snapshotBytes?: number
  /** Whether `legacy` entries (a whole pre-sealed-boards doc) are accepted: only on boards migrated from then. */
  readonly allowLegacy?: boolean
  /** Largest number of entries waiting (for a gap, a key or an admission) per author and in all. */
  readonly pendingLimits?: { readonly perAuthor: number; readonly total: number }
  /**
   * A carrier (a relay) holds the board without reading it: it never judges
   * other devices' entries (it cannot read membership), and follows every
   * rotation that is sealed to its key (see side-entries.ts and carrier.ts).
   */
  readonly carrier?: boolean
  /**
   * Where this device keeps the verdicts it reached (its own encrypted
   * store): opening the board again then does not judge again what it
   * judged before (see verdicts.ts).
   */
  readonly verdicts?: VerdictStore
  /** Where other devices' signatures are checked and their entries decrypted (entry-crypto.ts). Default: this thread. */
  readonly crypto?: EntryCrypto
  /**
   * Whatever this device seals goes to the room it is in. Asked before it
   * seals under an epoch's content key, with that epoch's transport secret:
   * null when what it writes goes to that epoch's room only, or a promise
   * that settles once the device has moved there (or will not move: then it
   * is asked again). A device that has just taken a new epoch's keys is
   * still in the room left, where a device just removed may be.
   * Default: always null (the caller does not move between rooms).
   */
  readonly inRoom?: (transport: TransportSecret) => Promise<void> | null
}

/** The options with every default filled in. */
export type SettledOptions = Required<Omit<SealedBoardOptions, 'founder' | 'request' | 'transport' | 'verdicts' | 'inRoom'>> & Pick<SealedBoardOptions, 'founder' | 'request' | 'transport' | 'verdicts' | 'inRoom'>

export function withDefaults(opts: SealedBoardOptions): SettledOptions {
  return {
    now: Date.now,
    compactAfter: 200,
    compactWhenQuiet: 10_000,
    snapshotBytes: 16 * 1024 * 1024,
    allowLegacy: false,
    pendingLimits: { perAuthor: 256, total: 4096 },
    carrier: false,
    crypto: inlineCrypto,
    ...opts,
  }
}
