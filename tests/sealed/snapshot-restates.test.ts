/**
 * A snapshot stands for its author's entries it covers, and is judged with
 * the rights its author had at the sequence number and heads it names. A
 * member removed or made a member again keeps their keys: they can sign a
 * NEW snapshot, numbered under their cutoff and naming the heads they had
 * seen then, and write into it what their rights no longer allow (a post
 * after their removal, a takedown, a pin, a rename). Found by an audit on
 * 2026-12-06: every device took such a snapshot.
 *
 * A device that has handled the entries a snapshot covers now checks that it
 * only says again what they did: its author's structs are exactly the clocks
 * those entries used, and what it deletes of others' is deleted here
 * already. One that adds to them is void, and the entries stay. A snapshot
 * that deletes a struct of its own author that none of their entries holds
 * is void too, where it waited for ever and held up everything built on
 * that author's posts.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems, setPinned } from '../../src/core/index.ts'
import { boundClientId, importContentKey, importDeviceSigner, keyId, openEntry, parseEntry, sealEntry, toBase64url, type EntryHeader } from '../../src/crypto/index.ts'
import { entryKey } from '../../src/sealed/index.ts'
import { encodeContent } from '../../src/sealed/payloads.ts'
import { handUpdate } from './hand-update.ts'
import { circle, device, exchange, settle, type Circle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const entries = (m: Member) => m.board.sealed.getMap('entries')

async function post(m: Member, title: string): Promise<string> {
  const id = newItemId(m.board.myTag)
  createItem(m.board.readable, notice(title), Date.now(), id)
  await settle(m)
  return id
}

/** The sequence numbers of Eve's entries (none are snapshots here), from her shared doc. */
function contentSeqs(eve: Member): number[] {
  const prefix = `${eve.board.myTag}.`
  return [...entries(eve).keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).filter((s) => !s.includes('-')).map(Number).sort((a, b) => a - b)
}

/** Eve's snapshot over her last two content entries (`seqs`), signed now under `key` and naming `heads`, handed to `to`. */
async function lateSnapshot(c: Circle, eve: Member, seqs: readonly number[], key: Uint8Array, heads: readonly string[], update: Uint8Array, to: readonly Member[]): Promise<string> {
  const h: EntryHeader = { kind: 'snapshot', boardId: c.boardId, keyId: keyId(key), author: eve.keys.signPublic, seq: seqs.at(-1)!, from: seqs.at(-2)! }
  const bytes = await sealEntry(h, encodeContent([...heads], update), await importContentKey(key), await importDeviceSigner(eve.keys))
  for (const m of to) {
    entries(m).set(entryKey(h), bytes)
    await settle(m)
  }
  return entryKey(h)
}

