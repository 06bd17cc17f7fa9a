import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS, parseLockSettings, parseSettings } from '../../src/storage/index.ts'
import { decodeDeviceFile, encodeDeviceFile, newDeviceFile, rootKey } from '../../src/storage/device-file.ts'
import { calibratedScrypt, MAX_LOG_N, MIN_LOG_N } from '../../src/storage/kdf-cost.ts'
import { readLegacySettings } from '../../src/storage/legacy-settings.ts'
import { MemoryStorage } from './support.ts'

describe('device settings', () => {
  it('falls back to defaults on anything malformed', () => {
    expect(parseSettings(null)).toEqual(DEFAULT_SETTINGS)
    expect(parseSettings('{not json')).toEqual(DEFAULT_SETTINGS)
    expect(parseSettings('42')).toEqual(DEFAULT_SETTINGS)
    const parsed = parseSettings(
      JSON.stringify({ language: 'ar', signaling: ['wss://a.example/signal', 7], iceServers: [{ urls: 'turn:t.example' }, { urls: 5 }], relayOnly: 'yes' }),
    )
    expect(parsed).toEqual({ ...DEFAULT_SETTINGS, language: 'ar', signaling: ['wss://a.example/signal'], iceServers: [{ urls: 'turn:t.example' }] })
  })

  it('lock preferences: new installs lock when hidden; anything damaged takes the default', () => {
    expect(parseLockSettings(null)).toEqual({ autoLockMinutes: 5, lockWhenHidden: true, confirmWipe: true })
    expect(parseLockSettings({ autoLockMinutes: 7, lockWhenHidden: 'no', confirmWipe: false })).toEqual({ autoLockMinutes: 5, lockWhenHidden: true, confirmWipe: false })
  })

  it('reads what older versions left in localStorage, and nothing when there is none', () => {
    const storage = new MemoryStorage()
    expect(readLegacySettings(storage)).toBeNull()
    storage.setItem('hearth.lock', '{broken')
    expect(readLegacySettings(storage)?.lock).toEqual({ autoLockMinutes: 5, lockWhenHidden: false, confirmWipe: true })
  })
})

describe('the device file', () => {
  it('is always 128 bytes, holds one root key on a new device, and round-trips its prefs', () => {
    const file = newDeviceFile({ language: 'ar', look: 'notes' })
    const bytes = encodeDeviceFile(file)
    expect(bytes).toHaveLength(128)
    const back = decodeDeviceFile(bytes)!
    expect(back.prefs).toEqual({ language: 'ar', look: 'notes' })
    expect(rootKey(back, 0)).toEqual(file.slots[0])
    expect(rootKey(back, 1)).toBeNull()
    expect(encodeDeviceFile({ ...file, prefs: { language: 'not a <tag>', look: 'hearth' } })).toHaveLength(128)
    expect(decodeDeviceFile(bytes.subarray(0, 100))).toBeNull()
  })
})

describe('the passphrase’s cost, calibrated on the device', () => {
  it('aims at about a second, never below N = 2^16 on a slow phone nor above 2^17 on a fast machine', async () => {
    // Time for the probe (N = 2^13): a fast machine, a middling one, a very slow phone.
    expect((await calibratedScrypt(async () => 40)).logN).toBe(17)
    expect((await calibratedScrypt(async () => 100)).logN).toBe(16)
    expect((await calibratedScrypt(async () => 2_000)).logN).toBe(MIN_LOG_N)
    expect((await calibratedScrypt(async () => 1)).logN).toBe(MAX_LOG_N)
  })

  it('on this machine', { timeout: 60_000 }, async () => {
    const started = performance.now()
    const params = await calibratedScrypt()
    const { derivePassphraseBytes } = await import('../../src/crypto/index.ts')
    const derived = performance.now()
    await derivePassphraseBytes('correct horse battery staple', params)
    console.log(`[measure] scrypt calibrated here (Node): N=2^${params.logN}, calibration ${(derived - started).toFixed(0)} ms, one derivation ${(performance.now() - derived).toFixed(0)} ms`)
    expect(params.logN).toBeGreaterThanOrEqual(MIN_LOG_N)
  })
})
