import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { readItems } from '../../src/core/index.ts'
import { Hearth } from '../../src/app/hearth.ts'
import { Keyring } from '../../src/storage/index.ts'

describe('a board session sweeps expired items', () => {
  afterEach(() => vi.useRealTimers())

  it('deletes a safe meeting from the doc when it expires, whoever edited it last', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const t0 = new Date('2030-01-01T10:00:00Z').getTime()
    vi.setSystemTime(t0)
    const hearth = new Hearth({
      registry: await Keyring.open({ name: `hearth-expiry-${Math.random()}` }),
      network: async () => ({ signaling: [], iceServers: [], relayOnly: false }),
      appUrl: () => 'http://x/',
      wrtc: fakeWrtc(),
    })
    const created = await hearth.createBoard({ name: 'Circle', description: '', displayName: 'Alice' })
    if (!created.ok) throw new Error('create failed')
    const session = await hearth.openBoard(created.record.id)
    const meeting = await session.createItem({
      kind: 'meeting', title: 'Support circle', body: '', author: 'Alice', tags: [], pinned: false,
      place: 'Blue door', access: 'sunflower', start: t0 + 3600_000, end: t0 + 7200_000,
    })
    expect(meeting.ok).toBe(true)
    await session.createItem({ kind: 'notice', title: 'Stays', body: '', author: 'Alice', tags: [], pinned: false, expiresAt: null })
    vi.setSystemTime(t0 + 7200_000 + 1000)
    await vi.advanceTimersByTimeAsync(7200_000 + 1000)
    expect(readItems(session.doc).map((i) => i.title)).toEqual(['Stays'])
    await hearth.closeAll()
  })
})

/** WebRTC is never reached in this test (no signaling servers); connectBoard only needs the shape. */
function fakeWrtc() {
  class Never {}
  return { RTCPeerConnection: Never, RTCSessionDescription: Never, RTCIceCandidate: Never } as never
}
