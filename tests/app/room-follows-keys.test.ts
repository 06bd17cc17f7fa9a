/**
 * A device that takes a new epoch's keys (its own rotation, or one it
 * receives) writes its keyring, then moves to the epoch's room. Whatever it
 * seals is sent to the room it is in: it seals nothing under the new key
 * before it is in the new room, or a post made in that moment would go to
 * the room left, where the device just removed may still be (a relay stored
 * such an entry once, under load).
 */
import { describe, expect, it, vi } from 'vitest'
import type * as Sync from '../../src/sync/index.ts'
import { deriveTransportKeys, type TransportSecret } from '../../src/crypto/index.ts'
import { Clock, foundBoard, letIn, Phone } from './session-devices.ts'

/** The rooms a board's own doc is connected to right now (forwarding presences hold docs of their own). */
const live = new Map<string, unknown>()

vi.mock('../../src/sync/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof Sync>()
  return {
    ...real,
    connectBoard: (opts: Parameters<typeof Sync.connectBoard>[0]) => {
      const sync = real.connectBoard(opts)
      live.set(opts.room, opts.doc)
      const destroy = sync.destroy.bind(sync)
      return Object.assign(sync, {
        destroy: () => {
          live.delete(opts.room)
          return destroy()
        },
      })
    },
  }
})

describe('the room a device seals in', () => {
  it('Alice, removing Eve, posts while her keyring is still being written: the post is sealed only once she is in the new room', async () => {
    const clock = new Clock(new Date('2030-01-01T10:00:00Z').getTime())
    const [alice, eve] = ['Alice', 'Eve'].map((n) => new Phone(n, clock)) as [Phone, Phone]
    const board = await foundBoard(alice)
    await alice.stop()
    await letIn(alice, eve, board, 'Eve')

    const hearth = await alice.start()
    const alices = await alice.open(board)
    const roomsOf = () => [...live].filter(([, doc]) => doc === alices.sealed.sealed).map(([room]) => room)
    const [oldRoom] = roomsOf() as [string]
    expect(roomsOf()).toEqual([oldRoom])

    // The keyring write that keeps the new keys takes a while (a busy disk, a slow phone).
    let keyringWritten = (): void => {}
    const written = new Promise<void>((resolve) => (keyringWritten = resolve))
    const update = hearth.registry.update.bind(hearth.registry)
    vi.spyOn(hearth.registry, 'update').mockImplementation(async (id, patch) => {
      if (patch.keys) await written
      return update(id, patch)
    })
    // Which rooms the doc was in as each entry was written to it.
    const writtenIn = new Map<string, string[]>()
    alices.sealed.sealed.getMap('entries').observe((event) => {
      for (const [key, change] of event.changes.keys) if (change.action === 'add') writtenIn.set(key, roomsOf())
    })
    // Alice posts the moment she has the new keys (listened to after the session's own listener).
    let posting: Promise<unknown> | null = null
    alices.sealed.onKeys(() => {
      posting ??= alice.act(() => alices.createItem({ kind: 'notice', title: 'Only for the circle now', body: '', author: 'Alice', tags: [], pinned: false, expiresAt: null }))
    })
    const before = new Set(alices.sealed.sealed.getMap('entries').keys())
    const removing = alice.act(() => alices.removeMember(alices.sealed.members().find((m) => m.name === 'Eve')!.id))
    await vi.waitFor(() => expect(posting).not.toBeNull())
    // Time enough for the post to be sealed, had it not waited for the room.
    await new Promise((resolve) => setTimeout(resolve, 200))
    keyringWritten()
    await removing
    await posting
    await alice.act(() => alices.flush())

    const transport = alices.sealed.epoch!.transport as TransportSecret
    const newRoom = deriveTransportKeys(transport).room
    expect(newRoom).not.toBe(oldRoom)
    expect(roomsOf()).toEqual([newRoom])
    const mine = [...alices.sealed.sealed.getMap('entries').keys()].filter((k) => !before.has(k) && k.startsWith(`${alices.me}.`))
    // The removal and the rotation, then the post.
    expect(mine.length).toBeGreaterThanOrEqual(3)
    const post = mine.reduce((a, b) => (Number(a.split('.')[1]) > Number(b.split('.')[1]) ? a : b))
    expect(alices.doc.getMap('items').size).toBe(1)
    expect(writtenIn.get(post)).toEqual([newRoom])
    for (const k of mine.filter((k) => k !== post)) expect(writtenIn.get(k), k).toEqual([oldRoom])
    await alice.stop()
  }, 30_000)
})
