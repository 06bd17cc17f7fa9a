/**
 * The keyring blob's header, read from a disk anyone may have altered:
 * anything outside what Hearth writes is refused (null: damaged), byte by
 * byte, and the scrypt costs it accepts stop at the bounds the app can pay.
 * The plaintext is padded so the blob's size does not count boards.
 */
import { describe, expect, it } from 'vitest'
import { newScryptParams } from '../../src/crypto/index.ts'
import { decodeContents, decodeSealed, encodeContents, encodeSealed, normalizeRecord, openContents, sealContents, type SealedKeyring } from '../../src/storage/keyring-blob.ts'
import type { BoardRecord, KeyringContents } from '../../src/storage/index.ts'
import { deviceKek } from '../../src/storage/root-key.ts'
import { board } from './support.ts'

const HEADER = 80
const IV = 12

function passphraseBlob(ctLength = 16): Uint8Array {
  const sealed: SealedKeyring = {
    mode: 'passphrase',
    slot: 1,
    gen: 7,
    kdf: newScryptParams(15),
    duress: { kdf: newScryptParams(15), tag: new Uint8Array(32).fill(9) },
    iv: new Uint8Array(IV).fill(3),
    ct: new Uint8Array(ctLength).fill(5),
  }
  return encodeSealed(sealed)
}

const edited = (at: number, value: number, from = passphraseBlob()): Uint8Array => {
  const copy = new Uint8Array(from)
  copy[at] = value
  return copy
}

describe('the keyring header, read back', () => {
  it('reads what Hearth writes, at the shortest length (an empty ciphertext’s tag), and from inside a larger buffer', () => {
    const blob = passphraseBlob()
    expect(blob.length).toBe(HEADER + IV + 16)
    expect(decodeSealed(blob)).toMatchObject({ mode: 'passphrase', slot: 1, gen: 7, kdf: { logN: 15, r: 8, p: 1 }, duress: { kdf: { logN: 15 } } })
    const inside = new Uint8Array(blob.length + 8)
    inside.set(blob, 8)
    expect(decodeSealed(inside.subarray(8))).toMatchObject({ gen: 7, slot: 1 })
    expect(decodeSealed(blob.subarray(0, blob.length - 1))).toBeNull()
    expect(decodeSealed(Array.from(blob))).toBeNull()
    expect(decodeSealed('hk3')).toBeNull()
  })

  it.each([0, 1, 2, 3])('refuses a changed magic byte %i', (at) => {
    expect(decodeSealed(edited(at, passphraseBlob()[at]! ^ 0x40))).toBeNull()
  })

  it('refuses a mode or a slot past 1', () => {
    expect(decodeSealed(edited(4, 2))).toBeNull()
    expect(decodeSealed(edited(5, 2))).toBeNull()
    expect(decodeSealed(edited(5, 0))).toMatchObject({ slot: 0 })
  })

  // Offsets of logN, r and p: the passphrase's scrypt at 10, the duress verifier's at 29.
  it.each([
    ['logN', 0, 1, 22, 23],
    ['r', 1, 1, 32, 33],
    ['p', 2, 1, 16, 17],
  ])('takes scrypt %s from its lowest to its highest bound and nothing outside, for the passphrase and the duress verifier', (_name, offset, low, high, over) => {
    for (const base of [10, 29]) {
      expect(decodeSealed(edited(base + offset, low)), `${base + offset} = ${low}`).not.toBeNull()
      expect(decodeSealed(edited(base + offset, high)), `${base + offset} = ${high}`).not.toBeNull()
      expect(decodeSealed(edited(base + offset, low - 1)), `${base + offset} = ${low - 1}`).toBeNull()
      expect(decodeSealed(edited(base + offset, over)), `${base + offset} = ${over}`).toBeNull()
    }
  })

  it('a device-mode blob has no scrypt and no verifier; a passphrase one must have both', async () => {
    const kek = await deviceKek(new Uint8Array(32).fill(1))
    const contents: KeyringContents = { device: { signPkcs8: new Uint8Array([1]), signPublic: new Uint8Array(32), agreePkcs8: new Uint8Array([2]), agreePublic: new Uint8Array(32) }, boards: [] }
    const device = encodeSealed(await sealContents(contents, kek, { mode: 'device', slot: 0, gen: 1, kdf: null, duress: null }))
    expect(decodeSealed(device)).toMatchObject({ mode: 'device', kdf: null, duress: null })
    // Passphrase mode named over a header whose scrypt fields are zero.
    expect(decodeSealed(edited(4, 1, device))).toBeNull()
    const noDuress = passphraseBlob()
    noDuress.fill(0, 29, 32)
    expect(decodeSealed(noDuress)).toBeNull()
  })

  it('a blob that does not open under the key is null, not an error', async () => {
    const contents: KeyringContents = { device: { signPkcs8: new Uint8Array([1]), signPublic: new Uint8Array(32), agreePkcs8: new Uint8Array([2]), agreePublic: new Uint8Array(32) }, boards: [] }
    const sealed = await sealContents(contents, await deviceKek(new Uint8Array(32).fill(1)), { mode: 'device', slot: 0, gen: 1, kdf: null, duress: null })
    await expect(openContents(sealed, await deviceKek(new Uint8Array(32).fill(2)))).resolves.toBeNull()
  })
})

describe('the keyring plaintext', () => {
  it('is padded to a multiple of 4 KB with room for at least one space, whatever its length', () => {
    const base = (n: number) => ({ device: null, boards: [], pad: 'x'.repeat(n) }) as unknown as KeyringContents
    const jsonLength = (n: number) => JSON.stringify(base(n)).length
    for (const target of [4095, 4096, 4097]) {
      const n = target - jsonLength(0)
      const encoded = encodeContents(base(n))
      expect(encoded.length % 4096).toBe(0)
      expect(encoded.length).toBeGreaterThan(target)
      expect(decodeContents(encoded)).toEqual(base(n))
    }
  })

  it('a record from before the transport secret was named so gets it under its new name', () => {
    const record = board('Garden', 'Alice')
    const { transportSecret, ...rest } = record
    const old = { ...rest, secret: transportSecret } as unknown as BoardRecord
    expect(normalizeRecord(old)).toEqual(record)
    expect(normalizeRecord(record)).toBe(record)
    const both = { ...record, secret: new Uint8Array(32) } as unknown as BoardRecord
    expect(normalizeRecord(both)).toBe(both)
  })
})
