/**
 * Ed25519 signatures and X25519 key agreement, from WebCrypto where the browser
 * has them (Safari 17, Firefox 129, Chromium 137 and later) and otherwise from
 * @noble/curves, loaded only then (its own chunk). Both give the same keys and
 * formats: PKCS#8 private keys, raw 32-byte public keys, 64-byte signatures.
 *
 * Support is detected once per curve, at the first use (the app starts it
 * early); `curves()` returns the same choice from then on.
 */
import { retriable } from '../chunks/retriable.ts'
import { webCryptoEd25519, webCryptoX25519 } from './curves-webcrypto.ts'

export interface KeyPairBytes {
  /** PKCS#8 private key (RFC 8410). */
  readonly pkcs8: Uint8Array
  /** Raw 32-byte public key. */
  readonly publicKey: Uint8Array
}

export type Sign = (message: Uint8Array) => Promise<Uint8Array>

export interface Ed25519Impl {
  readonly source: 'webcrypto' | 'noble'
  generate(): Promise<KeyPairBytes>
  /** Prepares signing with a PKCS#8 private key; throws on a malformed key (a bug: keys come from the keyring). */
  signer(pkcs8: Uint8Array): Promise<Sign>
  /** The raw 32-byte public key of a PKCS#8 private key (e.g. one derived from an invitation secret). */
  publicKey(pkcs8: Uint8Array): Promise<Uint8Array>
  /** Checks an encoding-checked signature (see curves-strict.ts): cofactorless, never throws. */
  verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean>
}

export interface X25519Impl {
  readonly source: 'webcrypto' | 'noble'
  generate(): Promise<KeyPairBytes>
  /** The 32-byte shared secret, or null when the peer's key is malformed or of small order. */
  agree(pkcs8: Uint8Array, peerPublic: Uint8Array): Promise<Uint8Array | null>
}

export interface Curves {
  readonly ed25519: Ed25519Impl
  readonly x25519: X25519Impl
}

/**
 * Neither WebCrypto nor the fallback can run here: the browser lacks BigInt,
 * or the fallback's chunk could not be fetched (`unfetched`: the link, not the
 * browser, so a later try may work).
 */
export class CurvesUnavailableError extends Error {
  constructor(
    cause: unknown,
    readonly unfetched = false,
  ) {
    super(unfetched ? 'The part of Hearth that creates and checks signatures in this browser could not be fetched' : 'Hearth cannot create or check signatures in this browser', { cause })
    this.name = 'CurvesUnavailableError'
  }
}

// The fallback's chunk; after a failed fetch, tried again under a URL of its own (chunks/retriable.ts).
const importNoble = retriable(() => import('./curves-noble.ts'))

export interface CurveDeps {
  /** Default: the page's `crypto.subtle`. */
  readonly subtle?: SubtleCrypto | undefined
  /** Default: a dynamic import of curves-noble.ts. */
  readonly loadFallback?: () => Promise<{ ed25519: Ed25519Impl; x25519: X25519Impl }>
}

/** Picks an implementation for each curve: WebCrypto if it passes a round trip, else the fallback. */
export async function detectCurves(deps: CurveDeps = {}): Promise<Curves> {
  const subtle = 'subtle' in deps ? deps.subtle : globalThis.crypto?.subtle
  const load = deps.loadFallback ?? (() => importNoble().then((m) => ({ ed25519: m.nobleEd25519, x25519: m.nobleX25519 })))
  const [ed, x] = await Promise.all([
    subtle ? webCryptoEd25519(subtle) : null,
    subtle ? webCryptoX25519(subtle) : null,
  ])
  if (ed && x) return { ed25519: ed, x25519: x }
  if (typeof BigInt !== 'function') throw new CurvesUnavailableError(new Error('no BigInt'))
  let fallback: Awaited<ReturnType<typeof load>>
  try {
    fallback = await load()
  } catch (err) {
    throw new CurvesUnavailableError(err, true)
  }
  return { ed25519: ed ?? fallback.ed25519, x25519: x ?? fallback.x25519 }
}

let selected: Promise<Curves> | null = null

/** The curves this device uses; detected on the first call. A failed detection is retried on the next call. */
export function curves(): Promise<Curves> {
  selected ??= detectCurves().catch((err: unknown) => {
    selected = null
    throw err
  })
  return selected
}