describe('a snapshot signed since, numbered under its author’s cutoff', () => {
  it('by Eve, removed, with a new post in it: void on every device, and her posts from before stay', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    await post(eve, 'Eve one')
    await post(eve, 'Eve two')
    await exchange(ana, bob, eve)
    const seqs = contentSeqs(eve)
    const heads = eve.board.circle.heads()
    const oldKey = eve.board.keys.contentKeys().at(-1)!
    // Ana removes Eve (Eve never hears of it).
    await ana.board.remove([eve.board.myTag])
    await exchange(ana, bob)
    expect(ana.board.circle.cutoffOf(eve.board.myTag)).toBeGreaterThanOrEqual(seqs.at(-1)!)
    expect(ana.board.members().find((m) => m.name === 'Eve')!.removed).toBe(true)

    // Eve crafts a new post, at her next Yjs clock, and seals it as a snapshot over her two last content entries.
    const scratch = new Y.Doc()
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(eve.board.readable))
    scratch.clientID = boundClientId(eve.keys.signPublic)
    const sv = Y.encodeStateVector(scratch)
    createItem(scratch, notice('Eve after removal'), Date.now(), newItemId(eve.board.myTag))
    const update = Y.encodeStateAsUpdate(scratch, sv)
    const key = await lateSnapshot(c, eve, seqs, oldKey, heads, update, [ana, bob])
    for (const m of [ana, bob]) {
      expect(titles(m.board.readable), m.name).toEqual(['Eve one', 'Eve two'])
      expect(m.board.diagnostics.events.some((e) => e.reason === 'forbidden_edit' && e.key === key), m.name).toBe(true)
      expect(entries(m).has(key), m.name).toBe(false)
    }
  })

  it('by Eve, a moderator removed, taking down Bob’s post: void, and the post stays', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    await ana.board.setRole(ana.board.circle.memberOf(eve.board.myTag)!, 'moderator')
    await exchange(ana, bob, eve)
    expect(eve.board.canModerate).toBe(true)
    const bobPost = await post(bob, 'Bob’s post')
    await post(eve, 'Eve one')
    await post(eve, 'Eve two')
    await exchange(ana, bob, eve)
    const seqs = contentSeqs(eve)
    const heads = eve.board.circle.heads()
    const oldKey = eve.board.keys.contentKeys().at(-1)!
    await ana.board.remove([eve.board.myTag])
    await exchange(ana, bob)
    expect(ana.board.members().find((m) => m.name === 'Eve')!.removed).toBe(true)
    expect(titles(bob.board.readable)).toContain('Bob’s post')

    // Eve's "snapshot" has no struct at all, only a delete set that takes Bob's post.
    const tmp = new Y.Doc()
    Y.applyUpdate(tmp, Y.encodeStateAsUpdate(ana.board.readable))
    const sv = Y.encodeStateVector(tmp)
    tmp.getMap('items').delete(bobPost)
    const update = Y.encodeStateAsUpdate(tmp, sv)
    await lateSnapshot(c, eve, seqs, oldKey, heads, update, [ana, bob])
    for (const m of [ana, bob]) expect(titles(m.board.readable), m.name).toEqual(['Bob’s post', 'Eve one', 'Eve two'])
  })

  it('by Eve, a moderator made a member again, pinning Bob’s post and renaming the board: void', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    const eveMember = ana.board.circle.memberOf(eve.board.myTag)!
    await ana.board.setRole(eveMember, 'moderator')
    await exchange(ana, bob, eve)
    const bobPost = await post(bob, 'Bob’s post')
    await post(eve, 'Eve one')
    await post(eve, 'Eve two')
    await exchange(ana, bob, eve)
    const seqs = contentSeqs(eve)
    const heads = eve.board.circle.heads()
    const key = eve.board.keys.contentKeys().at(-1)!
    // Ana makes Eve a member again (Eve does not hear of it).
    await ana.board.setRole(eveMember, 'member')
    await exchange(ana, bob)
    expect(ana.board.members().find((m) => m.name === 'Eve')!.role).toBe('member')

    const scratch = new Y.Doc()
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(eve.board.readable))
    scratch.clientID = boundClientId(eve.keys.signPublic)
    const sv = Y.encodeStateVector(scratch)
    scratch.transact(() => {
      ;(scratch.getMap('items').get(bobPost) as Y.Map<unknown>).set('pinned', true)
      scratch.getMap('meta').set('name', 'Eve’s board now')
    })
    const update = Y.encodeStateAsUpdate(scratch, sv)
    await lateSnapshot(c, eve, seqs, key, heads, update, [ana, bob])
    for (const m of [ana, bob]) {
      expect((m.board.readable.getMap('items').get(bobPost) as Y.Map<unknown>).get('pinned'), m.name).toBe(false)
      expect(m.board.readable.getMap('meta').get('name'), m.name).not.toBe('Eve’s board now')
      expect(titles(m.board.readable), m.name).toEqual(['Bob’s post', 'Eve one', 'Eve two'])
    }
  })

  it('by Eve, with no struct, deleting her own first post: void where her posts are, and where they are not (not waited on), so Ana’s posts after her pin of Eve’s post still come', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    await post(bob, 'Bob’s post')
    await post(eve, 'Eve one')
    const evePost = await post(eve, 'Eve two')
    await exchange(ana, bob, eve)
    setPinned(ana.board.readable, evePost, true)
    await settle(ana)
    await post(ana, 'Ana after the pin')
    await exchange(ana, bob, eve)
    const seqs = contentSeqs(eve)
    const [from, seq] = [seqs.at(-2)!, seqs.at(-1)!]

    // A snapshot over her two posts with no struct at all: it only deletes her own first post (clock 0 of her client).
    const full = handUpdate([], [[boundClientId(eve.keys.signPublic), 0, 1]])
    const key = eve.board.keys.contentKeys().at(-1)!
    const h: EntryHeader = { kind: 'snapshot', boardId: c.boardId, keyId: keyId(key), author: eve.keys.signPublic, seq, from }
    const bytes = await sealEntry(h, encodeContent(eve.board.circle.heads(), full), await importContentKey(key), await importDeviceSigner(eve.keys))
    entries(eve).set(entryKey(h), bytes)
    await settle(eve)
    await exchange(ana, bob, eve)
    const board = ['Ana after the pin', 'Bob’s post', 'Eve one', 'Eve two']
    for (const m of [ana, bob, eve]) {
      expect(titles(m.board.readable), m.name).toEqual(board)
      expect(entries(m).has(entryKey(h)), m.name).toBe(false)
    }

    // A newcomer gets the board.
    const carl = await c.admit('Carl', bob)
    await exchange(ana, bob, eve, carl)
    await post(ana, 'Ana later still')
    await exchange(ana, bob, eve, carl)
    for (const m of [ana, carl]) expect(titles(m.board.readable), m.name).toEqual([...board, 'Ana later still'].sort())

    const contentKeys = ana.board.keys.contentKeys().map((k) => ({ key: k, transport: ana.board.keys.transport(toBase64url(keyId(k))) }))
    // A device that holds the entries it covers and the snapshot at once (Ana's, opened again from what it stores,
    // no verdicts kept, the snapshot handed to it): Eve's posts are handled first, and the snapshot, which does not
    // say again what they did, is void.
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(ana.board.sealed))
    copy.getMap('entries').set(entryKey(h), bytes)
    const again = await device('Ana again', { keys: ana.keys, sealed: copy, boardId: c.boardId, contentKeys })
    await settle(again)
    expect(titles(again.board.readable)).toEqual([...board, 'Ana later still'].sort())
    expect(again.board.diagnostics.events.some((e) => e.reason === 'forbidden_edit' && e.key === entryKey(h))).toBe(true)

    // A device that meets the snapshot before the entries it covers: it deletes a struct of Eve's that it does not
    // hold, so it is void there too, where it waited for ever; Eve's two posts are handled once they come, and
    // Ana's all come.
    const without = new Y.Doc()
    Y.applyUpdate(without, Y.encodeStateAsUpdate(ana.board.sealed))
    const covered = new Map([from, seq].map((n) => [`${eve.board.myTag}.${n}`, without.getMap('entries').get(`${eve.board.myTag}.${n}`)] as const))
    for (const k of covered.keys()) without.getMap('entries').delete(k)
    without.getMap('entries').set(entryKey(h), bytes)
    const late = await device('Ana once more', { keys: ana.keys, sealed: without, boardId: c.boardId, contentKeys })
    await settle(late)
    expect(late.board.diagnostics.events.some((e) => e.reason === 'forbidden_delete' && e.key === entryKey(h))).toBe(true)
    for (const [k, value] of covered) late.board.sealed.getMap('entries').set(k, value)
    await settle(late)
    expect(titles(late.board.readable)).toEqual([...board, 'Ana later still'].sort())
  })
})

