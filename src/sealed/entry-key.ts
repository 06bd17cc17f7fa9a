import { deviceTag, type EntryHeader } from '../crypto/index.ts'

/**
 * Keys of the shared map: `<author tag>.<seq>`, and `<author tag>.<from>-<seq>`
 * for snapshots; `!<author tag>` holds proof that the author equivocated.
 * A key must match its entry's header (no replays under other keys).
 */
export function entryKey(header: Pick<EntryHeader, 'author' | 'kind' | 'from' | 'seq'>): string {
  const tag = deviceTag(header.author)
  return header.kind === 'snapshot' ? `${tag}.${header.from}-${header.seq}` : `${tag}.${header.seq}`
}

export const PROOF_PREFIX = '!'
export const proofKey = (tag: string): string => `${PROOF_PREFIX}${tag}`
export const MAX_KEY_LENGTH = 64

/** The author tag a key names (entries and proofs), or null. */
export function tagOfKey(key: string): string | null {
  const m = /^!?([A-Za-z0-9_-]{11})(?:\.|$)/.exec(key)
  return m ? m[1]! : null
}

/** The sequence number a key ends at, for ordering; 0 if none. */
export function seqOfKey(key: string): number {
  const m = /\.(?:\d+-)?(\d+)$/.exec(key)
  return m ? Number(m[1]) : 0
}
