/**
 * Bob is a plain member (not a moderator). He posts, edits and deletes his
 * own notices until his device compacts its entries into a snapshot. The
 * snapshot holds only what Bob was allowed to write, so every engine — his
 * own first — must accept it: before the fix, his own engine refused the
 * snapshot ("sets pinned, which only moderators set") and most of his posts
 * vanished from his own board.
 */
import { describe, expect, it } from 'vitest'
import { createItem, deleteItem, newItemId, readItems, updateItem } from '../../src/core/index.ts'
import { circle, exchange, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: 'b', author: 'Bob', tags: [], pinned: false, expiresAt: null })
const titles = (m: Member) => readItems(m.board.readable).map((i) => i.title).sort()

describe('a member’s own compaction', () => {
  it('Bob, not a moderator, posts, edits and deletes past his compaction threshold: his board and Ana’s keep exactly his live posts, nothing refused', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    const bob = await c.admit('Bob', ana, { compactAfter: 40 })
    const live: string[] = []
    const idOf = new Map<string, string>()
    for (let i = 0; i < 120; i++) {
      if (i % 7 === 6) {
        const title = live.shift()!
        deleteItem(bob.board.readable, idOf.get(title)!)
      } else if (i % 3 === 2) {
        const title = live[live.length - 1]!
        updateItem(bob.board.readable, idOf.get(title)!, { body: `edit ${i}` }, 2000 + i)
      } else {
        const title = `notice ${i}`
        const r = createItem(bob.board.readable, notice(title), 1000 + i, newItemId(bob.board.myTag))
        if (!r.ok) throw new Error(JSON.stringify(r))
        idOf.set(title, r.value.id)
        live.push(title)
      }
      await bob.board.flush()
    }
    await exchange(ana, bob)
    const refused = (m: Member) => m.board.diagnostics.events.filter((e) => !e.reason.startsWith('pending_')).map((e) => `${e.reason}: ${e.detail}`)
    expect(refused(bob)).toEqual([])
    expect(refused(ana)).toEqual([])
    expect(titles(bob)).toEqual([...live].sort())
    expect(titles(ana)).toEqual([...live].sort())
    // It did compact: fewer of Bob's entries are in the shared doc than he wrote.
    expect([...bob.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(bob.board.myTag)).length).toBeLessThan(60)
  }, 60_000)
})