/**
 * Eve's snapshot from `from` to her last content entry, holding her structs exactly and Bob's post deleted, under
 * the heads she had as a moderator (`heads`): one write into the shared map, the same Yjs item on every device of
 * `to` (as her own client would make it).
 */
async function takedown(c: Circle, eve: Member, from: number, heads: readonly string[], key: Uint8Array, bobsPost: string, to: readonly Member[]): Promise<string> {
  const scratch = new Y.Doc()
  Y.applyUpdate(scratch, Y.encodeStateAsUpdate(to[0]!.board.readable))
  const before = Y.decodeStateVector(Y.encodeStateVector(scratch))
  before.delete(boundClientId(eve.keys.signPublic))
  scratch.getMap('items').delete(bobsPost)
  const update = Y.encodeStateAsUpdate(scratch, Y.encodeStateVector(before))
  const h: EntryHeader = { kind: 'snapshot', boardId: c.boardId, keyId: keyId(key), author: eve.keys.signPublic, seq: Math.max(...contentSeqs(eve)), from }
  const bytes = await sealEntry(h, encodeContent([...heads], update), await importContentKey(key), await importDeviceSigner(eve.keys))
  const wire = new Y.Doc()
  Y.applyUpdate(wire, Y.encodeStateAsUpdate(to[0]!.board.sealed))
  const sv = Y.encodeStateVector(wire)
  wire.getMap('entries').set(entryKey(h), bytes)
  const written = Y.encodeStateAsUpdate(wire, sv)
  for (const m of to) {
    Y.applyUpdate(m.board.sealed, written, 'remote')
    await settle(m)
  }
  return entryKey(h)
}

