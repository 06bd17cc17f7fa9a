/**
 * The first look at a value under a key of the shared map, before anything
 * else touches it: Eve puts Alice's signed entry under keys of her choosing.
 */
import { describe, expect, it } from 'vitest'
import { generateDeviceKeys, importContentKey, importDeviceSigner, keyId, sealEntry, type EntryHeader } from '../../src/crypto/index.ts'
import { entryKey, MAX_KEY_LENGTH } from '../../src/sealed/entry-key.ts'
import { screenEntry } from '../../src/sealed/screen.ts'
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
