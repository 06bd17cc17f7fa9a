/**
 * Where the judge places a struct from its neighbours and its parent, in the
 * cases the other judge tests do not reach: a struct whose two neighbours say
 * different things, neighbours and parents under client id 0 (old boards'
 * Yjs ids can be 0), and one member's two devices. Updates Yjs would not
 * write are written by hand (hand-update.ts), as Eve attacking the engine
 * would write them.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { judgeUpdate, type Author } from '../../src/sealed/authority.ts'
import { handUpdate, id, item, value } from './hand-update.ts'
import { alice, Board, eve, items, mo, post } from './judge-fixture.ts'

const under = (type: unknown, key: string) => (type as Y.AbstractType<unknown>)._map.get(key)!
/** One struct of Eve's (or `who`'s), at the next clock of hers on the board. */
const next = (board: Board, who: Author, place: Parameters<typeof item>[2]) => {
  const n = Y.getState(board.doc.store, who.client)
  return handUpdate([{ client: who.client, clock: n, structs: [item(who.client, n, place, value('x'))] }])
}
/** A device removed from the board: whatever it wrote past its cutoff is void. */
const REMOVED = 555

describe('a struct between two neighbours', () => {
  it('Eve puts a value after Alice’s title and before her own: it is in Alice’s post (Yjs places it by its left neighbour), refused', () => {
    const board = new Board()
    board.act(alice, (d) => items(d).set('alice/1', post({ title: 'Safe meeting' })))
    board.act(eve, (d) => items(d).set('eve/1', post({ title: 'Hers' })))
    const left = under(items(board.doc).get('alice/1'), 'title').id
    const right = under(items(board.doc).get('eve/1'), 'title').id
    expect(judgeUpdate(board.ctx, eve, next(board, eve, { origin: left, rightOrigin: right }))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    // The other way round it is in her own post.
    expect(judgeUpdate(board.ctx, eve, next(board, eve, { origin: right, rightOrigin: left }))).toMatchObject({ kind: 'accept' })
  })

  it('its left neighbour void and its right one not here yet: refused at once, no waiting for the right one', () => {
    const board = new Board()
    board.voided.add(REMOVED)
    const update = next(board, eve, { origin: id(REMOVED, 0), rightOrigin: id(alice.client, 9) })
    expect(judgeUpdate(board.ctx, eve, update)).toMatchObject({ kind: 'refuse', reason: 'depends_on_void' })
  })

  it('its left neighbour not here yet and its right one void: it waits for the left one', () => {
    const board = new Board()
    board.voided.add(REMOVED)
    const update = next(board, eve, { origin: id(alice.client, 9), rightOrigin: id(REMOVED, 0) })
    expect(judgeUpdate(board.ctx, eve, update)).toEqual({ kind: 'wait', client: alice.client, clock: 9 })
  })
})

describe('neighbours and parents under client id 0', () => {
  /** A board whose old device wrote under Yjs client id 0 (nobody's now): the board's name, and a post under an old key. */
  function oldBoard() {
    const board = new Board()
    const old: Author = { client: 0, tag: 'old', moderator: true, legacy: true }
    expect(board.act(old, (d) => d.getMap('meta').set('name', 'Tenants'))).toMatchObject({ kind: 'accept' })
    expect(board.act(old, (d) => items(d).set('old/1', post({ title: 'Rent strike' })))).toMatchObject({ kind: 'accept' })
    return board
  }

  it('a value with only a right neighbour, the board’s name written by client 0: in the moderated root, Mo’s to write, not Eve’s', () => {
    const board = oldBoard()
    const name = under(board.doc.getMap('meta'), 'name').id
    expect(name.client).toBe(0)
    expect(judgeUpdate(board.ctx, mo, next(board, mo, { rightOrigin: name }))).toMatchObject({ kind: 'accept' })
    expect(judgeUpdate(board.ctx, eve, next(board, eve, { rightOrigin: name }))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
  })

  it('Eve adds a field to the old post client 0 wrote (its map is the field’s parent): an edit of a post not hers, refused as one', () => {
    const board = oldBoard()
    const verdict = board.judge(eve, (d) => items(d).get('old/1')!.set('place', 'The hall'))
    expect(verdict).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit', detail: expect.stringContaining('edits entry old/1') })
  })
})

describe('one member, two devices', () => {
  it('Alice’s laptop creates a post and adds a field to the one her phone made at the same clock: only the phone’s post counts as edited', () => {
    const board = new Board()
    const laptop: Author = { ...alice, client: 111 }
    board.act(alice, (d) => items(d).set('alice/1', post({ title: 'Safe meeting' })))
    const phonePost = under(items(board.doc), 'alice/1').id
    const verdict = board.act(laptop, (d) => {
      items(d).set('alice/2', post({ title: 'Food bank' }))
      items(d).get('alice/1')!.set('note', 'Bring ID')
    })
    // The laptop's new post is at its clock 0, as the phone's post is at the phone's.
    expect([phonePost.clock, under(items(board.doc), 'alice/2').id]).toEqual([0, id(laptop.client, 0)])
    expect(verdict).toEqual({ kind: 'accept', range: { from: 0, to: 3 }, edited: ['alice/1'] })
  })
})

describe('a delete set that names one client twice', () => {
  it('Eve deletes Alice’s post in the first of two lists for Alice’s client: Yjs deletes it, the judge reads both lists and refuses (were the second to replace the first, it would accept)', () => {
    const board = new Board()
    board.act(alice, (d) => items(d).set('alice/1', post({ title: 'Safe meeting' })))
    expect(alice.client).toBeLessThan(128) // one byte as a varint
    // No structs; two clients' worth of deletions, both Alice's: her clock 0 (the post), then an empty range.
    const update = Uint8Array.of(0, 2, alice.client, 1, 0, 1, alice.client, 1, 0, 0)
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(board.doc))
    Y.applyUpdate(copy, update)
    expect(items(copy).has('alice/1')).toBe(false)
    expect(judgeUpdate(board.ctx, eve, update)).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete' })
  })
})
