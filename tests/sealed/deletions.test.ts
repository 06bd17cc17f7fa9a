/**
 * Which deletions of Alice's structs her compaction folds into her rewritten
 * history (deletions.ts): those in her own posts, by whoever made them —
 * never one she could not sign herself, since her snapshot is judged like
 * any of her entries and a refused snapshot takes every entry it covers with
 * it. The board is a readable doc as the engine keeps it (deleted maps kept).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { judgeUpdate, type AuthorityContext } from '../../src/sealed/authority.ts'
import { coveredBy, foldableDeletions } from '../../src/sealed/deletions.ts'
import { keepTypes } from '../../src/sealed/readable.ts'
import { alice, eve, everyone, mo, olga, post, rules, type Change } from './judge-fixture.ts'
import type { Author } from '../../src/sealed/authority.ts'

function board() {
  const doc = new Y.Doc({ gc: true, gcFilter: keepTypes })
  const ctx: AuthorityContext = { doc, rules, ownerOfClient: (client) => everyone.find((a) => a.client === client)?.tag ?? null, isVoid: () => false }
  const act = (who: Author, change: Change) => {
    doc.clientID = who.client
    change(doc)
  }
  return { doc, ctx, act }
}

const items = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('items')
/** The first (oldest) value written under `key` of `map`. */
function firstUnder(map: object, key: string): Y.Item {
  let item = (map as unknown as { _map: Map<string, Y.Item> })._map.get(key)!
  while (item.left) item = item.left as Y.Item
  return item
}
const dsOf = (update: Uint8Array) => Y.decodeUpdate(update).ds
const folds = (update: Uint8Array | null, item: Y.Item) => update !== null && Y.isDeleted(dsOf(update), item.id)

