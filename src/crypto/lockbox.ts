import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { ephemeralAgreement, type KeyAgreement } from './agreement.ts'

/**
 * Lockboxes: secrets sealed to many devices' X25519 keys at once (key
 * rotation, admission). One ephemeral key per set, one X25519 agreement per
 * recipient on the sender's side and ONE on each recipient's side: a box is
 * found by an 8-byte id derived from the shared secret, so boxes do not name
 * their recipients to anyone else.
 *
 *   set = ephemeral public (32) ‖ count (u32) ‖ box*
 *   box = id (8) ‖ length (u32) ‖ AES-256-GCM(payload)
 *
 * key, nonce and id = HKDF-SHA256(shared, salt = ephemeral ‖ recipient,
 * info = "hearth/v2/lockbox\0" ‖ context). Each key seals exactly one
 * message, so the derived nonce is never reused. `context` binds the set to
 * its purpose and board, so a box cannot be moved to another board or use.
 */

const INFO = utf8ToBytes('hearth/v2/lockbox\0')
const ID_BYTES = 8
export const MAX_LOCKBOXES = 100_000

interface BoxKeys {
  readonly key: Uint8Array
  readonly nonce: Uint8Array
  readonly id: Uint8Array
}

/** HKDF's info for a context: the same for every box of a set, so it is built once per set. */
function infoFor(context: Uint8Array): Uint8Array {
  const info = new Uint8Array(INFO.length + context.length)
  info.set(INFO)
  info.set(context, INFO.length)
  return info
}

function boxKeys(shared: Uint8Array, ephemeral: Uint8Array, recipient: Uint8Array, info: Uint8Array): BoxKeys {
  const salt = new Uint8Array(64)
  salt.set(ephemeral)
  salt.set(recipient, 32)
  const okm = hkdf(sha256, shared, salt, info, 32 + 12 + ID_BYTES)
  return { key: okm.subarray(0, 32), nonce: okm.subarray(32, 44), id: okm.subarray(44) }
}

const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

async function aes(keys: BoxKeys, data: Uint8Array, op: 'encrypt' | 'decrypt'): Promise<Uint8Array | null> {
  const key = await crypto.subtle.importKey('raw', buf(keys.key), { name: 'AES-GCM' }, false, [op])
  try {
    return new Uint8Array(await crypto.subtle[op]({ name: 'AES-GCM', iv: buf(keys.nonce) }, key, buf(data)))
  } catch {
    return null
  }
}

/** Seals one payload per recipient (X25519 public keys). Recipients with invalid keys are skipped. */
export async function sealLockboxes(recipients: readonly { agreePublic: Uint8Array; payload: Uint8Array }[], context: Uint8Array): Promise<Uint8Array> {
  if (recipients.length > MAX_LOCKBOXES) throw new RangeError('too many lockboxes')
  const ephemeral = await ephemeralAgreement()
  const info = infoFor(context)
  const sealed = await Promise.all(
    recipients.map(async (r) => {
      const secret = await ephemeral.derive(r.agreePublic)
      if (!secret) return null
      const keys = boxKeys(secret, ephemeral.publicKey, r.agreePublic, info)
      const ct = (await aes(keys, r.payload, 'encrypt'))!
      const box = new Uint8Array(ID_BYTES + 4 + ct.length)
      box.set(keys.id)
      new DataView(box.buffer).setUint32(ID_BYTES, ct.length)
      box.set(ct, ID_BYTES + 4)
      return box
    }),
  )
  const boxes = sealed.filter((b) => b !== null) as Uint8Array[]
  const out = new Uint8Array(32 + 4 + boxes.reduce((n, b) => n + b.length, 0))
  out.set(ephemeral.publicKey)
  new DataView(out.buffer).setUint32(32, boxes.length)
  let at = 36
  for (const b of boxes) {
    out.set(b, at)
    at += b.length
  }
  return out
}

/** Opens this device's box in a set, or null (none for us, or malformed). Never throws on bad input. */
export async function openLockbox(set: Uint8Array, me: KeyAgreement, context: Uint8Array): Promise<Uint8Array | null> {
  if (set.length < 36) return null
  const view = new DataView(set.buffer, set.byteOffset, set.byteLength)
  const ephemeral = set.subarray(0, 32)
  const count = view.getUint32(32)
  if (count > MAX_LOCKBOXES) return null
  const shared = await me.derive(ephemeral)
  if (!shared) return null
  const keys = boxKeys(shared, ephemeral, me.publicKey, infoFor(context))
  let at = 36
  for (let i = 0; i < count; i++) {
    if (at + ID_BYTES + 4 > set.length) return null
    const length = view.getUint32(at + ID_BYTES)
    const end = at + ID_BYTES + 4 + length
    if (end > set.length) return null
    if (set.subarray(at, at + ID_BYTES).every((b, j) => b === keys.id[j])) return aes(keys, set.subarray(at + ID_BYTES + 4, end), 'decrypt')
    at = end
  }
  return null
}

/** How many boxes a set holds (for display and limits), or null if malformed. */
export function lockboxCount(set: Uint8Array): number | null {
  if (set.length < 36) return null
  const count = new DataView(set.buffer, set.byteOffset, set.byteLength).getUint32(32)
  return count <= MAX_LOCKBOXES ? count : null
}

export type { KeyAgreement }
