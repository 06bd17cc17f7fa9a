import { deviceTag, importContentKey, keyId, openEntry, publicEntryKey, type ContentCipher, type TransportSecret } from '../crypto/index.ts'
import type { AuthorLogs } from './author-log.ts'
import type { Circle } from './circle.ts'
import { decodeControl } from './membership/ops.ts'
import type { KeyGift } from './payloads.ts'
import { sameBytes } from './screen.ts'

/**
 * Whether a welcome's keys are the board's own, before a device that asked
 * to be let in takes them. A welcome is signed by a key of anyone's making
 * and opens with the newcomer's request, which anyone holding the same
 * invitation link (or any member) can read: until 2026-12-07 whoever did
 * could answer it first with a content key and a room of their own, and the
 * newcomer's device wrote with that key and moved to that room, where the
 * real welcome never reached it (found by an audit).
 *
 * - The room it gives is the one it was sealed in (`sealedUnder`, that
 *   room's key for public entries): an admitter seals the welcome in the
 *   room the newcomer asked in, which is the board's current one, or its
 *   admission would not count.
 * - Its first content key opens the board's genesis, which only the founder
 *   can have written (their key and its nonce hash to the board id): a key
 *   of anyone else's making opens nothing of the board. A relay's welcome
 *   holds no content key.
 *
 * Null: the genesis is not here yet (a large board arrives in pieces), to
 * look again.
 */
export async function welcomeIsTheBoards(gift: KeyGift, sealedUnder: Uint8Array, logs: AuthorLogs, circle: Circle): Promise<boolean | null> {
  if (!sameBytes(keyId(publicEntryKey(gift.transport as TransportSecret)), sealedUnder)) return false
  const first = gift.contentKeys[0]
  if (!first) return true
  const id = keyId(first)
  let cipher: ContentCipher | null = null
  for (const log of logs.values()) {
    for (const v of [...log.pending.others(), ...log.done.others()]) {
      const h = v.entry.header
      if (h.kind !== 'control' || !sameBytes(h.keyId, id)) continue
      cipher ??= await importContentKey(first)
      const plain = v.plain ?? (await openEntry(v.entry, cipher))
      const control = plain ? decodeControl(plain) : null
      if (control?.op.t !== 'genesis') continue
      return circle.isFounderGenesis({ hash: v.hash, author: deviceTag(h.author), authorKey: h.author, seq: h.seq, parents: [], op: control.op })
    }
  }
  return null
}
