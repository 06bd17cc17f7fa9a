/**
 * Eve is a full member. Everything she tries here goes through her own
 * engine, as a tampered app would: her readable doc seals whatever she
 * writes. Every honest device — and Eve's own engine — refuses what she may
 * not do, from the signed entries alone.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, deleteItem, metaMap, newItemId, readItems, readMeta, setPinned, updateItem } from '../../src/core/index.ts'
import { boundClientId } from '../../src/crypto/index.ts'
import { circle, device, exchange, settle, type Member } from './fixture.ts'

const meeting = (title: string) => ({ kind: 'meeting', title, body: '', author: 'x', tags: [], pinned: false, place: 'Back room, Café Noor', access: 'Ask for Samir', start: Date.now() + 3_600_000, end: Date.now() + 7_200_000 })
const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const byTitle = (doc: Y.Doc) => Object.fromEntries(readItems(doc).map((i) => [i.title, i]))
const reasons = (m: Member) => m.board.diagnostics.events.map((e) => e.reason)

async function boardWithEve() {
  const c = await circle('Ana', 'Alice', 'Bob', 'Eve')
  const [ana, alice, bob, eve] = c.members as [Member, Member, Member, Member]
  const r = createItem(alice.board.readable, meeting('Safe meeting'), Date.now(), newItemId(alice.board.myTag))
  if (!r.ok) throw new Error('create failed')
  await alice.board.flush()
  await exchange(ana, alice, bob, eve)
  return { c, ana, alice, bob, eve, id: r.value.id, everyone: [ana, alice, bob, eve] }
}

describe('no member can rewrite, erase or pin another member’s posts', () => {
  it('Eve rewrites Alice’s safe meeting: every device, Eve’s own included, keeps Alice’s words; Alice’s device names Eve', async () => {
    const { alice, bob, eve, id, everyone } = await boardWithEve()
    updateItem(eve.board.readable, id, { place: 'Police station', access: 'Tell them your name' }, Date.now())
    await settle(eve)
    await exchange(...everyone)
    for (const m of everyone) expect(byTitle(m.board.readable)['Safe meeting'], m.name).toMatchObject({ place: 'Back room, Café Noor', access: 'Ask for Samir' })
    for (const m of [alice, bob]) {
      expect(reasons(m)).toContain('forbidden_edit')
      expect(m.board.diagnostics.suspects()).toEqual(new Set([eve.board.myTag]))
    }
  })

  it('Eve deletes Alice’s post: refused everywhere', async () => {
    const { alice, eve, id, everyone } = await boardWithEve()
    deleteItem(eve.board.readable, id)
    await settle(eve)
    await exchange(...everyone)
    for (const m of everyone) expect(Object.keys(byTitle(m.board.readable))).toEqual(['Safe meeting'])
    expect(reasons(alice)).toContain('forbidden_delete')
  })

  it('Eve pins her own post and renames the board: both are moderators’ acts, refused', async () => {
    const { ana, alice, eve, everyone } = await boardWithEve()
    createItem(eve.board.readable, notice('Look at me'), Date.now(), newItemId(eve.board.myTag))
    await settle(eve)
    const [mine] = readItems(eve.board.readable).filter((i) => i.title === 'Look at me')
    setPinned(eve.board.readable, mine!.id, true)
    await settle(eve)
    eve.board.readable.transact(() => metaMap(eve.board.readable).set('name', 'Eve’s board'))
    await settle(eve)
    await exchange(...everyone)
    for (const m of everyone) {
      expect(byTitle(m.board.readable)['Look at me']?.pinned, m.name).toBe(false)
      expect(readMeta(m.board.readable).name).not.toBe('Eve’s board')
    }
    expect(reasons(alice).filter((r) => r === 'forbidden_edit')).toHaveLength(2)
    void ana
  })

  it('Eve writes outside the board’s layout: refused as a whole, her legitimate post in the same change with it', async () => {
    const { alice, eve, everyone } = await boardWithEve()
    eve.board.readable.transact(() => {
      createItem(eve.board.readable, notice('Innocent'), Date.now(), newItemId(eve.board.myTag))
      eve.board.readable.getMap('shadow').set('x', 'junk')
    })
    await settle(eve)
    await exchange(...everyone)
    for (const m of everyone) expect(byTitle(m.board.readable)['Innocent'], m.name).toBeUndefined()
    expect(reasons(alice)).toContain('unknown_type')
  })

  it('Ana, the founder, pins Alice’s post: accepted everywhere, and not shown as an edit by Alice', async () => {
    const { ana, id, everyone } = await boardWithEve()
    setPinned(ana.board.readable, id, true)
    await settle(ana)
    await exchange(...everyone)
    for (const m of everyone) expect(byTitle(m.board.readable)['Safe meeting']?.pinned, m.name).toBe(true)
    for (const m of everyone) expect(m.board.diagnostics.total, m.name).toBe(0)
  })

  it('after refusing Eve’s entry, Eve’s later posts still arrive: her used-up clocks are filled alike on every device', async () => {
    const { eve, id, everyone } = await boardWithEve()
    updateItem(eve.board.readable, id, { title: 'Cancelled' }, Date.now())
    await settle(eve)
    createItem(eve.board.readable, notice('An honest post after all'), Date.now(), newItemId(eve.board.myTag))
    await settle(eve)
    await exchange(...everyone)
    for (const m of everyone) expect(Object.keys(byTitle(m.board.readable)).sort(), m.name).toEqual(['An honest post after all', 'Safe meeting'])
    const states = everyone.map((m) => Y.getState(m.board.readable.store, boundClientId(eve.keys.signPublic)))
    expect(new Set(states).size).toBe(1)
  })
})

describe('a split view is proof, not a loop', () => {
  it('Eve signs two versions of one entry and hands one to Alice, the other to Bob: both end with the same board, Eve named, and the shared doc stops growing', async () => {
    const { c, alice, bob, eve } = await boardWithEve()
    // Two copies of Eve's device, each writing a different post under the same next sequence number.
    const copy = () => {
      const doc = new Y.Doc()
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(eve.board.sealed))
      return doc
    }
    const forkA = await device('Eve', { keys: eve.keys, sealed: copy(), boardId: c.boardId })
    const forkB = await device('Eve', { keys: eve.keys, sealed: copy(), boardId: c.boardId })
    createItem(forkA.board.readable, notice('Only Alice sees this'), Date.now(), newItemId(eve.board.myTag))
    createItem(forkB.board.readable, notice('Only Bob sees this'), Date.now(), newItemId(eve.board.myTag))
    await settle(forkA, forkB)
    await exchange(forkA, alice)
    await exchange(forkB, bob)
    expect(Object.keys(byTitle(alice.board.readable))).toContain('Only Alice sees this')
    expect(Object.keys(byTitle(bob.board.readable))).toContain('Only Bob sees this')
    // Alice and Bob meet.
    await exchange(alice, bob)
    for (const m of [alice, bob]) {
      expect(Object.keys(byTitle(m.board.readable)).sort(), m.name).toEqual(['Safe meeting'])
      expect(reasons(m)).toContain('equivocation')
      expect(m.board.members().find((x) => x.id === eve.board.myTag)?.equivocated).toBe(true)
      expect(m.board.diagnostics.suspects()).toEqual(new Set([eve.board.myTag]))
    }
    const size = () => Y.encodeStateAsUpdate(alice.board.sealed).length + Y.encodeStateAsUpdate(bob.board.sealed).length
    const before = size()
    const erased = () => alice.board.diagnostics.counts.get('erased') ?? 0
    const erasedBefore = erased()
    for (let i = 0; i < 5; i++) await exchange(alice, bob)
    expect(size()).toBe(before)
    expect(erased()).toBe(erasedBefore)
    // Carol, who arrives later, reaches the same verdict from the kept proof alone.
    const carol = await c.admit('Carol', c.founder)
    await exchange(carol, alice, bob)
    expect(Object.keys(byTitle(carol.board.readable)).sort()).toEqual(['Safe meeting'])
    expect(carol.board.members().find((x) => x.id === eve.board.myTag)?.equivocated).toBe(true)
  })
})
