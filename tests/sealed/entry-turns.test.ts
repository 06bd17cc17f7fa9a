/**
 * What becomes of one entry in its author's turn (entry-handler.ts), told
 * through what a member sees: content that names what its author had seen,
 * an author nobody let in, a refused post whose clocks later posts build
 * on, a change built on a removed member's void post, payloads that do not
 * decode.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, deleteItem, newItemId, readItems, setPinned, updateItem } from '../../src/core/index.ts'
import { boundClientId, deviceTag, FIRST_KEY_ID, importContentKey, importDeviceSigner, keyId, legacyBoundClientId, sealEntry, type EntryHeader, type EntryKind } from '../../src/crypto/index.ts'
import { entryKey } from '../../src/sealed/index.ts'
import { encodeContent } from '../../src/sealed/payloads.ts'
import { CONTENT_KEY, OLD_BOARD_ID, circle, device, exchange, member, noticeUpdate, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const entries = (m: Member) => m.board.sealed.getMap('entries')
const events = (m: Member) => m.board.diagnostics.events.map((e) => [e.reason, e.author, e.detail])
/** The newest entry `m` signed, by sequence number. */
const newest = (m: Member) => [...entries(m).keys()].filter((k) => k.startsWith(`${m.board.myTag}.`)).sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1]))[0]!

/** Eve signs an entry of her own on a board from before membership, naming the board's key; its payload sealed with `sealedWith`. */
async function eveSeals(eve: Member, seq: number, kind: EntryKind, payload: Uint8Array, sealedWith = CONTENT_KEY): Promise<{ key: string; bytes: Uint8Array }> {
  const h: EntryHeader = { kind, boardId: OLD_BOARD_ID, keyId: keyId(CONTENT_KEY), author: eve.keys.signPublic, seq, from: seq }
  return { key: entryKey(h), bytes: await sealEntry(h, payload, await importContentKey(sealedWith), await importDeviceSigner(eve.keys)) }
}

/** Eve signs an entry of her own straight into Bob's shared doc, on a board from before membership. */
async function eveWrites(eve: Member, bob: Member, seq: number, kind: EntryKind, payload: Uint8Array): Promise<string> {
  const { key, bytes } = await eveSeals(eve, seq, kind, payload)
  entries(bob).set(key, bytes)
  await settle(bob)
  return key
}

