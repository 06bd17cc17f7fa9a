/**
 * A task's changes are sealed as one run, encoded once (local-batch.ts):
 * what was written and overwritten or deleted within the task is sealed as a
 * tombstone, its content gone. Members with real keys, through their
 * engines: honest tombstones are accepted by everyone; a member's task that
 * writes a moderator's field is refused by everyone; and devices that got
 * the entries by different routes and in different orders hold the same
 * board.
 */
import { describe, expect, it } from 'vitest'
import { createItem, deleteItem, newItemId, readItems, setPinned, updateItem } from '../../src/core/index.ts'
import { circle, exchange, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'Bob', tags: [], pinned: false, expiresAt: null })
const board = (m: Member) =>
  readItems(m.board.readable)
    .map((i) => `${i.title}${i.pinned ? ' (pinned)' : ''}`)
    .sort()
const refusals = (m: Member) => m.board.diagnostics.events.filter((e) => !e.reason.startsWith('pending_')).map((e) => e.reason)

describe('a task’s changes sealed as one run, tombstones included', () => {
  it('posted, edited and deleted within one task: accepted by everyone, and the same board whatever the order it arrived in', async () => {
    const c = await circle('Ana', 'Bob', 'Cleo')
    const [ana, bob, cleo] = c.members as [Member, Member, Member]
    const doc = bob.board.readable
    const old = newItemId(bob.board.myTag)
    expect(createItem(doc, notice('Last week’s notice'), 900, old).ok).toBe(true)
    await settle(bob)
    await exchange(ana, bob, cleo)
    // One task: a post and its edit, a post and its deletion, and the deletion of his post from before.
    const first = newItemId(bob.board.myTag)
    const second = newItemId(bob.board.myTag)
    expect(createItem(doc, notice('Meet at the blue door'), 1000, first).ok).toBe(true)
    expect(updateItem(doc, first, { title: 'Meet at the library' }, 1001).ok).toBe(true)
    expect(createItem(doc, notice('Wrong room'), 1002, second).ok).toBe(true)
    expect(deleteItem(doc, second)).toBe(true)
    expect(deleteItem(doc, old)).toBe(true)
    await settle(bob)

    // Ana gets Bob's entry first, then, as a moderator, pins his post and unpins it in one task (a tombstone of `pinned`).
    await exchange(bob, ana)
    expect(setPinned(ana.board.readable, first, true)).toBe(true)
    expect(setPinned(ana.board.readable, first, false)).toBe(true)
    expect(setPinned(ana.board.readable, first, true)).toBe(true)
    await settle(ana)
    // Cleo gets everything from Ana at once; Bob gets Ana's moderation afterwards.
    await exchange(ana, cleo)
    await exchange(ana, bob)
    await exchange(ana, bob, cleo)

    const expected = ['Meet at the library (pinned)']
    for (const m of [ana, bob, cleo]) {
      expect(board(m), m.name).toEqual(expected)
      expect(refusals(m), m.name).toEqual([])
    }
  }, 60_000)

  it('Bob pins his own post and unpins it in one task: refused by every device, his own included, whatever the order', async () => {
    const c = await circle('Ana', 'Bob', 'Cleo')
    const [ana, bob, cleo] = c.members as [Member, Member, Member]
    const post = newItemId(bob.board.myTag)
    expect(createItem(bob.board.readable, notice('Soup at six'), 1000, post).ok).toBe(true)
    await settle(bob)
    await exchange(ana, bob, cleo)
    // A later task, on his existing post: only moderators write `pinned`. The value he wrote first is gone by the
    // end of the task (sealed as a tombstone), the second is there.
    expect(setPinned(bob.board.readable, post, true)).toBe(true)
    expect(setPinned(bob.board.readable, post, false)).toBe(true)
    await settle(bob)
    // Cleo before Ana this time.
    await exchange(bob, cleo)
    await exchange(bob, ana)
    await exchange(ana, bob, cleo)
    for (const m of [ana, bob, cleo]) {
      expect(board(m), m.name).toEqual(['Soup at six'])
      expect(refusals(m), m.name).toContain('forbidden_edit')
    }
  }, 60_000)
})
