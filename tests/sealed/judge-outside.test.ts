/**
 * What lies outside the board's layout, and updates Yjs never writes. A board
 * migrated from before sealed boards was sealed whole as one `legacy` entry,
 * never judged: it can hold a root the board does not have, lists where the
 * board has maps, and posts whose fields Yjs garbage-collected. Changing what
 * lies there changes nothing anyone sees, so it is accepted; building inside
 * it is refused. The other updates here are written by hand
 * (hand-update.ts), as only someone attacking the engine would write them.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { DELETES_UNHELD, judgeUpdate, type AuthorityContext } from '../../src/sealed/authority.ts'
import { keepTypes } from '../../src/sealed/readable.ts'
import { gc, handUpdate, id, item, map, skip, value } from './hand-update.ts'
import { alice, Board, eve, items, mo, olga, post } from './judge-fixture.ts'

/** The client ids the old board was written under (nobody's now). */
const OLD = 909
const OLD_LIST = 910

const itemAt = (doc: Y.Doc, client: number, clock: number) => {
  const structs = doc.store.clients.get(client)!
  return structs[Y.findIndexSS(structs, clock)]!
}
const under = (type: unknown, key: string) => (type as Y.AbstractType<unknown>)._map.get(key)!

/** An old board: Alice's post and the board's name, plus what no judged update could have put there. */
function oldBoard() {
  const board = new Board()
  const old = new Y.Doc() // collecting garbage, as boards did then
  old.clientID = OLD
  items(old).set('alice/1', post({ title: 'Safe meeting', pinned: false }))
  old.getMap('shadow').set('note', 'junk')
  old.getMap('shadow').set('inner', new Y.Map<unknown>([['x', 1]]))
  items(old).set('alice/7', post({ title: 'Gone', place: 'Somewhere' }))
  items(old).delete('alice/7')
  const list = new Y.Array<unknown>()
  items(old).set('alice/8', list as unknown as Y.Map<unknown>)
  list.push(['a list', 'in a post'])
  // Another old device used the items as a list.
  const other = new Y.Doc()
  other.clientID = OLD_LIST
  other.getArray('items').insert(0, [new Y.Map<unknown>([['f', 1]]), 'junk'])
  Y.applyUpdate(board.doc, Y.encodeStateAsUpdate(old))
  Y.applyUpdate(board.doc, Y.encodeStateAsUpdate(other))
  const shadow = board.doc.share.get('shadow')!
  const inner = under(shadow, 'inner')
  const listed = board.doc.share.get('items')!._start!
  const gone = under(board.doc.share.get('items'), 'alice/7').id
  const at = {
    note: under(shadow, 'note').id,
    inner: inner.id,
    x: under((inner.content as Y.ContentType).type, 'x').id,
    listInPost: (under(board.doc.share.get('items'), 'alice/8').content as Y.ContentType).type._start!.id,
    fInList: under((listed.content as Y.ContentType).type, 'f').id,
    junkInList: listed.right!.id,
    // Alice's deleted post keeps its map (a tombstone); its two fields were collected.
    collected: Y.createID(OLD, gone.clock + 1),
  }
  expect(itemAt(board.doc, OLD, at.collected.clock)).toBeInstanceOf(Y.GC)
  return { board, at }
}

const eves = (...structs: (Y.Item | Y.GC)[]) => [{ client: eve.client, clock: 0, structs }]
/** What every member sees: the posts (core's readItems reads only map-shaped ones) and the board's name. */
const seen = (doc: Y.Doc) => {
  const posts = [...doc.getMap('items').entries()].filter(([, v]) => v instanceof Y.Map).map(([k, v]) => [k, (v as Y.Map<unknown>).toJSON()])
  return JSON.stringify([posts, doc.getMap('meta').toJSON()])
}