describe('an entry in its author’s turn', () => {
  it('Bob’s post names a membership change Carol has not seen: it waits for it, refused by nobody', async () => {
    const c = await circle('Ana', 'Bob', 'Carol')
    const [ana, bob, carol] = c.members as [Member, Member, Member]
    await ana.board.setMembersMayInvite(false)
    await exchange(ana, bob)
    createItem(bob.board.readable, notice('Rides to the clinic'), Date.now(), newItemId(bob.board.myTag))
    await settle(bob)
    entries(carol).set(newest(bob), entries(bob).get(newest(bob)))
    await settle(carol)
    expect(titles(carol.board.readable)).toEqual([])
    expect(carol.board.pendingCount()).toBe(1)
    expect(carol.board.diagnostics.total).toBe(0)
    await exchange(ana, carol)
    expect(titles(carol.board.readable)).toEqual(['Rides to the clinic'])
    expect(carol.board.diagnostics.total).toBe(0)
  })

  it('on an old board, Eve posts without ever writing a profile: her post waits for an author nobody knows, refused by nobody', async () => {
    const bob = await member('Bob')
    const eve = await device('Eve')
    const doc = new Y.Doc()
    doc.clientID = boundClientId(eve.keys.signPublic)
    createItem(doc, notice('Free food, come to the back door'), Date.now(), newItemId(deviceTag(eve.keys.signPublic)))
    await eveWrites(eve, bob, 1, 'update', encodeContent([], Y.encodeStateAsUpdate(doc)))
    expect(titles(bob.board.readable)).toEqual([])
    expect(bob.board.pendingCount()).toBe(1)
    expect(bob.board.diagnostics.events.map((e) => e.reason)).toEqual(['pending_author'])
  })

  it('Eve’s refused post is filled in: her next post, built on its clocks, still counts', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    const doc = new Y.Doc()
    doc.clientID = boundClientId(eve.keys.signPublic)
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    createItem(doc, notice('Bob’s, says the key'), Date.now(), newItemId(bob.board.myTag))
    createItem(doc, notice('Eve’s own notice'), Date.now(), newItemId(eve.board.myTag))
    await eveWrites(eve, bob, 2, 'update', encodeContent([], updates[0]!))
    await eveWrites(eve, bob, 3, 'update', encodeContent([], updates[1]!))
    expect(bob.board.diagnostics.events.map((e) => e.reason)).toEqual(['forbidden_edit'])
    expect(titles(bob.board.readable)).toEqual(['Eve’s own notice'])
    expect(bob.board.readable.store.pendingStructs).toBeNull()
  })

  it('Eve’s profile reaches Bob: the Members screen is told', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    let told = 0
    bob.board.onCircleChange(() => told++)
    await exchange(bob, eve)
    expect(bob.board.members().map((m) => m.name)).toEqual(expect.arrayContaining(['Bob', 'Eve']))
    expect(told).toBeGreaterThan(0)
  })

  it('a version 1 post (a bare Yjs update under the first key and the author’s older client id, items with keys that name nobody) still counts', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    const doc = new Y.Doc()
    doc.clientID = legacyBoundClientId(eve.keys.signPublic)
    createItem(doc, notice('From before sealed boards'), Date.now())
    const h: EntryHeader = { kind: 'update', version: 1, boardId: OLD_BOARD_ID, keyId: FIRST_KEY_ID, author: eve.keys.signPublic, seq: 2, from: 2 }
    entries(bob).set(entryKey(h), await sealEntry(h, Y.encodeStateAsUpdate(doc), await importContentKey(CONTENT_KEY), await importDeviceSigner(eve.keys)))
    await settle(bob)
    expect(bob.board.diagnostics.events).toEqual([])
    expect(titles(bob.board.readable)).toEqual(['From before sealed boards'])
  })

  it('a version 2 post may not create an item whose key names nobody (only entries from before sealed boards did)', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    const doc = new Y.Doc()
    doc.clientID = boundClientId(eve.keys.signPublic)
    createItem(doc, notice('Whose is this?'), Date.now())
    await eveWrites(eve, bob, 2, 'update', encodeContent([], Y.encodeStateAsUpdate(doc)))
    expect(titles(bob.board.readable)).toEqual([])
    expect(bob.board.diagnostics.events.map((e) => [e.reason, e.author])).toEqual([['forbidden_edit', eve.board.myTag]])
  })

  it('payloads that do not decode are void, with what they failed to be', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    const eveTag = eve.board.myTag
    const tooManyHeads = Uint8Array.of(65, ...new Uint8Array(65 * 16))
    await eveWrites(eve, bob, 2, 'update', tooManyHeads)
    await eveWrites(eve, bob, 3, 'control', Uint8Array.of(1, 2, 3))
    await eveWrites(eve, bob, 4, 'join', Uint8Array.of(1, 2, 3))
    expect(events(bob)).toEqual([
      ['bad_payload', eveTag, null],
      ['bad_payload', eveTag, 'not a membership change'],
      ['bad_payload', eveTag, 'not a profile'],
    ])
    expect(bob.board.pendingCount()).toBe(0)
    expect(bob.board.members().find((m) => m.id === eveTag)?.name).toBe('Eve')
  })

  it('Eve’s void entries are taken away again before Bob’s engine gets to them (as every device that judged them does): each is named once, and none is put back as erased', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    const eveTag = eve.board.myTag
    const post = noticeUpdate(boundClientId(eve.keys.signPublic), 'Free food, come to the back door', eveTag)
    const sealed = [
      await eveSeals(eve, 2, 'update', encodeContent([], post), new Uint8Array(32).fill(9)),
      await eveSeals(eve, 3, 'update', Uint8Array.of(65, ...new Uint8Array(65 * 16))),
      await eveSeals(eve, 4, 'control', Uint8Array.of(1, 2, 3)),
      await eveSeals(eve, 5, 'join', Uint8Array.of(1, 2, 3)),
      await eveSeals(eve, 6, 'legacy', post),
    ]
    for (const { key, bytes } of sealed) {
      entries(bob).set(key, bytes)
      entries(bob).delete(key)
    }
    await settle(bob)
    expect(events(bob)).toEqual([
      ['decrypt_failed', eveTag, null],
      ['bad_payload', eveTag, null],
      ['bad_payload', eveTag, 'not a membership change'],
      ['bad_payload', eveTag, 'not a profile'],
      ['foreign_changes', eveTag, 'a whole old board, on a board that never had one'],
    ])
    expect(sealed.filter(({ key }) => entries(bob).has(key))).toEqual([])
    expect(bob.board.pendingCount()).toBe(0)
    expect(titles(bob.board.readable)).toEqual([])
  })

  it('Bob signs a post naming no membership change, as if written before he was let in: Carol refuses it as not a member’s', async () => {
    const c = await circle('Ana', 'Bob', 'Carol')
    const [, bob, carol] = c.members as [Member, Member, Member]
    const seq = Number(newest(bob).split('.')[1]) + 1
    const raw = bob.board.keys.contentKey(bob.board.epoch!.key)!
    const h: EntryHeader = { kind: 'update', boardId: c.boardId, keyId: keyId(raw), author: bob.keys.signPublic, seq, from: seq }
    const update = noticeUpdate(boundClientId(bob.keys.signPublic), 'Rides to the clinic', bob.board.myTag)
    entries(carol).set(entryKey(h), await sealEntry(h, encodeContent([], update), await importContentKey(raw), await importDeviceSigner(bob.keys)))
    await settle(carol)
    expect(events(carol)).toEqual([['not_member', bob.board.myTag, null]])
    expect(titles(carol.board.readable)).toEqual([])
    expect(carol.board.pendingCount()).toBe(0)
  })

  it('an item from before sealed boards stays its creator’s: Eve edits her version 1 notice in a later post, and it counts', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    const doc = new Y.Doc()
    doc.clientID = legacyBoundClientId(eve.keys.signPublic)
    const r = createItem(doc, notice('Choir on Thursday'), Date.now())
    if (!r.ok) throw new Error('create failed')
    const h: EntryHeader = { kind: 'update', version: 1, boardId: OLD_BOARD_ID, keyId: FIRST_KEY_ID, author: eve.keys.signPublic, seq: 2, from: 2 }
    entries(bob).set(entryKey(h), await sealEntry(h, Y.encodeStateAsUpdate(doc), await importContentKey(CONTENT_KEY), await importDeviceSigner(eve.keys)))
    await settle(bob)
    const before = Y.encodeStateVector(doc)
    doc.clientID = boundClientId(eve.keys.signPublic)
    if (!updateItem(doc, r.value.id, { title: 'Choir moved to Friday' }, Date.now()).ok) throw new Error('update failed')
    await eveWrites(eve, bob, 3, 'update', encodeContent([], Y.encodeStateAsUpdate(doc, before)))
    expect(bob.board.diagnostics.events).toEqual([])
    expect(titles(bob.board.readable)).toEqual(['Choir moved to Friday'])
  })
})

