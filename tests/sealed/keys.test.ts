/**
 * The keys Bob's device holds for one board (keys.ts), by key id: what it can
 * open. He is sent the board's content keys (with each epoch's transport
 * secret, when he holds it) and reads request and public entries with keys
 * derived beside them. A cipher is checked by what it opens.
 */
import { describe, expect, it } from 'vitest'
import { FIRST_KEY_ID, importContentKey, keyId, publicEntryKey, toBase64url, type ContentCipher, type TransportSecret } from '../../src/crypto/index.ts'
import { BoardKeys } from '../../src/sealed/keys.ts'

const key = (fill: number) => new Uint8Array(32).fill(fill)
const idOf = (raw: Uint8Array) => toBase64url(keyId(raw))
const AD = Uint8Array.of(1, 2, 3)

/** Whether `cipher` opens what `raw` sealed. */
async function opens(cipher: ContentCipher | null, raw: Uint8Array): Promise<boolean> {
  if (!cipher) return false
  const sealed = await (await importContentKey(raw)).encrypt(Uint8Array.of(42), AD)
  return (await cipher.decrypt(sealed.nonce, sealed.ciphertext, AD)) !== null
}

describe('the keys of one board on Bob’s device', () => {
  it('content keys are kept oldest first; the first is what version 1 entries name', async () => {
    const keys = new BoardKeys()
    expect(keys.first).toBeNull()
    expect(keys.cipherFor(FIRST_KEY_ID), 'no first key yet').toBeNull()
    expect(await keys.addContentKey(key(1))).toBe(true)
    expect(await keys.addContentKey(key(2), key(9))).toBe(true)
    expect(keys.first).toBe(idOf(key(1)))
    expect(keys.contentKeys()).toEqual([key(1), key(2)])
    expect(keys.hasContentKey(idOf(key(2)))).toBe(true)
    expect(keys.hasContentKey(idOf(key(3)))).toBe(false)
    expect(keys.contentKey(idOf(key(2)))).toEqual(key(2))
    expect(keys.contentKey(idOf(key(3)))).toBeNull()
    expect(await opens(keys.cipherFor(FIRST_KEY_ID), key(1))).toBe(true)
    expect(await opens(keys.cipherFor(keyId(key(2))), key(2))).toBe(true)
    expect(await opens(keys.cipherFor(keyId(key(2))), key(1))).toBe(false)
    expect(keys.cipherFor(keyId(key(3)))).toBeNull()
  })

  it('a key sent again is not new; its transport secret, sent later, is — once', async () => {
    const keys = new BoardKeys()
    let told = 0
    const stop = keys.onChange(() => told++)
    expect(await keys.addContentKey(key(1))).toBe(true)
    expect(await keys.addContentKey(key(1))).toBe(false)
    expect(keys.contentKeys()).toHaveLength(1)
    expect(keys.transport(idOf(key(1)))).toBeNull()
    expect(told).toBe(1)
    expect(await keys.addContentKey(key(1), key(9))).toBe(true)
    expect(keys.transport(idOf(key(1)))).toEqual(key(9))
    expect(told).toBe(2)
    expect(await keys.addContentKey(key(1), key(8)), 'the first transport secret of an epoch stays').toBe(false)
    expect(keys.transport(idOf(key(1)))).toEqual(key(9))
    expect(told).toBe(2)
    stop()
    await keys.addContentKey(key(2))
    expect(told).toBe(2)
  })

  it('an epoch’s transport secret opens the public entries of its room', async () => {
    const keys = new BoardKeys()
    await keys.addContentKey(key(1), key(9))
    const pub = publicEntryKey(key(9) as TransportSecret)
    expect(await opens(keys.cipherFor(keyId(pub)), pub)).toBe(true)
    expect(keys.contentKeys(), 'a public-entry key is no content key').toEqual([key(1)])
    expect(keys.first).toBe(idOf(key(1)))
  })

  it('a relay holds only a room’s public-entry key, and an invitation’s request key reads requests: neither is a content key', async () => {
    const keys = new BoardKeys()
    let told = 0
    keys.onChange(() => told++)
    const pub = publicEntryKey(key(7) as TransportSecret)
    expect(await keys.addPublicKey(key(7) as TransportSecret)).toEqual(keyId(pub))
    expect(await keys.addPublicKey(key(7) as TransportSecret)).toEqual(keyId(pub))
    expect(await opens(keys.cipherFor(keyId(pub)), pub)).toBe(true)
    await keys.addRequestKey(key(5))
    await keys.addRequestKey(key(5))
    expect(await opens(keys.cipherFor(keyId(key(5))), key(5))).toBe(true)
    expect(keys.contentKeys()).toEqual([])
    expect(keys.hasContentKey(idOf(key(5)))).toBe(false)
    expect(keys.first).toBeNull()
    expect(told).toBe(0)
  })

  it('a key id that only starts like the first key’s is not the first key', async () => {
    const keys = new BoardKeys()
    await keys.addContentKey(key(1))
    const almost = Uint8Array.from(FIRST_KEY_ID)
    almost[almost.length - 1]! ^= 1
    expect(keys.cipherFor(almost)).toBeNull()
  })
})