describe('an old board holds what the layout has no place for', () => {
  it('Eve changes and deletes what lies outside the board or was collected long ago: accepted, and nobody sees a difference', () => {
    const { board, at } = oldBoard()
    const updates = {
      'overwrites a root the board does not have with a map': handUpdate(eves(item(eve.client, 0, { origin: at.note }, map())), [[OLD, at.note.clock, 1]]),
      'deletes a value inside a map in that root': handUpdate([], [[OLD, at.x.clock, 1]]),
      'deletes from a list where Alice’s post should be a map': handUpdate([], [[OLD, at.listInPost.clock, 1]]),
      'deletes a field of a map the items hold as a list': handUpdate([], [[OLD_LIST, at.fInList.clock, 1]]),
      'writes a map next to a list element of the items': handUpdate(eves(item(eve.client, 0, { origin: at.junkInList }, map())), []),
      'deletes the collected fields of Alice’s deleted post': handUpdate([], [[OLD, at.collected.clock, 2]]),
      'writes a map next to a collected field': handUpdate(eves(item(eve.client, 0, { origin: at.collected }, map())), []),
    }
    const before = seen(board.doc)
    for (const [what, update] of Object.entries(updates)) {
      const verdict = judgeUpdate(board.ctx, eve, update)
      expect({ what, verdict }).toEqual({ what, verdict: { kind: 'accept', range: verdict.kind === 'accept' ? verdict.range : null, edited: [] } })
      const copy = new Y.Doc()
      Y.applyUpdate(copy, Y.encodeStateAsUpdate(board.doc))
      Y.applyUpdate(copy, update)
      expect({ what, seen: seen(copy) }).toEqual({ what, seen: before })
    }
  })

  it('Eve adds a value inside a map in a root the board does not have: refused, it is no field of any post', () => {
    const { board, at } = oldBoard()
    const verdict = judgeUpdate(board.ctx, eve, handUpdate(eves(item(eve.client, 0, { parent: at.inner, key: 'y' }, value(2)))))
    expect(verdict).toEqual({ kind: 'refuse', reason: 'unknown_type', range: { from: 0, to: 1 }, detail: 'nested below a field' })
  })
})

