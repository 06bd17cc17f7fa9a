import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { readItems } from '../../src/core/index.ts'
import { Hearth } from '../../src/app/hearth.ts'
import { Keyring } from '../../src/storage/index.ts'
import { Clock, foundBoard, letIn, Phone, receive, sent } from './session-devices.ts'

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

describe('a board opened after its safe meeting expired', () => {
  it('loses the meeting on open, for Alice and for Bob who syncs from her afterwards', async () => {
    const t0 = new Date('2030-01-01T10:00:00Z').getTime()
    const clock = new Clock(t0)
    const alice = new Phone('Alice', clock)
    const board = await foundBoard(alice)
    const session = await alice.open(board)
    await alice.act(async () => {
      await session.createItem({
        kind: 'meeting', title: 'Support circle', body: '', author: 'Alice', tags: [], pinned: false,
        place: 'Blue door', access: 'sunflower', start: t0 + 3600_000, end: t0 + 7200_000,
      })
      await session.createItem({ kind: 'notice', title: 'Stays', body: '', author: 'Alice', tags: [], pinned: false, expiresAt: null })
    })
    // Alice switches her phone off before the meeting; it ends while the phone is off.
    await alice.stop()
    clock.advance(3 * 3600_000)

    await alice.start()
    const reopened = await alice.open(board)
    expect(readItems(reopened.doc).map((i) => i.title)).toEqual(['Stays'])
    expect(reopened.doc.getMap('items').size).toBe(1)
    await alice.stop()

    // Bob joins only now (Alice lets him in), and gets the board from Alice's phone.
    const bob = new Phone('Bob', clock)
    await bob.start()
    await letIn(alice, bob, board, 'Bob')
    await bob.start()
    const bobs = await bob.open(board)
    expect(readItems(bobs.doc).map((i) => i.title)).toEqual(['Stays'])
    expect(bobs.doc.getMap('items').size).toBe(1)
    // Not even the code word is left in Bob's readable board.
    expect(Buffer.from(Y.encodeStateAsUpdate(bobs.doc)).includes('sunflower')).toBe(false)
    await bob.stop()
  })
})

describe('a sweep on a board with two members', () => {
  it('deletes Alice’s own expired meeting for everyone (a change she signs) and Bob’s only on her phone', async () => {
    const t0 = new Date('2030-01-01T10:00:00Z').getTime()
    const clock = new Clock(t0)
    const alice = new Phone('Alice', clock)
    const bob = new Phone('Bob', clock)
    const board = await foundBoard(alice)
    await alice.stop()
    await letIn(alice, bob, board, 'Bob')
    const meeting = (title: string, code: string) => ({
      kind: 'meeting' as const, title, body: '', author: 'x', tags: [], pinned: false, place: 'Blue door', access: code, start: t0 + 3600_000, end: t0 + 7200_000,
    })

    await bob.start()
    const bobs = await bob.open(board)
    await bob.act(async () => {
      await bobs.createItem(meeting('Bob’s circle', 'sunflower'))
      await bobs.flush()
    })
    const fromBob = sent(bobs)
    await bob.stop()

    await alice.start()
    let alices = await alice.open(board)
    await receive(alice, alices, fromBob)
    await alice.act(async () => {
      await alices.createItem(meeting('Alice’s circle', 'marigold'))
      await alices.createItem({ kind: 'notice', title: 'Stays', body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
      await alices.flush()
    })
    const tag = alices.sealed.myTag
    const entriesOf = (session: typeof alices) => [...session.sealed.sealed.getMap('entries').keys()].filter((k) => k.startsWith(`${tag}.`)).length
    const before = entriesOf(alices)
    await alice.stop()

    // Both meetings end while Alice's phone is off; she opens the board again.
    clock.advance(3 * 3600_000)
    await alice.start()
    alices = await alice.open(board)
    await alice.act(() => alices.flush())
    expect(readItems(alices.doc).map((i) => i.title)).toEqual(['Stays'])
    // Her own meeting's deletion is an entry of hers (one more); Bob's is deleted on her phone only.
    expect(entriesOf(alices)).toBe(before + 1)
    const fromAlice = sent(alices)
    await alice.stop()

    // Bob's phone, whose clock is behind (both meetings still on), takes all
    // of it: nothing refused, Alice's meeting gone, his own still on. Had
    // Alice's phone signed the deletion of Bob's meeting too, Bob's engine
    // would take it as a moderator's removal (Alice founded the board) and
    // Bob's meeting would go early, "removed by Alice"; from a member who does
    // not moderate it would be refused, naming them.
    clock.advance(-2.5 * 3600_000)
    await bob.start()
    const again = await bob.open(board)
    await receive(bob, again, fromAlice)
    await bob.act(() => again.flush())
    expect(again.sealed.diagnostics.events.map((e) => e.reason)).toEqual([])
    expect(readItems(again.doc).map((i) => i.title).sort()).toEqual(['Bob’s circle', 'Stays'])
    await bob.stop()
  })
})
