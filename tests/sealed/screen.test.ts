/**
 * The first look at a value under a key of the shared map, before anything
 * else touches it: Eve puts Alice's signed entry under keys of her choosing.
 */
import { describe, expect, it } from 'vitest'
import { generateDeviceKeys, importContentKey, importDeviceSigner, keyId, parseEntry, sealEntry, WorkerCrypto, type ContentCipher, type EntryHeader } from '../../src/crypto/index.ts'
import { entryKey, MAX_KEY_LENGTH } from '../../src/sealed/entry-key.ts'
import { sameBytes, screenEntry } from '../../src/sealed/screen.ts'
import { channelWorker, closeChannels } from '../support/channel-worker.ts'
import { mulberry32 } from '../support/mulberry32.ts'
import { CONTENT_KEY, OLD_BOARD_ID } from './fixture.ts'

async function alicesEntry() {
  const keys = await generateDeviceKeys()
  const header: EntryHeader = { kind: 'update', boardId: OLD_BOARD_ID, keyId: keyId(CONTENT_KEY), author: keys.signPublic, seq: 1, from: 1 }
  const bytes = await sealEntry(header, new Uint8Array([0]), await importContentKey(CONTENT_KEY), await importDeviceSigner(keys))
  return { key: entryKey(header), bytes }
}

describe('screening an entry', () => {
  it('Alice’s entry under its own key passes; under another key of the longest length a key may have, it is a replay; one character longer, it is not even read', async () => {
    const { key, bytes } = await alicesEntry()
    expect(await screenEntry(key, bytes, OLD_BOARD_ID)).toMatchObject({ ok: true, bytes })
    expect(await screenEntry('x'.repeat(MAX_KEY_LENGTH), bytes, OLD_BOARD_ID)).toMatchObject({ ok: false, reason: 'wrong_key' })
    expect(await screenEntry('x'.repeat(MAX_KEY_LENGTH + 1), bytes, OLD_BOARD_ID)).toEqual({ ok: false, reason: 'malformed', entry: null })
  })
})

describe('decrypting while the signature is checked', () => {
  /** Signature checks that answer only when told to. */
  function heldChecks(answer: boolean) {
    let release = () => {}
    const crypto = {
      verify: () => new Promise<boolean>((resolve) => (release = () => resolve(answer))),
      decrypt: () => Promise.reject(new Error('not used here')),
    }
    return { crypto, release: () => release() }
  }

  /** Alice's content key, counting the decryptions it begins. */
  async function countingCipher() {
    const cipher = await importContentKey(CONTENT_KEY)
    const opened: Uint8Array[] = []
    const counting: ContentCipher = { ...cipher, decrypt: (nonce, ciphertext, ad) => (opened.push(ciphertext), cipher.decrypt(nonce, ciphertext, ad)) }
    return { cipher: counting, opened }
  }

  it('Alice’s entry is opened before its signature check answers, and the screening hands over what it decrypted', async () => {
    const { key, bytes } = await alicesEntry()
    const { cipher, opened } = await countingCipher()
    const held = heldChecks(true)
    const screening = screenEntry(key, bytes, OLD_BOARD_ID, held.crypto, () => cipher)
    await new Promise((resolve) => setTimeout(resolve, 10))
    // Alice's entry's own ciphertext.
    const parsed = parseEntry(bytes)
    expect(parsed.ok && opened).toEqual([parsed.ok ? parsed.entry.ciphertext : null])
    held.release()
    const screened = await screening
    expect(screened.ok).toBe(true)
    if (screened.ok) expect(await screened.opening).toEqual(new Uint8Array([0]))
  })

  it('an entry whose signature fails is refused for that, though it decrypted; one that is not even Alice’s board is never opened', async () => {
    const { key, bytes } = await alicesEntry()
    const { cipher, opened } = await countingCipher()
    const held = heldChecks(false)
    const screening = screenEntry(key, bytes, OLD_BOARD_ID, held.crypto, () => cipher)
    held.release()
    expect(await screening).toMatchObject({ ok: false, reason: 'bad_signature' })
    expect(opened).toHaveLength(1)
    expect(await screenEntry(key, bytes, new Uint8Array(16), held.crypto, () => cipher)).toMatchObject({ ok: false, reason: 'wrong_board' })
    expect(opened).toHaveLength(1)
  })

  it('no cipher, no opening: an entry whose key this device does not hold is checked only', async () => {
    const { key, bytes } = await alicesEntry()
    const screened = await screenEntry(key, bytes, OLD_BOARD_ID, undefined, () => null)
    expect(screened).toMatchObject({ ok: true, opening: null })
  })

  it('where the checks run in a worker, the check and the decryption are one request: the same verdicts, the same payload', async () => {
    const { key, bytes } = await alicesEntry()
    const { cipher, opened } = await countingCipher()
    const { worker, seen } = channelWorker()
    const work = new WorkerCrypto(() => worker)
    const asked = () => seen.map((s) => s.op)
    try {
      const screened = await screenEntry(key, bytes, OLD_BOARD_ID, work, () => cipher)
      expect(screened).toMatchObject({ ok: true })
      if (screened.ok) expect(await screened.opening).toEqual(new Uint8Array([0]))
      // One request, with the entry's bytes once; not through the cipher's own decrypt: the worker decrypted with its key.
      expect(asked()).toEqual(['open'])
      expect(seen[0]!.bytes.filter((b) => b.length === bytes.length)).toHaveLength(1)
      expect(opened).toEqual([])
      const forged = bytes.slice()
      forged[forged.length - 1]! ^= 1
      expect(await screenEntry(key, forged, OLD_BOARD_ID, work, () => cipher)).toMatchObject({ ok: false, reason: 'bad_signature' })
      expect(asked()).toEqual(['open', 'open'])
    } finally {
      work.close()
      closeChannels()
    }
  })
})

describe('byte equality of entries', () => {
  const naive = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

  it('agrees with a byte-by-byte comparison: every length up to 40, views at every offset, one byte changed anywhere', () => {
    let state = 7
    const random = () => {
      const [next, value] = mulberry32(state)
      state = next
      return value
    }
    for (let length = 0; length <= 40; length++) {
      const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256))
      for (let offsetA = 0; offsetA < 4; offsetA++) {
        for (let offsetB = 0; offsetB < 4; offsetB++) {
          const a = new Uint8Array(length + offsetA).subarray(offsetA)
          const b = new Uint8Array(length + offsetB).subarray(offsetB)
          a.set(bytes)
          b.set(bytes)
          expect(sameBytes(a, b)).toBe(true)
          for (let at = 0; at < length; at++) {
            b[at]! ^= 1 << (at % 8)
            expect(sameBytes(a, b)).toBe(false)
            expect(naive(a, b)).toBe(false)
            b[at] = bytes[at]!
          }
          expect(sameBytes(a, b.subarray(0, Math.max(0, length - 1)))).toBe(length === 0)
        }
      }
    }
  })

  it('tells a megabyte entry from one that differs only in its last byte', () => {
    const a = Uint8Array.from({ length: 1024 * 1024 + 3 }, (_, i) => i & 0xff)
    const b = a.slice()
    expect(sameBytes(a, b)).toBe(true)
    b[b.length - 1]! ^= 0x80
    expect(sameBytes(a, b)).toBe(false)
  })
})