describe('updates Yjs never writes', () => {
  it('Eve’s structs with a gap between them: refused', () => {
    const update = handUpdate([
      { client: eve.client, clock: 0, structs: [item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map())] },
      { client: eve.client, clock: 3, structs: [item(eve.client, 3, { parent: 'items', key: 'eve/2' }, map())] },
    ])
    expect(judgeUpdate(new Board().ctx, eve, update)).toEqual({ kind: 'refuse', reason: 'bad_payload', range: { from: 0, to: 4 }, detail: 'structs are not contiguous' })
  })

  it('Eve writes her structs as two blocks, the second right after the first: refused, Yjs would keep only the second and hold it back', () => {
    const board = new Board()
    const twoBlocks = handUpdate([
      { client: eve.client, clock: 0, structs: [item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map())] },
      { client: eve.client, clock: 1, structs: [item(eve.client, 1, { origin: id(eve.client, 0) }, map())] },
    ])
    expect(judgeUpdate(board.ctx, eve, twoBlocks)).toEqual({ kind: 'refuse', reason: 'bad_payload', range: { from: 0, to: 2 }, detail: 'more than one block of structs' })
    // Why: Yjs reads one block per client, the last; it holds that one back for the clock the first one had.
    const copy = new Y.Doc()
    Y.applyUpdate(copy, twoBlocks)
    expect(Y.getState(copy.store, eve.client)).toBe(0)
    expect(copy.store.pendingStructs).not.toBeNull()
    // An empty second block drops the first just the same.
    const emptied = handUpdate([
      { client: eve.client, clock: 0, structs: [item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map())] },
      { client: eve.client, clock: 1, structs: [] },
    ])
    expect(judgeUpdate(board.ctx, eve, emptied)).toMatchObject({ kind: 'refuse', reason: 'bad_payload', detail: 'more than one block of structs' })
  })

  it('Eve hides `true` behind a skipped gap, next to the clock where her next post’s `pinned: false` will be: refused, or her next post would be pinned', () => {
    const board = new Board()
    expect(board.act(eve, (d) => items(d).set('eve/1', post({ title: 'Free food', pinned: false })))).toMatchObject({ kind: 'accept' })
    const n = Y.getState(board.doc.store, eve.client)
    const title = under(items(board.doc).get('eve/1'), 'title')
    const edit = item(eve.client, n, { origin: title.id }, value('Free food tonight'))
    const hidden = handUpdate([{ client: eve.client, clock: n, structs: [edit, skip(eve.client, n + 1, 5), item(eve.client, n + 6, { origin: id(eve.client, n + 3) }, value(true))] }])
    // Her next post, from clock n + 1 on: its map, then `title`, then `pinned` at n + 3.
    const next = board.write(eve, (d) => items(d).set('eve/2', post({ title: 'Free food, again', pinned: false, place: 'The hall', when: 'Friday' })), [handUpdate(eves(edit).map((b) => ({ ...b, clock: n })))])
    // Without the rule: the judge took the `true` for garbage, Yjs held it back, and Eve's next post filled the gap under it.
    const unjudged = new Y.Doc()
    Y.applyUpdate(unjudged, Y.encodeStateAsUpdate(board.doc))
    Y.applyUpdate(unjudged, hidden)
    Y.applyUpdate(unjudged, next)
    expect(items(unjudged).get('eve/2')!.get('pinned')).toBe(true)

    expect(judgeUpdate(board.ctx, eve, hidden)).toMatchObject({ kind: 'refuse', reason: 'bad_payload', detail: 'a skipped gap' })
  })

  it('Eve builds on a later clock of her own update, or on the struct itself: refused, Yjs cannot integrate it (and threw halfway through)', () => {
    const board = new Board()
    const forward = handUpdate(eves(item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map()), item(eve.client, 1, { origin: id(eve.client, 3) }, value('a')), gc(eve.client, 2, 1), item(eve.client, 3, { origin: id(eve.client, 0) }, value(true))))
    const itself = handUpdate(eves(item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map()), item(eve.client, 1, { origin: id(eve.client, 1) }, value('a'))))
    const parentAhead = handUpdate(eves(item(eve.client, 0, { parent: id(eve.client, 1), key: 'title' }, value('a')), item(eve.client, 1, { parent: 'items', key: 'eve/1' }, map())))
    const rightAhead = handUpdate(eves(item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map()), item(eve.client, 1, { origin: id(eve.client, 0), rightOrigin: id(eve.client, 2) }, map()), item(eve.client, 2, { origin: id(eve.client, 0) }, map())))
    for (const update of [forward, itself, parentAhead, rightAhead]) {
      expect(judgeUpdate(board.ctx, eve, update)).toMatchObject({ kind: 'refuse', reason: 'bad_payload', detail: 'builds on a later struct of its own' })
      expect(() => Y.applyUpdate(new Y.Doc(), update)).toThrow(TypeError)
    }
  })

  it('Eve builds next to a clock of her own that her update does not reach: wait for it; next to her own garbage: garbage too, accepted', () => {
    const board = new Board()
    const ahead = handUpdate(eves(item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map()), item(eve.client, 1, { origin: id(eve.client, 2) }, map())))
    expect(judgeUpdate(board.ctx, eve, ahead)).toEqual({ kind: 'wait', client: eve.client, clock: 2 })
    const afterGarbage = handUpdate(eves(gc(eve.client, 0, 1), item(eve.client, 1, { origin: id(eve.client, 0) }, map())))
    expect(judgeUpdate(board.ctx, eve, afterGarbage)).toEqual({ kind: 'accept', range: { from: 0, to: 2 }, edited: [] })
    // Her garbage sits after her new post: a value next to it is garbage, not a value put in the post's place.
    const postThenGarbage = handUpdate(eves(item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map()), gc(eve.client, 1, 1), item(eve.client, 2, { origin: id(eve.client, 1) }, value('x'))))
    expect(judgeUpdate(board.ctx, eve, postThenGarbage)).toEqual({ kind: 'accept', range: { from: 0, to: 3 }, edited: [] })
    // Deleting a clock of her own that none of her entries holds, past her garbage: refused, not waited for (her earlier
    // entries are all handled before this one, so nothing brings it; a snapshot waiting so held up everything built on
    // the posts it stood for, for good).
    expect(judgeUpdate(board.ctx, eve, handUpdate(eves(gc(eve.client, 0, 1)), [[eve.client, 0, 2]]))).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete', detail: DELETES_UNHELD, range: { from: 0, to: 1 } })
  })

  it('Eve’s garbage claims 2^40 clocks: judged as short garbage is (the judge keeps no table of every clock)', () => {
    const board = new Board()
    const huge = 2 ** 40
    const post = item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map())
    const nextToGarbage = handUpdate(eves(post, gc(eve.client, 1, huge), item(eve.client, huge + 1, { origin: id(eve.client, 2 ** 39) }, value('x'))))
    expect(judgeUpdate(board.ctx, eve, nextToGarbage)).toEqual({ kind: 'accept', range: { from: 0, to: huge + 2 }, edited: [] })
    const onItself = handUpdate(eves(post, gc(eve.client, 1, huge), item(eve.client, huge + 1, { origin: id(eve.client, huge + 1) }, value('x'))))
    expect(judgeUpdate(board.ctx, eve, onItself)).toMatchObject({ kind: 'refuse', reason: 'bad_payload', detail: 'builds on a later struct of its own' })
    const inPostPastGarbage = handUpdate(eves(post, gc(eve.client, 1, huge), item(eve.client, huge + 1, { parent: id(eve.client, 0), key: 'title' }, value('x'))))
    expect(judgeUpdate(board.ctx, eve, inPostPastGarbage)).toEqual({ kind: 'accept', range: { from: 0, to: huge + 2 }, edited: [] })
    // A map next to that value sits in her post's field: refused, a field holds plain values.
    const mapInField = handUpdate(eves(post, gc(eve.client, 1, huge), item(eve.client, huge + 1, { parent: id(eve.client, 0), key: 'title' }, value('x')), item(eve.client, huge + 2, { origin: id(eve.client, huge + 1) }, map())))
    expect(judgeUpdate(board.ctx, eve, mapInField)).toMatchObject({ kind: 'refuse', reason: 'unknown_type', detail: 'a field that is not a plain value' })
  })

  it('Eve puts a value next to the middle one of three in her post’s field: it goes in that field, hers to write; a map there is refused', () => {
    const board = new Board()
    const post = item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map())
    const three = item(eve.client, 1, { parent: id(eve.client, 0), key: 'title' }, new Y.ContentAny(['a', 'b', 'c']))
    const beside = handUpdate(eves(post, three, item(eve.client, 4, { origin: id(eve.client, 2) }, value('d'))))
    expect(judgeUpdate(board.ctx, eve, beside)).toMatchObject({ kind: 'accept', range: { from: 0, to: 5 } })
    const mapBeside = handUpdate(eves(post, three, item(eve.client, 4, { origin: id(eve.client, 2) }, map())))
    expect(judgeUpdate(board.ctx, eve, mapBeside)).toMatchObject({ kind: 'refuse', reason: 'unknown_type', detail: 'a field that is not a plain value' })
  })

  it('Eve writes her new post and, in the same update, the title of Alice’s post, whose key is as long as hers: refused', () => {
    const board = new Board()
    board.act(alice, (d) => items(d).set('alice/1', post({ title: 'Safe meeting', pinned: false })))
    const aliceTitle = under(items(board.doc).get('alice/1'), 'title')
    const both = handUpdate(eves(item(eve.client, 0, { parent: 'items', key: 'eve/123' }, map()), item(eve.client, 1, { parent: id(eve.client, 0), key: 'title' }, value('Mine')), item(eve.client, 2, { origin: aliceTitle.id }, value('Meeting cancelled'))))
    expect('eve/123'.length).toBe('alice/1'.length)
    expect(judgeUpdate(board.ctx, eve, both)).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
  })

  it('Eve builds next to a struct of client 0 that is not here: wait for it, as Yjs would', () => {
    const board = new Board()
    const next = handUpdate(eves(item(eve.client, 0, { origin: id(0, 4) }, value('x'))))
    expect(judgeUpdate(board.ctx, eve, next)).toEqual({ kind: 'wait', client: 0, clock: 4 })
  })

  it('Eve replaces her own post with a right neighbour Alice has not sent yet: wait for it, as Yjs would (or it would hold the change back)', () => {
    const board = new Board()
    board.act(eve, (d) => items(d).set('eve/1', post({ title: 'Hers' })))
    const mine = under(items(board.doc), 'eve/1').id
    const n = Y.getState(board.doc.store, eve.client)
    const update = handUpdate([{ client: eve.client, clock: n, structs: [item(eve.client, n, { origin: mine, rightOrigin: id(alice.client, 5) }, map())] }])
    expect(judgeUpdate(board.ctx, eve, update)).toEqual({ kind: 'wait', client: alice.client, clock: 5 })
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(board.doc))
    Y.applyUpdate(copy, update)
    expect(copy.store.pendingStructs).not.toBeNull()
    board.voided.add(alice.client)
    expect(judgeUpdate(board.ctx, eve, update)).toMatchObject({ kind: 'refuse', reason: 'depends_on_void' })
  })

  it('Eve creates her post with `pinned` holding two values, `false` then `true` (a map reads the last): refused, only a lone `false` is hers to write', () => {
    const pinned = (...values: unknown[]) => item(eve.client, 1, { parent: id(eve.client, 0), key: 'pinned' }, new Y.ContentAny(values))
    const withPin = (...values: unknown[]) => handUpdate(eves(item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map()), pinned(...values)))
    const board = new Board()
    expect(judgeUpdate(board.ctx, eve, withPin(false, true))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit', detail: 'sets “pinned”, which only moderators set' })
    expect(judgeUpdate(board.ctx, eve, withPin(false))).toMatchObject({ kind: 'accept' })
    const copy = new Y.Doc()
    Y.applyUpdate(copy, withPin(false, true))
    expect(items(copy).get('eve/1')!.get('pinned')).toBe(true)
  })

  it('Eve puts a list element inside her own new post: refused, a post holds fields only', () => {
    const update = handUpdate(eves(item(eve.client, 0, { parent: 'items', key: 'eve/1' }, map()), item(eve.client, 1, { parent: id(eve.client, 0) }, value('x'))))
    expect(judgeUpdate(new Board().ctx, eve, update)).toMatchObject({ kind: 'refuse', reason: 'unknown_type', detail: 'nested below a field' })
  })

  it('Eve, writing old-style posts, puts a second post left of her new one under the same old key: refused, nothing names her its owner', () => {
    const legacyEve = { ...eve, legacy: true }
    const update = handUpdate(eves(item(eve.client, 0, { parent: 'items', key: 'old-9' }, map()), item(eve.client, 1, { rightOrigin: id(eve.client, 0) }, map())))
    expect(judgeUpdate(new Board().ctx, legacyEve, update)).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit', detail: 'writes entry old-9… of another member' })
  })

  it('a bug in what the engine tells the judge is thrown, never taken for a refusal of Mo’s change', () => {
    const board = new Board()
    const broken: AuthorityContext = {
      ...board.ctx,
      isVoid: () => {
        throw new Error('the engine lost its log')
      },
    }
    expect(() => judgeUpdate(broken, mo, handUpdate([], [[alice.client, 0, 1]]))).toThrow('the engine lost its log')
  })
})

