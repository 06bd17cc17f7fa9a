/**
 * Before a device seals a snapshot of its own history, it asks whether the
 * snapshot would be accepted (entry-handler.ts `admits`): the whole history
 * is judged. The snapshot's own turn then comes with nothing handled in
 * between, against the same doc, with the same rights: that judgement is
 * used, not made a second time (a prolific author's history is megabytes,
 * and judging it was half of what a compaction cost).
 */
import { describe, expect, it, vi } from 'vitest'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { circle, exchange, type Member } from './fixture.ts'

const judged = vi.hoisted(() => ({ sizes: [] as number[] }))
vi.mock('../../src/sealed/authority.ts', async (original) => {
  const actual = await original<typeof import('../../src/sealed/authority.ts')>()
  return {
    ...actual,
    judgeUpdateInSlices: (...args: Parameters<typeof actual.judgeUpdateInSlices>) => {
      judged.sizes.push(args[2].length)
      return actual.judgeUpdateInSlices(...args)
    },
  }
})

const notice = (title: string) => ({ kind: 'notice', title, body: `${title}: ${'the clinic is open late on Thursdays, ask for Sam at the desk. '.repeat(60)}`, author: 'Bob', tags: [], pinned: false, expiresAt: null })
const titles = (m: Member) => readItems(m.board.readable).map((i) => i.title).sort()

describe('a compaction judges its snapshot once', () => {
  it('Bob’s 20 long notices (over 64 KB in all) are compacted into one snapshot: it is judged once on his device, and Ana, who judges it afresh, reads all 20', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    const bob = await c.admit('Bob', ana, { compactAfter: 1_000 })
    const posted: string[] = []
    for (let i = 0; i < 20; i++) {
      const r = createItem(bob.board.readable, notice(`notice ${i}`), 1000 + i, newItemId(bob.board.myTag))
      if (!r.ok) throw new Error(JSON.stringify(r))
      posted.push(`notice ${i}`)
      await bob.board.flush()
    }
    judged.sizes.length = 0
    await bob.board.compactNow()
    // A snapshot's key is `<tag>.<from>-<seq>` (entry-key.ts); the tag is base64url and may hold a '-' itself.
    const snapshots = [...bob.board.sealed.getMap<Uint8Array>('entries')].filter(([k]) => k.startsWith(`${bob.board.myTag}.`) && k.split('.')[1]!.includes('-'))
    expect(snapshots).toHaveLength(1)
    expect(snapshots[0]![1].length).toBeGreaterThan(64 * 1024)
    // One judgement of the whole history, larger than the 20 notices' text.
    expect(judged.sizes).toHaveLength(1)
    expect(judged.sizes[0]).toBeGreaterThan(20 * 3_000)
    expect(titles(bob)).toEqual(posted.sort())
    await exchange(ana, bob)
    expect(titles(ana)).toEqual(posted.sort())
    expect(ana.board.diagnostics.events.filter((e) => !e.reason.startsWith('pending_'))).toEqual([])
    expect(bob.board.diagnostics.events.filter((e) => !e.reason.startsWith('pending_'))).toEqual([])
  }, 60_000)
})