describe('what Alice’s compaction folds in', () => {
  it('her post Mo took down (the post and its fields) and her own replaced text — not her writes in the board’s name or on Eve’s post, which she may no longer delete', async () => {
    const b = board()
    b.act(alice, (d) => {
      items(d).set('alice/1', post({ title: 'Tonight', body: 'meet at 14 Elm Street' }))
      items(d).set('alice/2', post({ title: 'Soup', body: 'at 9 Oak Lane' }))
      d.getMap('meta').set('name', 'Alice’s board')
    })
    b.act(eve, (d) => items(d).set('eve/1', post({ title: 'Books' })))
    // Written while Alice moderated: a pin on Eve's post.
    b.act(alice, (d) => items(d).get('eve/1')!.set('pinned', true))
    const takenDown = firstUnder(items(b.doc), 'alice/1')
    const takenDownBody = firstUnder(items(b.doc).get('alice/1')!, 'body')
    const oldBody = firstUnder(items(b.doc).get('alice/2')!, 'body')
    const name = firstUnder(b.doc.getMap('meta'), 'name')
    const pin = firstUnder(items(b.doc).get('eve/1')!, 'pinned')
    b.act(mo, (d) => {
      items(d).delete('alice/1')
      d.getMap('meta').set('name', 'The circle')
      items(d).get('eve/1')!.set('pinned', false)
    })
    b.act(alice, (d) => items(d).get('alice/2')!.set('body', 'ask Ana'))

    const fold = foldableDeletions(b.doc, rules, alice.client, alice.tag, Y.getState(b.doc.store, alice.client))
    expect(folds(fold, takenDown)).toBe(true)
    expect(folds(fold, takenDownBody)).toBe(true)
    expect(folds(fold, oldBody)).toBe(true)
    expect(folds(fold, name)).toBe(false)
    expect(folds(fold, pin)).toBe(false)
    // Only Alice's structs, and nothing past what she wrote.
    expect([...dsOf(fold!).clients.keys()]).toEqual([alice.client])
    // Signed by Alice, the deletions are hers to make: her engine and everyone's accept them.
    expect(judgeUpdate(b.ctx, alice, fold!).kind).toBe('accept')
  })

  it('below `upTo` only: a deletion of a struct she wrote later is left for a later compaction, and a board with nothing of hers deleted folds nothing', () => {
    const b = board()
    b.act(alice, (d) => items(d).set('alice/1', post({ title: 'One' })))
    expect(foldableDeletions(b.doc, rules, alice.client, alice.tag, Y.getState(b.doc.store, alice.client))).toBeNull()
    const upTo = Y.getState(b.doc.store, alice.client)
    b.act(alice, (d) => items(d).set('alice/2', post({ title: 'Two' })))
    const later = firstUnder(items(b.doc), 'alice/2')
    b.act(mo, (d) => items(d).delete('alice/2'))
    expect(foldableDeletions(b.doc, rules, alice.client, alice.tag, upTo)).toBeNull()
    expect(folds(foldableDeletions(b.doc, rules, alice.client, alice.tag, Y.getState(b.doc.store, alice.client)), later)).toBe(true)
    expect(foldableDeletions(b.doc, rules, eve.client, eve.tag, 100)).toBeNull()
  })

  it('a post from before keys named their owners is hers when she wrote its first value: Olga’s taken-down post is folded for Olga, not for Alice', () => {
    const b = board()
    b.act(olga, (d) => items(d).set('old-1', post({ title: 'Old' })))
    b.act(alice, (d) => items(d).get('old-1')!.set('title', 'Old, edited by Alice long ago'))
    const olgas = firstUnder(items(b.doc), 'old-1')
    const alices = (items(b.doc).get('old-1') as unknown as { _map: Map<string, Y.Item> })._map.get('title')!
    b.act(mo, (d) => items(d).delete('old-1'))
    expect(folds(foldableDeletions(b.doc, rules, olga.client, olga.tag, Y.getState(b.doc.store, olga.client)), olgas)).toBe(true)
    expect(folds(foldableDeletions(b.doc, rules, alice.client, alice.tag, Y.getState(b.doc.store, alice.client)), alices)).toBe(false)
  })
  it('a post that has changed hands by being written again under its key stays its first writer’s: Alice, who wrote it again over Olga’s, has nothing folded there, and what she is given the judge accepts', () => {
    const b = board()
    b.act(olga, (d) => items(d).set('old-2', post({ title: 'Old' })))
    b.act(alice, (d) => items(d).set('old-2', post({ title: 'Alice’s over it' })))
    const alices = (items(b.doc) as unknown as { _map: Map<string, Y.Item> })._map.get('old-2')!
    b.act(alice, (d) => items(d).set('alice/1', post({ title: 'Mine' })))
    b.act(mo, (d) => {
      items(d).delete('old-2')
      items(d).delete('alice/1')
    })
    const fold = foldableDeletions(b.doc, rules, alice.client, alice.tag, Y.getState(b.doc.store, alice.client))
    expect(folds(fold, alices)).toBe(false)
    expect(folds(fold, firstUnder(items(b.doc), 'alice/1'))).toBe(true)
    expect(judgeUpdate(b.ctx, alice, fold!).kind).toBe('accept')
  })

  it('a key that names Alice is hers whoever wrote its first value; a map under her key in a moderated root is not', () => {
    const b = board()
    // Written directly (the judge would refuse Eve's post under Alice's key): the key alone decides.
    b.act(eve, (d) => items(d).set('alice/7', post({ title: 'Under Alice’s key' })))
    b.act(alice, (d) => items(d).get('alice/7')!.set('body', 'Alice’s field'))
    const field = firstUnder(items(b.doc).get('alice/7')!, 'body')
    // Written while Alice moderated: a map in the board's meta under a key like a post's.
    b.act(alice, (d) => d.getMap('meta').set('alice/8', new Y.Map<unknown>([['note', 'moderators only']])))
    const nested = firstUnder(b.doc.getMap<Y.Map<unknown>>('meta').get('alice/8')!, 'note')
    b.act(mo, (d) => {
      items(d).delete('alice/7')
      d.getMap('meta').delete('alice/8')
    })
    const fold = foldableDeletions(b.doc, rules, alice.client, alice.tag, Y.getState(b.doc.store, alice.client))
    expect(folds(fold, field)).toBe(true)
    expect(folds(fold, nested)).toBe(false)
  })

  it('neighbouring deleted structs are one range: a post of several fields taken down is a single (clock, length) in the delete set', () => {
    const b = board()
    b.act(alice, (d) => items(d).set('alice/1', post({ title: 'One', body: 'b', tags: ['x'] })))
    const end = Y.getState(b.doc.store, alice.client)
    b.act(mo, (d) => items(d).delete('alice/1'))
    const fold = foldableDeletions(b.doc, rules, alice.client, alice.tag, end)
    expect(dsOf(fold!).clients.get(alice.client)!.map((r) => [r.clock, r.len])).toEqual([[0, end]])
  })
})

describe('whether her history has folded in what the board holds deleted (coveredBy)', () => {
  it('a range lies in the union of the delete set’s items, whatever their order, joined where they touch or overlap', () => {
    const cover = [{ clock: 10, len: 5 }, { clock: 0, len: 4 }, { clock: 4, len: 3 }, { clock: 12, len: 8 }]
    expect(coveredBy([0, 7], cover), 'two items that touch').toBe(true)
    expect(coveredBy([10, 10], cover), 'two that overlap').toBe(true)
    expect(coveredBy([0, 2, 5, 2, 15, 5], cover), 'several ranges').toBe(true)
    expect(coveredBy([], cover), 'nothing deleted').toBe(true)
    expect(coveredBy([6, 2], cover), 'one clock past the first run (7 is not deleted there)').toBe(false)
    expect(coveredBy([0, 2, 8, 1], cover), 'the second range falls in the gap').toBe(false)
    expect(coveredBy([18, 3], cover), 'past the end').toBe(false)
    expect(coveredBy([0, 1], []), 'no snapshot deletes anything').toBe(false)
  })
})
