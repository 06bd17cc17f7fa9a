/**
 * A device that takes a new epoch's keys (its own rotation, or one it
 * receives) seals under the new key from then on, and whatever it seals is
 * sent to the room it is in. It moves to the new room as it takes the keys,
 * before anything else runs: it used to write its keyring first, and a post
 * or a compaction sealed meanwhile went to the room left, where the device
 * just removed still was (a relay stored such an entry once, under load).
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

describe('the room a device is in', () => {
  it('Alice, removing Eve, is in the new room as she takes the new keys, before anything else she seals', async () => {
    const clock = new Clock(new Date('2030-01-01T10:00:00Z').getTime())
    const [alice, eve] = ['Alice', 'Eve'].map((n) => new Phone(n, clock)) as [Phone, Phone]
    const board = await foundBoard(alice)
    await alice.stop()
    await letIn(alice, eve, board, 'Eve')

    await alice.start()
    const alices = await alice.open(board)
    const roomsOf = () => [...live].filter(([, doc]) => doc === alices.sealed.sealed).map(([room]) => room)
    const before = roomsOf()
    expect(before).toHaveLength(1)
    // Listened to after the session's own listener: what runs next, here, could seal (a post, a compaction).
    const atKeys: { rooms: string[]; epochRoom: string | null }[] = []
    alices.sealed.onKeys(() => {
      const transport = alices.sealed.epoch?.transport
      atKeys.push({ rooms: roomsOf(), epochRoom: transport ? deriveTransportKeys(transport as TransportSecret).room : null })
    })
    await alice.act(() => alices.removeMember(alices.sealed.members().find((m) => m.name === 'Eve')!.id))

    expect(atKeys).toHaveLength(1)
    const [taken] = atKeys as [{ rooms: string[]; epochRoom: string }]
    expect(taken.epochRoom).not.toBe(before[0])
    expect(taken.rooms).toEqual([taken.epochRoom])
    expect(roomsOf()).toEqual([taken.epochRoom])
    await alice.stop()
  }, 30_000)
})