describe('changes built on a post not here yet', () => {
  it('Ana pins Bob’s post; Carol gets the pin first: it waits for the post, refused by nobody, and both show once it comes', async () => {
    const c = await circle('Ana', 'Bob', 'Carol')
    const [ana, bob, carol] = c.members as [Member, Member, Member]
    const r = createItem(bob.board.readable, notice('Coats for the winter drive'), Date.now(), newItemId(bob.board.myTag))
    if (!r.ok) throw new Error('create failed')
    await settle(bob)
    await exchange(ana, bob)
    setPinned(ana.board.readable, r.value.id, true)
    await settle(ana)
    const anasOnly = new Y.Doc()
    anasOnly.transact(() => {
      for (const [k, v] of entries(ana)) if (k.startsWith(`${ana.board.myTag}.`)) anasOnly.getMap('entries').set(k, v)
    })
    Y.applyUpdate(carol.board.sealed, Y.encodeStateAsUpdate(anasOnly), 'remote')
    await settle(carol)
    expect(titles(carol.board.readable)).toEqual([])
    expect(carol.board.pendingCount()).toBe(1)
    expect(carol.board.diagnostics.total).toBe(0)
    await exchange(bob, carol)
    expect(readItems(carol.board.readable).map((i) => [i.title, i.pinned])).toEqual([['Coats for the winter drive', true]])
    expect(carol.board.diagnostics.total).toBe(0)
  })
})

