/**
 * Ed25519 and X25519 through WebCrypto: private keys become non-extractable
 * CryptoKeys, so scripts can use them but never read them.
 */
import type { Ed25519Impl, KeyPairBytes, X25519Impl } from './curves.ts'
import { strictEd25519 } from './curves-strict.ts'
import { toBase64url } from './base64url.ts'

const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> =>
  b.buffer instanceof ArrayBuffer && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b)

async function generate(subtle: SubtleCrypto, name: 'Ed25519' | 'X25519', usages: KeyUsage[]): Promise<KeyPairBytes> {
  const pair = (await subtle.generateKey({ name }, true, usages)) as CryptoKeyPair
  return {
    pkcs8: new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey)),
    publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)),
  }
}

/** WebCrypto's Ed25519, or null if this browser lacks it (checked with one full round trip). */
export async function webCryptoEd25519(subtle: SubtleCrypto): Promise<Ed25519Impl | null> {
  const verifyKeys = new Map<string, Promise<CryptoKey>>()
  const impl: Ed25519Impl = {
    source: 'webcrypto',
    generate: () => generate(subtle, 'Ed25519', ['sign', 'verify']),
    async signer(pkcs8) {
      const key = await subtle.importKey('pkcs8', buf(pkcs8), { name: 'Ed25519' }, false, ['sign'])
      return async (message) => new Uint8Array(await subtle.sign('Ed25519', key, buf(message)))
    },
    async publicKey(pkcs8) {
      // WebCrypto exports no public key from a private one but as a JWK's `x`.
      const key = await subtle.importKey('pkcs8', buf(pkcs8), { name: 'Ed25519' }, true, ['sign'])
      const jwk = await subtle.exportKey('jwk', key)
      return Uint8Array.from(atob(jwk.x!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
    },
    async verify(publicKey, signature, message) {
      if (!strictEd25519(publicKey, signature)) return false
      const id = toBase64url(publicKey)
      let key = verifyKeys.get(id)
      if (!key) {
        key = subtle.importKey('raw', buf(publicKey), { name: 'Ed25519' }, false, ['verify'])
        if (verifyKeys.size > 1000) verifyKeys.clear()
        verifyKeys.set(id, key)
      }
      try {
        return await subtle.verify('Ed25519', await key, buf(signature), buf(message))
      } catch {
        verifyKeys.delete(id)
        return false
      }
    },
  }
  try {
    const pair = await impl.generate()
    const message = new Uint8Array([0x68, 0x65, 0x61, 0x72, 0x74, 0x68])
    const signature = await (await impl.signer(pair.pkcs8))(message)
    return pair.publicKey.length === 32 && (await impl.verify(pair.publicKey, signature, message)) ? impl : null
  } catch {
    return null
  }
}

/** WebCrypto's X25519, or null if this browser lacks it (checked with one agreement). */
export async function webCryptoX25519(subtle: SubtleCrypto): Promise<X25519Impl | null> {
  const impl: X25519Impl = {
    source: 'webcrypto',
    generate: () => generate(subtle, 'X25519', ['deriveBits']),
    async agree(pkcs8, peerPublic) {
      if (peerPublic.length !== 32) return null
      const own = await subtle.importKey('pkcs8', buf(pkcs8), { name: 'X25519' }, false, ['deriveBits'])
      try {
        const peer = await subtle.importKey('raw', buf(peerPublic), { name: 'X25519' }, false, [])
        // Browsers refuse an all-zero result (a small-order peer key) with an error.
        return new Uint8Array(await subtle.deriveBits({ name: 'X25519', public: peer }, own, 256))
      } catch {
        return null
      }
    },
  }
  try {
    const [a, b] = await Promise.all([impl.generate(), impl.generate()])
    const [ab, ba] = await Promise.all([impl.agree(a.pkcs8, b.publicKey), impl.agree(b.pkcs8, a.publicKey)])
    return ab && ba && ab.length === 32 && ab.every((x, i) => x === ba[i]) ? impl : null
  } catch {
    return null
  }
}
