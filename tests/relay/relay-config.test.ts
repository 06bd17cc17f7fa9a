import { describe, expect, it } from 'vitest'
import { parseRelayConfig } from '../../src/relay/relay-config.ts'
import { checkLimits, DEFAULT_LIMITS } from '../../src/relay/relay-limits.ts'

describe('the relay command line', () => {
  it('runs by default, with its data in ./relay-data', () => {
    const r = parseRelayConfig([], {}, '/srv')
    expect(r).toMatchObject({ ok: true, config: { command: { name: 'run' }, dataDir: '/srv/relay-data', keyFile: null, limits: DEFAULT_LIMITS } })
  })

  it('adds a board from a relay link, with a name and extra signaling', () => {
    const r = parseRelayConfig(['add', 'https://hearth.example/#/join/abc', '--name', 'Rosa’s relay', '--signaling', 'wss://backup.example/signal', '--data', '/var/lib/hearth-relay'], {})
    expect(r).toMatchObject({ ok: true, config: { command: { name: 'add', link: 'https://hearth.example/#/join/abc', relayName: 'Rosa’s relay' }, signaling: ['wss://backup.example/signal'], dataDir: '/var/lib/hearth-relay' } })
  })

  it('says what is wrong', () => {
    expect(parseRelayConfig(['add'], {})).toMatchObject({ ok: false, error: expect.stringMatching(/relay link/) })
    expect(parseRelayConfig(['frobnicate'], {})).toMatchObject({ ok: false, error: 'unknown command frobnicate' })
    expect(parseRelayConfig(['--signaling', 'http://x'], {})).toMatchObject({ ok: false })
    expect(parseRelayConfig([], { HEARTH_RELAY_BOARD_BYTES: 'lots' })).toMatchObject({ ok: false, error: expect.stringMatching(/HEARTH_RELAY_BOARD_BYTES/) })
  })

  it('takes limits from the environment', () => {
    const r = parseRelayConfig([], { HEARTH_RELAY_BOARD_ENTRIES: '20', HEARTH_RELAY_TOTAL_BYTES: '1000000' })
    expect(r).toMatchObject({ ok: true, config: { limits: { boardEntries: 20, totalBytes: 1_000_000, boardBytes: DEFAULT_LIMITS.boardBytes } } })
  })
})

describe('relay limits', () => {
  const limits = { boardBytes: 1000, boardEntries: 10, totalBytes: 5000, totalEntries: 40, boards: 3 }
  it('let a write through that fits, and name the limit (and its variable) a write would pass', () => {
    expect(checkLimits({ boardBytes: 1000, boardEntries: 10, totalBytes: 5000, totalEntries: 40 }, limits)).toBeNull()
    expect(checkLimits({ boardBytes: 1001, boardEntries: 1, totalBytes: 1001, totalEntries: 1 }, limits)).toMatchObject({ code: 'board_bytes', message: expect.stringMatching(/HEARTH_RELAY_BOARD_BYTES/) })
    expect(checkLimits({ boardBytes: 10, boardEntries: 11, totalBytes: 10, totalEntries: 11 }, limits)?.code).toBe('board_entries')
    expect(checkLimits({ boardBytes: 10, boardEntries: 1, totalBytes: 5001, totalEntries: 1 }, limits)?.code).toBe('total_bytes')
    expect(checkLimits({ boardBytes: 10, boardEntries: 1, totalBytes: 10, totalEntries: 41 }, limits)?.code).toBe('total_entries')
  })
})