/** The entries of `from`'s shared docs whose keys `keep` allows, as one update (a peer that passes on only part of what it holds). */
function entriesWhere(keep: (key: string) => boolean, ...from: Member[]): Uint8Array {
  const doc = new Y.Doc()
  doc.transact(() => {
    for (const m of from) for (const [k, v] of entries(m)) if (keep(k)) doc.getMap('entries').set(k, v)
  })
  return Y.encodeStateAsUpdate(doc)
}

const pin = (doc: Y.Doc, id: string) => void setPinned(doc, id, true)

/**
 * Ana removes Eve; Eve, not yet told, posts again; Alice, a moderator who has
 * not heard of the removal, pins that late post (or makes another `change` to
 * it). Carol has seen none of it yet.
 */
async function pinOfLatePost(change = pin) {
  const c = await circle('Ana', 'Alice', 'Eve', 'Carol')
  const [ana, alice, eve, carol] = c.members as [Member, Member, Member, Member]
  await ana.board.setRole(alice.board.myTag, 'moderator')
  await exchange(ana, alice, eve, carol)
  await ana.board.remove([eve.board.myTag])
  const r = createItem(eve.board.readable, notice('Meeting cancelled, stay home'), Date.now(), newItemId(eve.board.myTag))
  if (!r.ok) throw new Error('create failed')
  await settle(eve)
  const late = newest(eve)
  await exchange(eve, alice)
  change(alice.board.readable, r.value.id)
  await settle(alice)
  return { ana, alice, eve, carol, late }
}

