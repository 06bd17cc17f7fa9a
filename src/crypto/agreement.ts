import { curves, type X25519Impl } from './curves.ts'

/**
 * X25519 key agreement (RFC 7748) for lockboxes, through WebCrypto where the
 * browser has it: a private key is used as a non-extractable CryptoKey; its
 * PKCS#8 bytes live only in the encrypted keyring. Older browsers use the
 * fallback chosen by curves.ts, which holds the private key as bytes.
 */

const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b)

/** One side of X25519: a public key and the shared secret with any peer's public key. */
export interface KeyAgreement {
  readonly publicKey: Uint8Array
  /** The 32-byte X25519 shared secret with `peerPublic`; null if the peer key is invalid (e.g. low order). */
  derive(peerPublic: Uint8Array): Promise<Uint8Array | null>
}

async function fromPrivate(key: CryptoKey, publicKey: Uint8Array): Promise<KeyAgreement> {
  return {
    publicKey,
    async derive(peerPublic) {
      if (peerPublic.length !== 32) return null
      try {
        const peer = await crypto.subtle.importKey('raw', buf(peerPublic), { name: 'X25519' }, true, [])
        const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: 'X25519', public: peer }, key, 256))
        // An all-zero result means a low-order peer key: refuse it (RFC 7748 §6.1).
        return bits.some((b) => b !== 0) ? bits : null
      } catch {
        return null
      }
    },
  }
}

/** An agreement through any implementation of the curve (the fallback's: the private key stays bytes in memory). */
export function agreementVia(x25519: X25519Impl, pkcs8: Uint8Array, publicKey: Uint8Array): KeyAgreement {
  return { publicKey, derive: (peerPublic) => x25519.agree(pkcs8, peerPublic) }
}

/** This device's X25519 key, from its keyring material. */
export async function importAgreement(agreePkcs8: Uint8Array, agreePublic: Uint8Array): Promise<KeyAgreement> {
  const { x25519 } = await curves()
  if (x25519.source !== 'webcrypto') return agreementVia(x25519, agreePkcs8, agreePublic)
  const key = await crypto.subtle.importKey('pkcs8', buf(agreePkcs8), { name: 'X25519' }, false, ['deriveBits'])
  return fromPrivate(key, agreePublic)
}

/** A fresh one-time X25519 key (the sender's side of a lockbox). */
export async function ephemeralAgreement(): Promise<KeyAgreement> {
  const { x25519 } = await curves()
  if (x25519.source !== 'webcrypto') {
    const pair = await x25519.generate()
    return agreementVia(x25519, pair.pkcs8, pair.publicKey)
  }
  const pair = (await crypto.subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  return fromPrivate(pair.privateKey, publicKey)
}
