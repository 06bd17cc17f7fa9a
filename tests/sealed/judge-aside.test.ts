/**
 * Large entries are judged aside, in slices (entry-handler.ts, pump.ts). Two
 * of them by different authors that both wait on what has not come must
 * wait, not take turns for ever: the first version judged one aside, found
 * it waiting, judged the other aside in the next round, found the first
 * needing a judgement again, and so on — the engine never finished its turn,
 * and nothing after it ever ran.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems, removeItem } from '../../src/core/index.ts'
import { JUDGE_IN_SLICES_FROM } from '../../src/sealed/entry-handler.ts'
import { circle, device, exchange, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: `${title}: meet at the usual place, bring blankets`, author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (m: Member) => readItems(m.board.readable).map((i) => i.title).sort()

/** `n` notices and the take-down of `post`, in one task: one large entry that builds on Carol's post. */
function postManyAndTakeDown(m: Member, n: number, post: string): void {
  Y.transact(m.board.readable, () => {
    for (let i = 0; i < n; i++) {
      const r = createItem(m.board.readable, notice(`${m.name} ${i}`), 1000 + i, newItemId(m.board.myTag))
      if (!r.ok) throw new Error(JSON.stringify(r))
    }
    if (!removeItem(m.board.readable, post, Date.now())) throw new Error(`${m.name} could not take the post down`)
  })
}

describe('large entries judged aside', () => {
  it('Ana’s and Bob’s large entries both wait on Carol’s post, which Dave’s reopened device lacks: they wait, the engine finishes its turn, and both apply once her post comes', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    const bob = await c.admit('Bob')
    const carol = await c.admit('Carol')
    const dave = await c.admit('Dave')
    await ana.board.setRole(bob.board.myTag, 'moderator')
    await exchange(ana, bob, carol, dave)
    const post = newItemId(carol.board.myTag)
    expect(createItem(carol.board.readable, notice('Carol’s post'), 1000, post).ok).toBe(true)
    await settle(carol)
    const carolsKeys = () => [...ana.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(`${carol.board.myTag}.`))
    await exchange(ana, bob, carol)
    const carolsLast = carolsKeys().sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])).at(-1)!

    // Both moderators take the post down, each with 800 notices of their own in the same task.
    postManyAndTakeDown(ana, 800, post)
    postManyAndTakeDown(bob, 800, post)
    await settle(ana, bob)
    await exchange(ana, bob)
    const large = (m: Member) => [...ana.board.sealed.getMap<Uint8Array>('entries')].filter(([k, v]) => k.startsWith(`${m.board.myTag}.`) && v.length > JUDGE_IN_SLICES_FROM)
    expect(large(ana)).toHaveLength(1)
    expect(large(bob)).toHaveLength(1)

    // Dave's device reopens with everything but Carol's post.
    const stored = new Y.Doc()
    Y.applyUpdate(stored, Y.encodeStateAsUpdate(ana.board.sealed))
    const carolsPost = stored.getMap<Uint8Array>('entries').get(carolsLast)!
    stored.getMap('entries').delete(carolsLast)
    const again = await device('Dave, reopened', { keys: dave.keys, sealed: stored, boardId: c.boardId })
    await again.board.flush()
    expect(titles(again).filter((t) => t.startsWith('Ana ') || t.startsWith('Bob '))).toEqual([])
    expect(again.board.diagnostics.events.filter((e) => !e.reason.startsWith('pending_'))).toEqual([])

    // Her post comes: both large entries apply, and the post is down.
    stored.getMap('entries').set(carolsLast, carolsPost)
    await again.board.flush()
    expect(titles(again)).toEqual(titles(ana))
    expect(titles(again).filter((t) => t.startsWith('Ana ') || t.startsWith('Bob '))).toHaveLength(1600)
    expect(titles(again)).not.toContain('Carol’s post')
  }, 60_000)
})
