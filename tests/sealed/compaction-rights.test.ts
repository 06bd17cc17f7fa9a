/**
 * Bob is a plain member (not a moderator). He posts, edits and deletes his
 * own notices until his device compacts its entries into a snapshot. The
 * snapshot holds only what Bob was allowed to write, so every engine — his
 * own first — must accept it: before the fix, his own engine refused the
 * snapshot ("sets pinned, which only moderators set") and most of his posts
 * vanished from his own board.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createItem, deleteItem, newItemId, readItems, readMeta, setPinned, updateItem, updateMeta } from '../../src/core/index.ts'
import { Refusals } from '../../src/sealed/compaction-memory.ts'
import { circle, exchange, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: 'b', author: 'Bob', tags: [], pinned: false, expiresAt: null })
const titles = (m: Member) => readItems(m.board.readable).map((i) => i.title).sort()

describe('a member’s own compaction', () => {
  afterEach(() => vi.restoreAllMocks())

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

  it('Bob renamed the board as a moderator and was made a member again: his compactions never seal his rename under his new rights, and no post of his is lost', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    const bob = await c.admit('Bob', ana, { compactAfter: 10 })
    await ana.board.setRole(bob.board.myTag, 'moderator')
    await exchange(ana, bob)
    const posted: string[] = []
    const postOne = async (title: string) => {
      const r = createItem(bob.board.readable, notice(title), Date.now(), newItemId(bob.board.myTag))
      if (!r.ok) throw new Error(JSON.stringify(r))
      posted.push(title)
      await bob.board.flush()
    }
    await postOne('first')
    expect(updateMeta(bob.board.readable, { name: 'Bob named it' }, Date.now()).ok).toBe(true)
    await bob.board.flush()
    for (let i = 0; i < 3; i++) await postOne(`before ${i}`)
    await exchange(ana, bob)
    await ana.board.setRole(bob.board.myTag, 'member')
    await exchange(ana, bob)
    for (let i = 0; i < 25; i++) await postOne(`after ${i}`)
    await exchange(ana, bob)
    const refused = (m: Member) => m.board.diagnostics.events.filter((e) => !e.reason.startsWith('pending_')).map((e) => `${e.reason}: ${e.detail}`)
    for (const m of [ana, bob]) {
      expect(refused(m), m.name).toEqual([])
      expect(titles(m), m.name).toEqual([...posted].sort())
      expect(readMeta(m.board.readable)?.name, m.name).toBe('Bob named it')
    }
    // A device that opens the board afresh reads the same.
    const carol = await c.admit('Carol', ana)
    await exchange(ana, bob, carol)
    expect(titles(carol)).toEqual([...posted].sort())
    expect(refused(carol)).toEqual([])
    // What he wrote as a member was compacted apart from the rename: his history does not grow for good.
    expect([...bob.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(bob.board.myTag)).length).toBeLessThan(25)
  }, 60_000)

  it('Bob pinned Carol’s post as a moderator and was made a member again: his compactions never seal his pin under his new rights, the pin stands, and no post of his is lost', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    const bob = await c.admit('Bob', ana, { compactAfter: 10 })
    const carol = await c.admit('Carol', ana)
    await ana.board.setRole(bob.board.myTag, 'moderator')
    const r = createItem(carol.board.readable, { ...notice('Spare coats'), author: 'Carol' }, Date.now(), newItemId(carol.board.myTag))
    if (!r.ok) throw new Error(JSON.stringify(r))
    await carol.board.flush()
    await exchange(ana, bob, carol)
    const posted: string[] = []
    const postOne = async (title: string) => {
      const p = createItem(bob.board.readable, notice(title), Date.now(), newItemId(bob.board.myTag))
      if (!p.ok) throw new Error(JSON.stringify(p))
      posted.push(title)
      await bob.board.flush()
    }
    await postOne('first')
    // The pin builds on Carol's post: his later structs wait for it in a replay of his own history.
    expect(setPinned(bob.board.readable, r.value.id, true)).toBe(true)
    await bob.board.flush()
    for (let i = 0; i < 3; i++) await postOne(`before ${i}`)
    await exchange(ana, bob, carol)
    await ana.board.setRole(bob.board.myTag, 'member')
    await exchange(ana, bob, carol)
    const refused = vi.spyOn(Refusals.prototype, 'add')
    for (let i = 0; i < 25; i++) await postOne(`after ${i}`)
    // His whole history, which holds the pin, was replayed, judged and refused once from each first part it had (his
    // run from before, sealed on the heads it was written on, is a snapshot of its own since), not at every compaction.
    const wholes = refused.mock.calls.filter(([, whole]) => whole).map(([parts]) => parts[0]!.key)
    expect(wholes.length).toBeGreaterThan(0)
    expect(new Set(wholes).size).toBe(wholes.length)
    await exchange(ana, bob, carol)
    const dan = await c.admit('Dan', ana)
    await exchange(ana, bob, carol, dan)
    const refusedOn = (m: Member) => m.board.diagnostics.events.filter((e) => !e.reason.startsWith('pending_')).map((e) => `${e.reason}: ${e.detail}`)
    for (const m of [ana, bob, carol, dan]) {
      expect(refusedOn(m), m.name).toEqual([])
      expect(titles(m), m.name).toEqual([...posted, 'Spare coats'].sort())
      expect(readItems(m.board.readable).find((i) => i.id === r.value.id)?.pinned, `${m.name} sees the pin`).toBe(true)
    }
    // It did compact what came after: fewer of Bob's entries are in the shared doc than he wrote.
    expect([...bob.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(bob.board.myTag)).length).toBeLessThan(25)
  }, 60_000)
})