describe('changes built on a removed member’s void post', () => {
  it('Ana removes Eve; Alice, a moderator who had not heard, pins Eve’s late post: Carol, who knows of the removal, refuses the pin rather than wait for ever', async () => {
    const { ana, alice, eve, carol } = await pinOfLatePost()
    await exchange(ana, carol)
    await exchange(alice, carol)
    expect(titles(carol.board.readable)).toEqual([])
    // In either order: authors' turns go by device tag.
    expect(carol.board.diagnostics.events.map((e) => [e.reason, e.author]).sort()).toEqual([
      ['depends_on_void', alice.board.myTag],
      ['removed_author', eve.board.myTag],
    ])
    expect(carol.board.pendingCount()).toBe(0)
  })

  it('Carol never gets Eve’s late post (every device that did removed it), only Alice’s pin of it: the pin is refused all the same, and Alice’s next post is not held up behind it', async () => {
    const { ana, alice, carol, late } = await pinOfLatePost()
    createItem(alice.board.readable, notice('Soup on Monday'), Date.now(), newItemId(alice.board.myTag))
    await settle(alice)
    await exchange(ana, carol)
    Y.applyUpdate(carol.board.sealed, entriesWhere((k) => k !== late, alice), 'remote')
    await settle(carol)
    expect(entries(carol).has(late)).toBe(false)
    expect(carol.board.diagnostics.events.map((e) => [e.reason, e.author])).toEqual([['depends_on_void', alice.board.myTag]])
    expect(carol.board.pendingCount()).toBe(0)
    expect(titles(carol.board.readable)).toEqual(['Soup on Monday'])
  })

  it('Eve’s late post reaches Carol, who knows of the removal, with its removal by another device right behind it: named once, and not put back as erased', async () => {
    const c = await circle('Ana', 'Eve', 'Carol')
    const [ana, eve, carol] = c.members as [Member, Member, Member]
    await ana.board.remove([eve.board.myTag])
    createItem(eve.board.readable, notice('Meeting cancelled, stay home'), Date.now(), newItemId(eve.board.myTag))
    await settle(eve)
    await exchange(ana, carol)
    const late = newest(eve)
    entries(carol).set(late, entries(eve).get(late))
    entries(carol).delete(late)
    await settle(carol)
    expect(events(carol)).toEqual([['removed_author', eve.board.myTag, null]])
    expect(entries(carol).has(late)).toBe(false)
    expect(titles(carol.board.readable)).toEqual([])
  })

  it('Alice, a moderator who had not heard of the removal, takes Eve’s late post down: Carol, who never gets the post, has nothing to take down, and Alice’s next post is not held up behind it', async () => {
    const { ana, alice, carol, late } = await pinOfLatePost((doc, id) => void deleteItem(doc, id))
    createItem(alice.board.readable, notice('Soup on Monday'), Date.now(), newItemId(alice.board.myTag))
    await settle(alice)
    await exchange(ana, carol)
    Y.applyUpdate(carol.board.sealed, entriesWhere((k) => k !== late, alice), 'remote')
    await settle(carol)
    expect(entries(carol).has(late)).toBe(false)
    expect(carol.board.pendingCount()).toBe(0)
    expect(titles(carol.board.readable)).toEqual(['Soup on Monday'])
    expect(carol.board.diagnostics.events).toEqual([])
  })

  it('Carol, admitted before Eve and offline since, gets Ana’s removal of Eve and Alice’s pin of Eve’s late post before any entry of Eve’s: the pin waits for them, and is refused once her entries up to her cutoff come', async () => {
    const c = await circle('Ana', 'Alice', 'Carol')
    const [ana, alice, carol] = c.members as [Member, Member, Member]
    await ana.board.setRole(alice.board.myTag, 'moderator')
    await exchange(ana, alice, carol)
    c.members.splice(c.members.indexOf(carol), 1)
    const eve = await c.admit('Eve')
    await ana.board.remove([eve.board.myTag])
    const r = createItem(eve.board.readable, notice('Meeting cancelled, stay home'), Date.now(), newItemId(eve.board.myTag))
    if (!r.ok) throw new Error('create failed')
    await settle(eve)
    const late = newest(eve)
    await exchange(eve, alice)
    setPinned(alice.board.readable, r.value.id, true)
    await settle(alice)
    const eves = (k: string) => k.startsWith(`${eve.board.myTag}.`)
    Y.applyUpdate(carol.board.sealed, entriesWhere((k) => !eves(k), ana, alice), 'remote')
    await settle(carol)
    expect(carol.board.pendingCount()).toBe(1)
    expect(carol.board.diagnostics.events.map((e) => [e.reason, e.author])).toEqual([['pending_gap', alice.board.myTag]])
    Y.applyUpdate(carol.board.sealed, entriesWhere((k) => eves(k) && k !== late, ana), 'remote')
    await settle(carol)
    expect(carol.board.pendingCount()).toBe(0)
    expect(carol.board.diagnostics.events.map((e) => [e.reason, e.author]).filter(([reason]) => !reason!.startsWith('pending_'))).toEqual([['depends_on_void', alice.board.myTag]])
    expect(titles(carol.board.readable)).toEqual([])
  })

  it('Ana removes Eve after Eve’s last post; Alice pins that post; Carol gets the removal and the pin before the post: the pin waits for it, and both show once it comes', async () => {
    const c = await circle('Ana', 'Alice', 'Eve', 'Carol')
    const [ana, alice, eve, carol] = c.members as [Member, Member, Member, Member]
    await ana.board.setRole(alice.board.myTag, 'moderator')
    await exchange(ana, alice, eve, carol)
    const r = createItem(eve.board.readable, notice('Choir on Thursday'), Date.now(), newItemId(eve.board.myTag))
    if (!r.ok) throw new Error('create failed')
    await settle(eve)
    const post = newest(eve)
    await exchange(eve, ana, alice)
    await ana.board.remove([eve.board.myTag])
    setPinned(alice.board.readable, r.value.id, true)
    await settle(alice)
    Y.applyUpdate(carol.board.sealed, entriesWhere((k) => k !== post, ana, alice), 'remote')
    await settle(carol)
    expect(carol.board.members().find((m) => m.id === eve.board.myTag)?.removed).toBe(true)
    expect(titles(carol.board.readable)).toEqual([])
    expect(carol.board.pendingCount()).toBe(1)
    await exchange(alice, carol)
    expect(readItems(carol.board.readable).map((i) => [i.title, i.pinned])).toEqual([['Choir on Thursday', true]])
    expect(carol.board.diagnostics.events.filter((e) => !e.reason.startsWith('pending_'))).toEqual([])
    expect(carol.board.pendingCount()).toBe(0)
  })

  it('Carol, offline through Eve’s last post and her removal, keeps Eve’s post up to her cutoff and nothing after it', async () => {
    const c = await circle('Ana', 'Eve', 'Carol')
    const [ana, eve, carol] = c.members as [Member, Member, Member]
    createItem(eve.board.readable, notice('Before'), Date.now(), newItemId(eve.board.myTag))
    await settle(eve)
    await exchange(ana, eve)
    await ana.board.remove([eve.board.myTag])
    createItem(eve.board.readable, notice('After her removal'), Date.now(), newItemId(eve.board.myTag))
    await settle(eve)
    await exchange(ana, eve, carol)
    expect(titles(carol.board.readable)).toEqual(['Before'])
    expect(carol.board.diagnostics.events.map((e) => e.reason)).toEqual(['removed_author'])
  })
})

