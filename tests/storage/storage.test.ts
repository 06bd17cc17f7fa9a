import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { deriveTransportKeys, generateTransportSecret } from '../../src/crypto/index.ts'
import { BoardRegistry, parseSettings, DEFAULT_SETTINGS } from '../../src/storage/index.ts'

const newBoard = () => {
  const secret = generateTransportSecret()
  return { transportSecret: secret, id: deriveTransportKeys(secret).boardId }
}

describe('board registry', () => {
  it('remembers Alice’s boards, most recently opened first, and forgets one she leaves', async () => {
    const registry = new BoardRegistry()
    const a = newBoard()
    const b = newBoard()
    await registry.put({ ...a, displayName: 'Alice', name: 'Food bank', addedAt: 1, openedAt: 10 })
    await registry.put({ ...b, displayName: 'Ali', name: 'Housing', addedAt: 2, openedAt: 20 })
    expect((await registry.list()).map((r) => r.name)).toEqual(['Housing', 'Food bank'])
    const stored = await registry.get(a.id)
    expect(stored?.transportSecret).toEqual(a.transportSecret)
    await registry.update(a.id, { openedAt: 30, name: 'Food bank (north)' })
    expect((await registry.list()).map((r) => r.name)).toEqual(['Food bank (north)', 'Housing'])
    await registry.remove(b.id)
    expect((await registry.list()).map((r) => r.id)).toEqual([a.id])
    expect(await registry.update(b.id, { name: 'x' })).toBeNull()
    await registry.remove(a.id)
    await registry.close()
  })
})

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
})
