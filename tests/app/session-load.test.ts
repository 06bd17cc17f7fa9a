/**
 * A board opened again reads its stored state back through the engine's
 * cutter, so that the store applies it in parts of a bounded size, a task
 * apart (storage/board-store.ts), and never as one long task that holds the
 * page while a large board opens. The store cannot cut by itself (storage/
 * may not import the engine): if the session stopped handing it the cutter,
 * the board would still open, only in one piece, and nothing but this test
 * and the bench's long-task profile would notice.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { readItems } from '../../src/core/index.ts'
import { APPLY_PART_BYTES } from '../../src/sealed/pump.ts'
import { cutLazily } from '../../src/sealed/split-update.ts'
import { Clock, foundBoard, Phone } from './session-devices.ts'

/** Every update the session's cutter was given, the parts it gave, and whether the store took them all. */
const given: { update: Uint8Array; maxBytes: number; parts: Uint8Array[]; finished: boolean }[] = []

vi.mock('../../src/sealed/split-update.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/sealed/split-update.ts')>()
  return {
    ...actual,
    cutLazily: vi.fn(function* (update: Uint8Array, maxBytes: number) {
      const record = { update, maxBytes, parts: [] as Uint8Array[], finished: false }
      given.push(record)
      for (const part of actual.cutLazily(update, maxBytes)) {
        record.parts.push(part)
        yield part
      }
      record.finished = true
    }),
  }
})

afterEach(() => {
  given.length = 0
  vi.mocked(cutLazily).mockClear()
})

describe('a board opened again', () => {
  it('goes in through the engine’s cutter, in parts no larger than the engine applies at once, and is the same board', async () => {
    const alice = new Phone('Alice', new Clock(Date.now()))
    const board = await foundBoard(alice)
    const session = await alice.open(board)
    // Enough text that the stored state is several parts long.
    for (let i = 0; i < 24; i++) {
      const body = `Shift ${i}: ` + Array.from({ length: 400 }, (_, w) => `word${(i * 400 + w) % 997}`).join(' ').slice(0, 4000)
      const r = await alice.act(() => session.createItem({ kind: 'notice', title: `Rota ${i}`, body, author: 'Alice', tags: [], pinned: false, expiresAt: null }))
      expect(r.ok).toBe(true)
    }
    const items = readItems(session.doc).map((i) => [i.title, i.body])
    await alice.stop()

    given.length = 0
    await alice.start()
    const reopened = await alice.open(board)
    const stored = given.reduce((n, g) => n + g.update.length, 0)
    expect(stored).toBeGreaterThan(2 * APPLY_PART_BYTES)
    for (const g of given) {
      expect(g.maxBytes).toBe(APPLY_PART_BYTES)
      // The store took every part (the cutter ran to its end).
      expect(g.finished).toBe(true)
    }
    expect(given.flatMap((g) => g.parts).length).toBeGreaterThan(2)
    // And the parts made the same board.
    expect(readItems(reopened.doc).map((i) => [i.title, i.body])).toEqual(items)
    await alice.stop()
  })
})