describe('this device’s own entry refused', () => {
  it('Ana demotes Bob while Bob, not knowing, pins Carol’s post and posts his own: his snapshot stands for the refused pin by its placeholder, and Carol, who gets only the snapshot, shows his post and blames nobody', async () => {
    const c = await circle('Ana', 'Bob', 'Carol')
    const [ana, bob, carol] = c.members as [Member, Member, Member]
    await ana.board.setRole(bob.board.myTag, 'moderator')
    const r = createItem(carol.board.readable, notice('Coats for the winter drive'), Date.now(), newItemId(carol.board.myTag))
    if (!r.ok) throw new Error('create failed')
    await settle(carol)
    await exchange(ana, bob, carol)

    await ana.board.setRole(bob.board.myTag, 'member')
    setPinned(bob.board.readable, r.value.id, true)
    await settle(bob)
    const pin = newest(bob)
    createItem(bob.board.readable, notice('Soup on Monday'), Date.now(), newItemId(bob.board.myTag))
    await settle(bob)
    const soup = newest(bob)
    await exchange(ana, bob)
    expect(readItems(bob.board.readable).map((i) => [i.title, i.pinned]).sort()).toEqual([['Coats for the winter drive', false], ['Soup on Monday', false]])
    expect(events(bob)).toEqual([['forbidden_edit', bob.board.myTag, expect.any(String)]])

    await bob.board.compactNow()
    expect(entries(bob).has(pin)).toBe(false)
    expect(entries(bob).has(soup)).toBe(false)
    await exchange(bob, carol)
    expect(readItems(carol.board.readable).map((i) => [i.title, i.pinned]).sort()).toEqual([['Coats for the winter drive', false], ['Soup on Monday', false]])
    expect(carol.board.diagnostics.events).toEqual([])
    expect(carol.board.pendingCount()).toBe(0)
  })
})