describe('changes an update takes back or restates', () => {
  it('Olga, on her old device, writes an old-style post and deletes it again before it syncs: accepted, like anyone’s', () => {
    const board = new Board()
    const verdict = board.judge(olga, (d) => {
      d.transact(() => items(d).set('old-5', post({ title: 'Draft', pinned: false })))
      d.transact(() => items(d).delete('old-5'))
    })
    expect(verdict).toMatchObject({ kind: 'accept' })
  })

  it('Eve’s device compacts a post she wrote and deleted: her snapshot keeps its `pinned: false` as a tombstone, accepted', () => {
    const board = new Board()
    // As compaction replays: deleted maps are kept, their fields collected down to a tombstone (readable.ts).
    const scratch = new Y.Doc({ gc: true, gcFilter: keepTypes })
    scratch.clientID = eve.client
    items(scratch).set('eve/3', post({ title: 'Soon gone', pinned: false }))
    items(scratch).delete('eve/3')
    const snapshot = Y.encodeStateAsUpdate(scratch)
    const structs = (Y.decodeUpdate(snapshot) as unknown as { structs: Y.Item[] }).structs
    expect(structs.find((s) => s.parentSub === 'pinned')?.content).toBeInstanceOf(Y.ContentDeleted)
    expect(judgeUpdate(board.ctx, eve, snapshot)).toEqual({ kind: 'accept', range: { from: 0, to: 3 }, edited: [] })
  })

  it('Mo pins Alice’s post, is no longer a moderator, and restates the pin’s clock as part of a post of his own: refused, it would unpin Alice’s post', () => {
    const board = new Board()
    board.act(alice, (d) => items(d).set('alice/1', post({ title: 'Safe meeting', pinned: false })))
    board.act(mo, (d) => items(d).get('alice/1')!.set('pinned', true))
    const demoted = { ...mo, moderator: false }
    // Clock 0 is the pin on this device; the update says it is Mo's new post, and deletes it.
    const restated = item(mo.client, 0, { parent: 'items', key: 'mo/2' }, map())
    const unpin = handUpdate([{ client: mo.client, clock: 0, structs: [restated] }], [[mo.client, 0, 1]])
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(board.doc))
    Y.applyUpdate(copy, unpin)
    expect(items(copy).get('alice/1')!.has('pinned')).toBe(false)
    expect(judgeUpdate(board.ctx, demoted, unpin)).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete' })
    // A map next to the restated clock would replace his post (his to do); it lands beside the pin, in Alice's post.
    const repin = handUpdate([{ client: mo.client, clock: 0, structs: [restated, item(mo.client, 1, { origin: id(mo.client, 0) }, map())] }])
    expect(judgeUpdate(board.ctx, demoted, repin)).toMatchObject({ kind: 'refuse', reason: 'unknown_type', detail: 'a field that is not a plain value' })
    const repinTrue = handUpdate([{ client: mo.client, clock: 0, structs: [restated, item(mo.client, 1, { origin: id(mo.client, 0) }, value(true))] }])
    expect(judgeUpdate(board.ctx, demoted, repinTrue)).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit', detail: 'sets “pinned”, which only moderators set' })
  })

  it('Mo, no longer a moderator, restates his old pin’s clock as a struct of its own and writes a note after it: accepted, Yjs skips the restated struct and leaves the pin', () => {
    const board = new Board()
    board.act(alice, (d) => items(d).set('alice/1', post({ title: 'Safe meeting', pinned: false })))
    board.act(mo, (d) => items(d).set('mo/1', post({ title: 'Mine' }))) // clocks 0 and 1
    board.act(mo, (d) => items(d).get('alice/1')!.set('pinned', true)) // clock 2
    const note = handUpdate([{ client: mo.client, clock: 2, structs: [item(mo.client, 2, { parent: id(mo.client, 0), key: 'note' }, value('restated')), item(mo.client, 3, { parent: id(mo.client, 0), key: 'note' }, value('new'))] }])
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(board.doc))
    Y.applyUpdate(copy, note)
    expect(items(copy).get('alice/1')!.get('pinned')).toBe(true)
    expect(items(copy).get('mo/1')!.get('note')).toBe('new')
    expect(judgeUpdate(board.ctx, { ...mo, moderator: false }, note)).toMatchObject({ kind: 'accept', range: { from: 2, to: 4 } })
  })

  it('Mo, no longer a moderator, writes a note in his own post in one struct that starts on the clock of his old pin: refused, Yjs takes only its new part and drops the pin', () => {
    const board = new Board()
    board.act(alice, (d) => items(d).set('alice/1', post({ title: 'Safe meeting', pinned: false })))
    board.act(mo, (d) => items(d).set('mo/1', post({ title: 'Mine' }))) // clocks 0 and 1
    board.act(mo, (d) => items(d).get('alice/1')!.set('pinned', true)) // clock 2
    const note = handUpdate([{ client: mo.client, clock: 2, structs: [item(mo.client, 2, { parent: id(mo.client, 0), key: 'note' }, new Y.ContentAny(['restated', 'new']))] }])
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(board.doc))
    Y.applyUpdate(copy, note)
    expect(items(copy).get('alice/1')!.has('pinned')).toBe(false)
    expect(judgeUpdate(board.ctx, { ...mo, moderator: false }, note)).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete' })
    // Still a moderator, he may.
    expect(judgeUpdate(board.ctx, mo, note)).toMatchObject({ kind: 'accept' })
  })
})

