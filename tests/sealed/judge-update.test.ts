/**
 * The authority rules on their own, without the engine around them: Alice and
 * Eve are members, Mo moderates, Olga wrote before keys named their owners.
 * Each sends one Yjs update made on a copy of the board; the verdict is read
 * straight from `judgeUpdate`, so a rule that stops biting shows up here even
 * when the engine's other defences would still hide it.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { judgeUpdate, type Author } from '../../src/sealed/authority.ts'
import { alice, Board, eve, items, mo, olga, post, refusal, type Change } from './judge-fixture.ts'

async function boardWithAlicesPost() {
  const board = new Board()
  expect(board.act(alice, (d) => items(d).set('alice/1', post({ title: 'Safe meeting', place: 'Café Noor', pinned: false })))).toEqual({ kind: 'accept', range: { from: 0, to: 4 }, edited: [] })
  return board
}

describe('what a member may write', () => {
  it('Alice creates her post and edits it: accepted; only the edit counts as one, with the clocks it used', async () => {
    const board = await boardWithAlicesPost()
    expect(board.act(alice, (d) => items(d).get('alice/1')!.set('place', 'Library'))).toEqual({ kind: 'accept', range: { from: 4, to: 5 }, edited: ['alice/1'] })
    expect(items(board.doc).get('alice/1')!.get('place')).toBe('Library')
    // Replacing her whole post is hers to do too, and an edit of it.
    expect(board.act(alice, (d) => items(d).set('alice/1', post({ title: 'New' })))).toMatchObject({ kind: 'accept', edited: ['alice/1'] })
  })

  it('Eve rewrites, replaces, deletes or empties Alice’s post: refused, each for what it is', async () => {
    const board = await boardWithAlicesPost()
    expect(board.judge(eve, (d) => items(d).get('alice/1')!.set('place', 'Police station'))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit', range: { from: 0, to: 1 } })
    expect(board.judge(eve, (d) => items(d).set('alice/1', post({ title: 'Mine now' })))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    expect(board.judge(eve, (d) => items(d).set('alice/2', post({ title: 'In Alice’s name' })))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    expect(board.judge(eve, (d) => items(d).delete('alice/1'))).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete', range: null })
    expect(board.judge(eve, (d) => items(d).get('alice/1')!.delete('place'))).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete' })
  })

  it('Mo, a moderator, pins Alice’s post and may take it down whole, but not rewrite or empty it', async () => {
    const board = await boardWithAlicesPost()
    // Pinning replaces the `false` Alice wrote: a moderator's field, not an edit of Alice's.
    expect(board.act(mo, (d) => items(d).get('alice/1')!.set('pinned', true))).toEqual({ kind: 'accept', range: { from: 0, to: 1 }, edited: [] })
    expect(board.judge(mo, (d) => items(d).get('alice/1')!.set('title', 'Moderated'))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    expect(board.judge(mo, (d) => items(d).get('alice/1')!.delete('place'))).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete' })
    // Deleting the post deletes its fields with it.
    expect(board.act(mo, (d) => items(d).delete('alice/1'))).toMatchObject({ kind: 'accept' })
    expect(items(board.doc).has('alice/1')).toBe(false)
  })

  it('Mo pins Alice’s post, is then no longer a moderator, and takes the pin away while posting: refused', async () => {
    const board = await boardWithAlicesPost()
    board.act(mo, (d) => items(d).get('alice/1')!.set('pinned', true))
    const demoted = { ...mo, moderator: false }
    const verdict = board.judge(demoted, (d) => {
      d.transact(() => items(d).set('mo/1', post({ title: 'Mine' })))
      d.transact(() => items(d).get('alice/1')!.delete('pinned'))
    })
    expect(verdict).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete' })
  })

  it('Eve pins her own post: only `false`, and only when she creates it', async () => {
    const board = new Board()
    expect(board.judge(eve, (d) => items(d).set('eve/1', post({ title: 'Look at me', pinned: true })))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    expect(board.judge(eve, (d) => items(d).set('eve/1', post({ title: 'Look at me', pinned: 'yes' })))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    expect(board.act(eve, (d) => items(d).set('eve/1', post({ title: 'Look at me', pinned: false })))).toMatchObject({ kind: 'accept' })
    expect(board.judge(eve, (d) => items(d).get('eve/1')!.set('pinned', false))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    expect(board.judge(eve, (d) => items(d).get('eve/1')!.set('pinned', true))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    // Her own post's pin, once Mo set it, is not hers to unset, nor to delete.
    expect(board.act(mo, (d) => items(d).get('eve/1')!.set('pinned', true))).toMatchObject({ kind: 'accept' })
    expect(board.judge(eve, (d) => items(d).get('eve/1')!.delete('pinned'))).toMatchObject({ kind: 'accept' })
    // Her post in someone else's new entry is still not hers.
    expect(board.judge(eve, (d) => items(d).set('alice/9', post({ pinned: false })))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
  })

  it('Alice takes Mo’s pins off her posts, far apart among Mo’s own changes, in one update: accepted; with one of Mo’s own posts among them, refused for that post', async () => {
    const board = new Board()
    // Mo's client holds, in turn, changes of his own (0 to 15 structs: notes in the board's moderated root, and
    // now and then a post) and pins on Alice's posts: the judge finds each pin among his structs from the one before.
    const POSTS = 40
    for (let i = 0; i < POSTS; i++) {
      const verdicts = [
        board.act(alice, (d) => items(d).set(`alice/${i}`, post({ title: `Alice ${i}`, pinned: false }))),
        board.act(mo, (d) => {
          for (let k = 0; k < i % 16; k++) d.getMap('meta').set(`note-${i}-${k}`, k)
          if (i % 4 === 1) items(d).set(`mo/${i}`, post({ title: `Mo ${i}` }))
        }),
        board.act(mo, (d) => items(d).get(`alice/${i}`)!.set('pinned', true)),
      ]
      expect(verdicts.map((v) => v.kind)).toEqual(['accept', 'accept', 'accept'])
    }
    expect([...items(board.doc).values()].filter((p) => p.get('pinned') === true)).toHaveLength(POSTS)
    const unpin = (d: Y.Doc) => {
      for (let i = 0; i < POSTS; i++) items(d).get(`alice/${i}`)!.delete('pinned')
    }
    expect(board.judge(alice, unpin)).toMatchObject({ kind: 'accept' })
    expect(board.judge(alice, (d) => d.transact(() => {
      unpin(d)
      items(d).get('mo/33')!.delete('title')
    }))).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete', detail: expect.stringContaining('mo/33') })
    expect(board.judge(alice, (d) => d.transact(() => {
      unpin(d)
      d.getMap('meta').delete('note-20-3')
    }))).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete', detail: expect.stringContaining('meta') })
    board.act(alice, unpin)
    expect([...items(board.doc).values()].filter((p) => p.get('pinned') === true)).toEqual([])
  })

  it('the board’s name is moderators’ alone, to write and to delete', async () => {
    const board = new Board()
    expect(board.judge(eve, (d) => d.getMap('meta').set('name', 'Eve’s board'))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    expect(board.judge(eve, (d) => d.getMap('removed').set('x', 1))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    expect(board.act(mo, (d) => d.getMap('meta').set('name', 'Circle'))).toMatchObject({ kind: 'accept', edited: [] })
    expect(board.judge(eve, (d) => d.getMap('meta').delete('name'))).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete' })
    expect(board.act(mo, (d) => d.getMap('meta').delete('name'))).toMatchObject({ kind: 'accept' })
  })
})

describe('what is not the board’s shape', () => {
  it('Eve writes a root the board does not have, a list in the items, a post that is not a map, a field that is not a value: refused as unknown', async () => {
    const board = await boardWithAlicesPost()
    const unknown = (change: Change) => {
      const verdict = board.judge(eve, change)
      return verdict.kind === 'refuse' ? `${verdict.reason}: ${verdict.detail}` : verdict.kind
    }
    expect(unknown((d) => d.getMap('shadow').set('x', 'junk'))).toBe('unknown_type: an unknown root “shadow”')
    expect(unknown((d) => d.getArray('items').insert(0, ['junk']))).toBe('unknown_type: a list in the owned root')
    expect(unknown((d) => items(d).set('eve/1', 'text' as unknown as Y.Map<unknown>))).toBe('unknown_type: an entry that is not a map')
    expect(unknown((d) => items(d).set('eve/1', new Y.Array() as unknown as Y.Map<unknown>))).toBe('unknown_type: an entry that is not a map')
    expect(unknown((d) => d.getMap('a-root-whose-name-runs-on-and-on-for-more-than-forty-characters').set('x', 1))).toBe('unknown_type: an unknown root “a-root-whose-name-runs-on-and-on-for-mor”')
    expect(unknown((d) => items(d).set('eve/1', post({ nested: new Y.Map() })))).toBe('unknown_type: a field that is not a plain value')
    expect(unknown((d) => items(d).set('eve/1', post({ text: new Y.Text('x') })))).toBe('unknown_type: a field that is not a plain value')
    expect(board.judge(eve, () => undefined)).toEqual({ kind: 'accept', range: null, edited: [] })
    expect(judgeUpdate(board.ctx, eve, new Uint8Array([0xff, 0xff, 0xff]))).toMatchObject({ kind: 'refuse', reason: 'bad_payload', range: null })
  })

  it('Eve sends her post together with a change under Alice’s client id: the whole update is refused', async () => {
    const board = new Board()
    const copy = new Y.Doc()
    copy.clientID = eve.client
    items(copy).set('eve/1', post({ title: 'Mine' }))
    copy.clientID = alice.client
    items(copy).set('alice/1', post({ title: 'Hers' }))
    const update = Y.encodeStateAsUpdate(copy)
    for (const who of [eve, alice]) expect(refusal(judgeUpdate(board.ctx, who, update))).toBe('foreign_changes')
    // The clocks Eve used up are her own only (Alice's post, with its three fields, is longer).
    copy.clientID = alice.client
    items(copy).get('alice/1')!.set('place', 'x')
    expect(judgeUpdate(board.ctx, eve, Y.encodeStateAsUpdate(copy))).toEqual({ kind: 'refuse', reason: 'foreign_changes', range: { from: 0, to: 2 }, detail: `a struct of client ${alice.client}` })
  })

  it('Eve sends a post under her own key written wholly under Alice’s client id (one block): refused, and none of her own clocks used up', () => {
    const board = new Board()
    const copy = new Y.Doc()
    copy.clientID = alice.client
    items(copy).set('eve/2', post({ title: 'Signed by Eve, written as Alice' }))
    const update = Y.encodeStateAsUpdate(copy)
    expect(judgeUpdate(board.ctx, eve, update)).toEqual({ kind: 'refuse', reason: 'foreign_changes', range: null, detail: `a struct of client ${alice.client}` })
  })
})

describe('what each refusal says', () => {
  it('names the change and at most 12 characters of the post’s key', async () => {
    const board = new Board()
    const key = 'alice/a-long-post-key'
    board.act(alice, (d) => items(d).set(key, post({ title: 'Safe meeting', place: 'Café Noor', pinned: false })))
    board.act(mo, (d) => d.getMap('meta').set('name', 'Circle'))
    const detail = (who: Author, change: Change) => {
      const v = board.judge(who, change)
      return v.kind === 'refuse' ? `${v.reason}: ${v.detail}` : v.kind
    }
    expect(detail(eve, (d) => items(d).set(key, post({ title: 'Mine' })))).toBe('forbidden_edit: writes entry alice/a-long… of another member')
    expect(detail(eve, (d) => items(d).get(key)!.set('place', 'x'))).toBe('forbidden_edit: edits entry alice/a-long… of another member')
    expect(detail(eve, (d) => items(d).get(key)!.set('pinned', true))).toBe('forbidden_edit: sets “pinned”, which only moderators set')
    expect(detail(eve, (d) => d.getMap('meta').set('name', 'x'))).toBe('forbidden_edit: writes meta, which only moderators write')
    expect(detail(eve, (d) => items(d).delete(key))).toBe('forbidden_delete: deletes entry alice/a-long… of another member')
    expect(detail(eve, (d) => items(d).get(key)!.delete('place'))).toBe('forbidden_delete: deletes a field of entry alice/a-long… of another member')
    expect(detail(eve, (d) => d.getMap('meta').delete('name'))).toBe('forbidden_delete: deletes from meta, which only moderators change')
    expect(judgeUpdate(board.ctx, eve, new Uint8Array([0xff, 0xff, 0xff]))).toMatchObject({ detail: 'not a Yjs update' })
    const first = board.write(alice, (d) => items(d).set('alice/2', post({ title: 'One' })))
    const second = board.write(alice, (d) => items(d).set('alice/3', post({ title: 'Two' })), [first])
    expect(judgeUpdate(board.ctx, alice, second)).toMatchObject({ detail: 'a gap before its first struct' })
  })
})

describe('an update that undoes part of itself', () => {
  it('Alice writes a post, rewrites it twice and deletes another, all offline in one update: accepted; Eve doing the same to Alice’s post is not', async () => {
    const board = await boardWithAlicesPost()
    const offline = (who: Author, key: string) =>
      board.judge(who, (d) => {
        d.transact(() => items(d).set(`${who.tag}/2`, post({ title: 'Draft', place: 'Here', pinned: false })))
        d.transact(() => items(d).get(`${who.tag}/2`)!.set('title', 'Second draft'))
        d.transact(() => items(d).get(`${who.tag}/2`)!.set('title', 'Final'))
        d.transact(() => items(d).set(`${who.tag}/3`, post({ title: 'Gone', body: 'soon' })))
        d.transact(() => items(d).delete(`${who.tag}/3`))
        d.transact(() => items(d).delete(key))
      })
    expect(offline(alice, 'alice/1')).toMatchObject({ kind: 'accept', edited: ['alice/2'] })
    // The first thing in the update is the one it deletes.
    expect(board.judge(alice, (d) => {
      d.transact(() => items(d).set('alice/4', post({ title: 'Oops' })))
      d.transact(() => items(d).delete('alice/4'))
    })).toMatchObject({ kind: 'accept' })
    expect(offline(eve, 'alice/1')).toMatchObject({ kind: 'refuse', reason: 'forbidden_delete' })
  })
})

describe('updates that build on what is missing', () => {
  it('Alice’s second change arrives before her first: refused for the gap, its clocks counted from what this device has', async () => {
    const board = new Board()
    const first = board.write(alice, (d) => items(d).set('alice/1', post({ title: 'One' })))
    const second = board.write(alice, (d) => items(d).set('alice/2', post({ title: 'Two' })), [first])
    expect(judgeUpdate(board.ctx, alice, second)).toMatchObject({ kind: 'refuse', reason: 'bad_payload', range: { from: 0, to: 4 } })
  })

  it('Eve edits a post this device has not received: wait for it; a post whose author was voided: refused', async () => {
    const board = new Board()
    const alices = board.write(alice, (d) => items(d).set('alice/1', post({ title: 'Safe meeting' })))
    expect(board.judge(mo, (d) => items(d).get('alice/1')!.set('pinned', true), [alices])).toEqual({ kind: 'wait', client: alice.client, clock: 0 })
    expect(board.judge(mo, (d) => items(d).delete('alice/1'), [alices])).toEqual({ kind: 'wait', client: alice.client, clock: 0 })
    board.voided.add(alice.client)
    expect(board.judge(mo, (d) => items(d).get('alice/1')!.set('pinned', true), [alices])).toMatchObject({ reason: 'depends_on_void', detail: 'builds on a voided change' })
    // Deleting what was voided changes nothing: accepted.
    expect(board.judge(mo, (d) => items(d).delete('alice/1'), [alices])).toMatchObject({ kind: 'accept' })
  })
})

describe('posts from before keys named their owners', () => {
  it('Olga, who wrote before, creates an old-style post and edits it; Alice may not create one, and Eve may not take Olga’s over', async () => {
    const board = new Board()
    // Her post comes with its fields in one update, as createItem writes it: the doc has nothing yet that names her its owner.
    expect(board.act(olga, (d) => items(d).set('old-1', post({ title: 'Old post', pinned: false })))).toMatchObject({ kind: 'accept' })
    expect(board.act(olga, (d) => items(d).get('old-1')!.set('title', 'Edited'))).toMatchObject({ kind: 'accept', edited: ['old-1'] })
    const detail = (v: ReturnType<typeof judgeUpdate>) => (v.kind === 'refuse' ? v.detail : v.kind)
    expect(detail(board.judge(alice, (d) => items(d).set('old-2', post({ title: 'x' }))))).toBe('creates an entry under a key that is not its own')
    const legacyEve = { ...eve, legacy: true }
    expect(refusal(board.judge(legacyEve, (d) => items(d).set('old-1', post({ title: 'Mine' }))))).toBe('forbidden_edit')
    expect(refusal(board.judge(legacyEve, (d) => items(d).get('old-1')!.set('title', 'Mine')))).toBe('forbidden_edit')
    expect(refusal(board.judge(legacyEve, (d) => items(d).delete('old-1')))).toBe('forbidden_delete')
    // Olga replaces her own old post: still hers, found through the first value written under its key.
    expect(board.act(olga, (d) => items(d).set('old-1', post({ title: 'Again' })))).toMatchObject({ kind: 'accept' })
    expect(board.act(olga, (d) => items(d).set('old-1', post({ title: 'And again' })))).toMatchObject({ kind: 'accept' })
    expect(refusal(board.judge(legacyEve, (d) => items(d).get('old-1')!.set('title', 'Mine')))).toBe('forbidden_edit')
  })

  it('Eve, writing an old-style post under Olga’s key from a copy that has not seen it, is refused; the owner is whoever wrote first under the key', async () => {
    const board = new Board()
    const empty = Y.encodeStateAsUpdate(board.doc)
    board.act(olga, (d) => items(d).set('old-1', post({ title: 'Olga’s' })))
    const legacyEve = { ...eve, legacy: true }
    expect(judgeUpdate(board.ctx, legacyEve, board.writeFrom(empty, legacyEve, (d) => items(d).set('old-1', post({ title: 'Mine' }))))).toMatchObject({
      kind: 'refuse',
      reason: 'forbidden_edit',
      detail: 'creates an entry under a key that is not its own',
    })
    // An old board (sealed whole, never judged) where Eve wrote over Olga's post: it stays Olga's.
    Y.applyUpdate(board.doc, board.write(legacyEve, (d) => items(d).set('old-1', post({ title: 'Overwritten' }))))
    expect(refusal(board.judge(legacyEve, (d) => items(d).get('old-1')!.set('title', 'Mine')))).toBe('forbidden_edit')
    // Olga, on her new device (no longer writing old entries), still owns it.
    expect(board.judge({ ...olga, legacy: false }, (d) => items(d).set('old-1', post({ title: 'Still mine' })))).toMatchObject({ kind: 'accept', edited: ['old-1'] })
  })
})