/** Eve posts, then signs a second version of that post's entry: proof that she equivocated, which makes each device of `to` build its board again. Returns who did. */
async function equivocate(eve: Member, to: readonly Member[]): Promise<string[]> {
  await post(eve, 'Eve, last')
  await exchange(eve, ...to)
  const lastKey = `${eve.board.myTag}.${Math.max(...contentSeqs(eve))}`
  const parsed = parseEntry(entries(eve).get(lastKey))
  if (!parsed.ok) throw new Error('Eve’s last entry does not parse')
  const cipher = eve.board.keys.cipherFor(parsed.entry.header.keyId)!
  const again = await sealEntry(parsed.entry.header, (await openEntry(parsed.entry, cipher))!, cipher, await importDeviceSigner(eve.keys))
  const rebuilt = new Set<string>()
  for (const m of to) m.board.onReset(() => rebuilt.add(m.name))
  for (const m of to) {
    entries(m).set(lastKey, again)
    await settle(m)
  }
  await exchange(...to)
  return [...rebuilt].sort()
}

describe('a snapshot voided here, when the board is built again', () => {
  for (const compacted of [false, true]) {
    const what = compacted ? 'over a snapshot of hers and a post' : 'over two posts'
    it(`Eve, a moderator made a member again, takes Bob’s post down in a late snapshot ${what}: void, and still void once her equivocation makes every device build its board again`, async () => {
      const c = await circle('Ana', 'Bob', 'Eve')
      const [ana, bob, eve] = c.members as [Member, Member, Member]
      const eveMember = ana.board.circle.memberOf(eve.board.myTag)!
      await ana.board.setRole(eveMember, 'moderator')
      await exchange(ana, bob, eve)
      const bobsPost = await post(bob, 'Bob’s post')
      const from = (await post(eve, 'Eve one'), Math.max(...contentSeqs(eve)))
      await post(eve, 'Eve two')
      // Found by a second audit: a snapshot of hers inside the range, honest (any compaction), held the covered entries up no more.
      if (compacted) {
        await eve.board.compactNow()
        expect([...entries(eve).keys()].filter((k) => k.startsWith(`${eve.board.myTag}.${from}-`))).toHaveLength(1)
        await post(eve, 'Eve three')
      }
      await exchange(ana, bob, eve)
      const heads = eve.board.circle.heads()
      const key = eve.board.keys.contentKeys().at(-1)!
      await ana.board.setRole(eveMember, 'member')
      await exchange(ana, bob, eve)

      const forged = await takedown(c, eve, from, heads, key, bobsPost, [ana, bob])
      const board = ['Bob’s post', 'Eve one', ...(compacted ? ['Eve three'] : []), 'Eve two']
      for (const m of [ana, bob]) {
        expect(titles(m.board.readable), m.name).toEqual(board)
        expect(m.board.diagnostics.events.some((e) => e.reason === 'forbidden_edit' && e.key === forged), m.name).toBe(true)
      }
      expect(await equivocate(eve, [ana, bob])).toEqual(['Ana', 'Bob'])
      // Until December 2026 the snapshot was taken, ahead of the entries it covers, and Bob's post was gone.
      for (const m of [ana, bob]) expect(titles(m.board.readable), m.name).toEqual(board)
    })
  }
})
