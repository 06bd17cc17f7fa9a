import { concatBytes as concat, deviceTag, fromBase64url, keyId, publicEntryKey, toBase64url, verifySignature, type DeviceSigner, type TransportSecret } from '../crypto/index.ts'
import type { SealedBoard } from '../sealed/index.ts'
import type { PeerKind, PeerProof } from '../sync/index.ts'

const CONTEXT = 'hearth/v1/presence\0'
const KEY_ID_BYTES = 8
const NONCE_BYTES = 12
const TAG_BYTES = 16
const SIGN_BYTES = 32
const SIGNATURE_BYTES = 64
/** Signaling peer ids are uuids; anything much longer is not a proof. */
const MAX_STATE_CHARS = 512

const utf8 = (text: string) => new TextEncoder().encode(text)

/** What a device signs: the room, the connection it stands for (signaling peer id) and its session's Yjs client id. */
const signedMessage = (room: string, peerId: string, clientId: number) => utf8(`${CONTEXT}${room}\0${peerId}\0${clientId}`)

/**
 * The proof a device puts in its presence (awareness) state, so that the
 * devices it connects to can tell member devices from relays from strangers:
 *
 *   state = { p: base64url( key id (8) ‖ nonce (12) ‖ AES-256-GCM( signing key (32) ‖ signature (64) ‖ peer id ) ) }
 *   signature = Ed25519 over "hearth/v1/presence\0" ‖ room ‖ 0 ‖ peer id ‖ 0 ‖ client id
 *
 * Members seal it under the epoch's content key, so only members learn which
 * peers are members; relays under the room's public-entry key (every device
 * of the room can read that a relay is there, never which members are). The
 * associated data binds the room. A checker opens it with the key it names,
 * verifies the signature, and looks the signing key up in the circle as its
 * own engine knows it: an active member device, an active relay, or nothing.
 * Nothing else is in presence: no name, nothing the signaling server or a
 * stranger in the room can read.
 */
export function presenceProof(opts: { readonly sealed: SealedBoard; readonly signer: DeviceSigner; readonly room: string; readonly transport: TransportSecret; readonly as: PeerKind }): PeerProof {
  const { sealed, signer, room } = opts
  const ad = utf8(CONTEXT + room)
  const sealingKey = (): Uint8Array | null => {
    if (opts.as === 'relay') return keyId(publicEntryKey(opts.transport))
    const epoch = sealed.standing === 'member' ? sealed.epoch : null
    return epoch ? fromBase64url(epoch.key) : null
  }
  return {
    async mine(peerId, clientId) {
      const id = sealingKey()
      const cipher = id ? sealed.keys.cipherFor(id) : null
      if (!id || !cipher) return null
      const signature = await signer.sign(signedMessage(room, peerId, clientId))
      const { nonce, ciphertext } = await cipher.encrypt(concat(signer.publicKey, signature, utf8(peerId)), ad)
      return { p: toBase64url(concat(id, nonce, ciphertext)) }
    },
    async check(state, clientId) {
      const p = typeof state === 'object' && state !== null ? (state as { p?: unknown }).p : undefined
      if (typeof p !== 'string' || p.length > MAX_STATE_CHARS) return null
      const bytes = fromBase64url(p)
      if (!bytes || bytes.length <= KEY_ID_BYTES + NONCE_BYTES + TAG_BYTES + SIGN_BYTES + SIGNATURE_BYTES) return null
      const cipher = sealed.keys.cipherFor(bytes.subarray(0, KEY_ID_BYTES))
      const plain = cipher ? await cipher.decrypt(bytes.subarray(KEY_ID_BYTES, KEY_ID_BYTES + NONCE_BYTES), bytes.subarray(KEY_ID_BYTES + NONCE_BYTES), ad) : null
      if (!plain || plain.length <= SIGN_BYTES + SIGNATURE_BYTES) return null
      const sign = plain.subarray(0, SIGN_BYTES)
      let peerId: string
      try {
        peerId = new TextDecoder('utf-8', { fatal: true }).decode(plain.subarray(SIGN_BYTES + SIGNATURE_BYTES))
      } catch {
        return null
      }
      if (!(await verifySignature(sign, plain.subarray(SIGN_BYTES, SIGN_BYTES + SIGNATURE_BYTES), signedMessage(room, peerId, clientId)))) return null
      const kind = kindOf(sealed, deviceTag(sign))
      return kind ? { peerId, kind } : null
    },
  }
}

/** What the circle, as this device's engine knows it, says a device is. */
function kindOf(sealed: SealedBoard, tag: string): PeerKind | null {
  const circle = sealed.circle
  if (!circle.managed) return circle.profiles.has(tag) ? 'member' : null
  const device = circle.membership().devices.get(tag)
  if (!device || device.removed) return null
  return device.as === 'relay' ? 'relay' : 'member'
}
