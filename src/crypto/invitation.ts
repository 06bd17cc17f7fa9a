import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import { curves } from './curves.ts'
import { importDeviceSigner, type DeviceSigner } from './device.ts'

/**
 * An invitation (Seitan, after @localfirst/auth): the invite link carries a
 * one-time 32-byte invitation secret. From it both the inviter and the
 * newcomer derive
 *
 *   - an Ed25519 invitation key: the newcomer signs its join request with it,
 *     which proves it holds the invitation without anything reusable crossing
 *     the wire (the members know only the public key);
 *   - the invitation id (first 16 bytes of SHA-256 of that public key);
 *   - a request key (AES-256-GCM) that encrypts the newcomer's request (its
 *     name), readable by the board's members and nobody else in the room.
 */
export const INVITATION_SECRET_BYTES = 32

export interface Invitation {
  readonly id: Uint8Array
  readonly publicKey: Uint8Array
  readonly requestKey: Uint8Array
  readonly signer: DeviceSigner
}

const derive = (secret: Uint8Array, label: string, length: number) => hkdf(sha256, secret, utf8ToBytes('hearth/v2/invitation'), utf8ToBytes(label), length)

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410).
const PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])

export function generateInvitationSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(INVITATION_SECRET_BYTES))
}

export function invitationId(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).subarray(0, 16)
}

/** Everything an invitation secret gives. */
export async function deriveInvitation(secret: Uint8Array): Promise<Invitation> {
  if (secret.length !== INVITATION_SECRET_BYTES) throw new RangeError('An invitation secret is 32 bytes')
  const seed = derive(secret, 'signing-seed', 32)
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + 32)
  pkcs8.set(PKCS8_PREFIX)
  pkcs8.set(seed, PKCS8_PREFIX.length)
  // Through WebCrypto or the fallback, like every other Ed25519 key (see curves.ts).
  const publicKey = await (await curves()).ed25519.publicKey(pkcs8)
  seed.fill(0)
  const signer = await importDeviceSigner({ signPkcs8: pkcs8, signPublic: publicKey, agreePkcs8: new Uint8Array(0), agreePublic: new Uint8Array(32) })
  pkcs8.fill(0)
  return { id: invitationId(publicKey), publicKey, requestKey: derive(secret, 'request-key', 32), signer }
}
