/**
 * Alice's phone keeps the verdicts its engine reached beside her board: when
 * she opens the board again, her engine does not judge again what it judged
 * before (judging is as costly as applying an update), and the board is the
 * same board.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { readItems } from '../../src/core/index.ts'
import { judgeUpdate } from '../../src/sealed/authority.ts'
import { Clock, Phone } from './session-devices.ts'

vi.mock('../../src/sealed/authority.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/sealed/authority.ts')>()
  return { ...actual, judgeUpdate: vi.fn(actual.judgeUpdate) }
})
const judged = vi.mocked(judgeUpdate)

afterEach(() => judged.mockClear())

describe('a board opened again', () => {
  it('is not judged again: the verdicts Alice’s phone reached are kept beside the board, encrypted', async () => {
    const alice = new Phone('Alice', new Clock(Date.now()))
    await alice.start()
    const created = await alice.act(() => alice.hearth.createBoard({ name: 'Mutual aid', description: '', displayName: 'Alice' }))
    if (!created.ok) throw new Error('create failed')
    const board = created.record.id
    const session = await alice.open(board)
    for (const title of ['Soup on Sunday', 'Coats for the winter drive', 'Rides to the clinic']) {
      const r = await alice.act(() => session.createItem({ kind: 'notice', title, body: '', author: 'Alice', tags: [], pinned: false, expiresAt: null }))
      expect(r.ok).toBe(true)
    }
    const titles = readItems(session.doc).map((i) => i.title).sort()
    expect(judged.mock.calls.length).toBeGreaterThan(0)
    // Closing saves them (the phone switched off before the engine's own save).
    await alice.stop()

    judged.mockClear()
    await alice.start()
    const reopened = await alice.open(board)
    expect(readItems(reopened.doc).map((i) => i.title).sort()).toEqual(titles)
    expect(judged).not.toHaveBeenCalled()
    expect(reopened.sealed.diagnostics.total).toBe(0)
    await alice.stop()
  })

  it('a wipe closes the boards without writing them: the verdicts are not saved on the way out', async () => {
    const alice = new Phone('Alice', new Clock(Date.now()))
    await alice.start()
    const created = await alice.act(() => alice.hearth.createBoard({ name: 'Mutual aid', description: '', displayName: 'Alice' }))
    if (!created.ok) throw new Error('create failed')
    const session = await alice.open(created.record.id)
    await alice.act(() => session.createItem({ kind: 'notice', title: 'Soup on Sunday', body: '', author: 'Alice', tags: [], pinned: false, expiresAt: null }))
    const save = vi.spyOn(session.sealed, 'saveVerdicts')
    await alice.act(() => alice.hearth.closeAll({ keepVerdicts: false }))
    expect(save).not.toHaveBeenCalled()

    const again = await alice.open(created.record.id)
    const kept = vi.spyOn(again.sealed, 'saveVerdicts')
    await alice.act(() => alice.hearth.closeAll())
    expect(kept).toHaveBeenCalledTimes(1)
  })
})