describe('deleted ranges in an order Yjs never writes', () => {
  it('Alice unpins her post and, in a range listed after it, deletes the title of Mo’s post: refused, whatever the order of the ranges', () => {
    const board = new Board()
    board.act(alice, (d) => {
      items(d).set('alice/1', post({ title: 'Safe meeting', pinned: false }))
      items(d).set('alice/2', post({ title: 'Food bank', pinned: false }))
    })
    expect(board.act(mo, (d) => items(d).set('mo/1', post({ title: 'Rules' })))).toMatchObject({ kind: 'accept' })
    expect(board.act(mo, (d) => items(d).get('alice/1')!.set('pinned', true))).toMatchObject({ kind: 'accept' })
    expect(board.act(mo, (d) => items(d).get('alice/2')!.set('pinned', true))).toMatchObject({ kind: 'accept' })
    const pin = under(items(board.doc).get('alice/1'), 'pinned').id
    const title = under(items(board.doc).get('mo/1'), 'title').id
    expect(title.clock).toBeLessThan(pin.clock)
    // Mo's pin on Alice's post is hers to take off; his post's title is not, listed first or last.
    expect(judgeUpdate(board.ctx, alice, handUpdate([], [[mo.client, pin.clock, 1]]))).toMatchObject({ kind: 'accept' })
    for (const ranges of [
      [[mo.client, pin.clock, 1], [mo.client, title.clock, 1]],
      [[mo.client, title.clock, 1], [mo.client, pin.clock, 1]],
    ] as const) {
      expect(judgeUpdate(board.ctx, alice, handUpdate([], ranges))).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete', detail: expect.stringContaining('mo/1') })
    }
  })
})
