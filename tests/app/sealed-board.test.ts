import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, deleteItem, readItems, updateItem } from '../../src/core/index.ts'
import { boundClientId, deviceTag, encodeHeader, generateDeviceKeys, importContentKey, importDeviceSigner, sealEntry } from '../../src/crypto/index.ts'
import { entryKey } from '../../src/app/sealed/sealed-board.ts'
import { encodeJoin } from '../../src/app/sealed/roster.ts'
import { BOARD_ID, CONTENT_KEY, exchange, member, settle } from './sealed-fixture.ts'

const notice = (title: string, author: string) => ({ kind: 'notice', title, body: '', author, tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const entries = (doc: Y.Doc) => doc.getMap('entries')

describe('sealed board', () => {
  it('Alice posts; Bob reads it only through verified entries; the shared doc holds no text', async () => {
    const alice = await member('Alice')
    const bob = await member('Bob')
    const created = createItem(alice.board.readable, notice('Food bank on Friday', 'Alice'), Date.now())
    expect(created.ok).toBe(true)
    await alice.board.flush()
    await exchange(alice, bob)
    expect(titles(bob.board.readable)).toEqual(['Food bank on Friday'])
    expect(bob.board.roster.list().map((m) => m.name).sort()).toEqual(['Alice', 'Bob'])
    const shared = Y.encodeStateAsUpdate(bob.board.sealed)
    const text = new TextDecoder('latin1').decode(shared)
    expect(text).not.toContain('Food bank')
    expect(text).not.toContain('Alice')
    expect(bob.board.diagnostics.total).toBe(0)
  })

  it('names the author of an item from the roster, by the client id bound to their key', async () => {
    const alice = await member('Alice')
    const bob = await member('Bob')
    createItem(alice.board.readable, notice('Hello', 'Someone else'), Date.now())
    await alice.board.flush()
    await exchange(alice, bob)
    const map = bob.board.readable.getMap('items')
    const [id] = [...map.keys()]
    const client = (map.get(id!) as Y.Map<unknown>)._item!.id.client
    expect(bob.board.authorOfClient(client)).toBe(deviceTag(alice.keys.signPublic))
  })

  it('rejects entries under another member’s name, entries moved to another key, garbage and oversized entries, and names Eve', async () => {
    const alice = await member('Alice')
    const bob = await member('Bob')
    const eve = await member('Eve')
    createItem(alice.board.readable, notice('Alice’s notice', 'Alice'), Date.now())
    createItem(bob.board.readable, notice('Bob’s notice', 'Bob'), Date.now())
    await settle(alice, bob)
    await exchange(alice, bob, eve)
    const eveEntries = entries(eve.board.sealed)
    // 1. Eve signs an entry with her key but claims Alice as author: header author = Alice's key.
    const forgedHeader = { kind: 'update' as const, boardId: BOARD_ID, epoch: 0, author: alice.keys.signPublic, seq: 99, from: 99 }
    const cipher = await importContentKey(CONTENT_KEY)
    const eveSigner = await importDeviceSigner(eve.keys)
    const honest = await sealEntry({ ...forgedHeader, author: eve.keys.signPublic }, new Uint8Array([0]), cipher, eveSigner)
    const forged = new Uint8Array(honest)
    forged.set(encodeHeader(forgedHeader), 0)
    eveEntries.set(entryKey(forgedHeader), forged)
    // 2. Replay: Bob's entry copied under another key.
    const bobKey = [...eveEntries.keys()].find((k) => k.startsWith(deviceTag(bob.keys.signPublic)) && k.endsWith('.2'))!
    eveEntries.set(`${deviceTag(bob.keys.signPublic)}.77`, eveEntries.get(bobKey))
    // 3. Garbage and an oversized entry.
    eveEntries.set('junk', new Uint8Array([1, 2, 3]))
    const big = new Uint8Array(10 * 1024 * 1024)
    big.set([0x48, 1, 1])
    eveEntries.set(`${deviceTag(eve.keys.signPublic)}.50`, big)
    await exchange(alice, bob, eve)
    for (const m of [alice, bob]) {
      expect(titles(m.board.readable)).toEqual(['Alice’s notice', 'Bob’s notice'])
      const reasons = new Set(m.board.diagnostics.events.map((e) => e.reason))
      expect(reasons).toContain('bad_signature')
      expect(reasons).toContain('wrong_key')
      expect(reasons).toContain('malformed')
      expect(reasons).toContain('oversized')
      expect(m.board.diagnostics.suspects()).toContain(deviceTag(eve.keys.signPublic))
    }
  })

  it('puts back entries Eve deletes or overwrites in the shared doc, and says so', async () => {
    const alice = await member('Alice')
    const bob = await member('Bob')
    const eve = await member('Eve')
    createItem(alice.board.readable, notice('Safe house list', 'Alice'), Date.now())
    await alice.board.flush()
    await exchange(alice, bob, eve)
    const eveEntries = entries(eve.board.sealed)
    const aliceKeys = [...eveEntries.keys()].filter((k) => k.startsWith(deviceTag(alice.keys.signPublic)))
    eve.board.destroy() // Eve's own engine would repair; she bypasses it.
    eve.board.sealed.transact(() => {
      eveEntries.set(aliceKeys[0]!, new Uint8Array([9, 9, 9]))
      for (const k of aliceKeys.slice(1)) eveEntries.delete(k)
      eveEntries.set('x', new Uint8Array([1]))
    })
    const fresh = await member('Carol')
    await exchange(alice, bob, eve, fresh)
    for (const m of [alice, bob, fresh]) expect(titles(m.board.readable)).toEqual(['Safe house list'])
    expect(alice.board.diagnostics.events.some((e) => e.reason === 'erased')).toBe(true)
  })

  it('a late joiner that gets Alice’s entries and Eve’s overwrites in one go keeps the bytes it verified', async () => {
    const alice = await member('Alice')
    const eve = await member('Eve')
    createItem(alice.board.readable, notice('Safe house list', 'Alice'), Date.now())
    await alice.board.flush()
    await exchange(alice, eve)
    const aliceTag = deviceTag(alice.keys.signPublic)
    const aliceEntries = entries(alice.board.sealed)
    const aliceKeys = [...aliceEntries.keys()].filter((k) => k.startsWith(aliceTag)).sort()
    const original = new Map(aliceKeys.map((k) => [k, aliceEntries.get(k) as Uint8Array]))
    eve.board.destroy()
    const eveEntries = entries(eve.board.sealed)
    eve.board.sealed.transact(() => {
      eveEntries.set(aliceKeys[0]!, new Uint8Array([9, 9, 9]))
      for (const k of aliceKeys.slice(1)) eveEntries.delete(k)
    })
    const carol = await member('Carol')
    // Both arrive before Carol's engine gets to the first one.
    Y.applyUpdate(carol.board.sealed, Y.encodeStateAsUpdate(alice.board.sealed), 'remote')
    Y.applyUpdate(carol.board.sealed, Y.encodeStateAsUpdate(eve.board.sealed), 'remote')
    await settle(carol)
    expect(titles(carol.board.readable)).toEqual(['Safe house list'])
    for (const [k, bytes] of original) expect(entries(carol.board.sealed).get(k), k).toEqual(bytes)
    expect(carol.board.failure).toBeNull()
  })

  it('Eve’s erasures reach Alice and Bob first; Carol, who joins later, still gets Alice’s post from their repairs', async () => {
    const alice = await member('Alice')
    const bob = await member('Bob')
    const eve = await member('Eve')
    createItem(alice.board.readable, notice('Safe house list', 'Alice'), Date.now())
    await alice.board.flush()
    await exchange(alice, bob, eve)
    const aliceTag = deviceTag(alice.keys.signPublic)
    eve.board.destroy()
    const eveEntries = entries(eve.board.sealed)
    eve.board.sealed.transact(() => {
      for (const k of [...eveEntries.keys()]) if (k.startsWith(aliceTag)) eveEntries.delete(k)
    })
    // Eve's deletions reach Alice and Bob, who put the entries back.
    for (const m of [alice, bob]) Y.applyUpdate(m.board.sealed, Y.encodeStateAsUpdate(eve.board.sealed), 'remote')
    await settle(alice, bob)
    // Carol hears from Eve first, then from Alice and Bob.
    const carol = await member('Carol')
    Y.applyUpdate(carol.board.sealed, Y.encodeStateAsUpdate(eve.board.sealed), 'remote')
    await settle(carol)
    expect(titles(carol.board.readable)).toEqual([])
    await exchange(carol, alice, bob)
    for (const m of [alice, bob, carol]) expect(titles(m.board.readable)).toEqual(['Safe house list'])
    for (const m of [alice, bob]) expect(m.board.diagnostics.events.filter((e) => e.reason === 'erased').length).toBeGreaterThan(0)
  })

  it('a concurrent edit and delete, and edits of different fields, merge the same way on every peer', async () => {
    const alice = await member('Alice')
    const bob = await member('Bob')
    const r = createItem(alice.board.readable, notice('Meeting', 'Alice'), Date.now())
    await alice.board.flush()
    await exchange(alice, bob)
    if (!r.ok) throw new Error('create failed')
    updateItem(alice.board.readable, r.value.id, { title: 'Meeting moved' }, Date.now())
    updateItem(bob.board.readable, r.value.id, { body: 'Bring snacks' }, Date.now())
    await settle(alice, bob)
    await exchange(alice, bob)
    for (const m of [alice, bob]) expect(readItems(m.board.readable).map((i) => [i.title, i.body])).toEqual([['Meeting moved', 'Bring snacks']])
    deleteItem(alice.board.readable, r.value.id)
    updateItem(bob.board.readable, r.value.id, { body: 'Bring more snacks' }, Date.now())
    await settle(alice, bob)
    await exchange(alice, bob)
    expect(titles(alice.board.readable)).toEqual([])
    expect(titles(bob.board.readable)).toEqual([])
  })

  it('compacts its own entries into a snapshot; others accept the deletions; reopening reads few entries', async () => {
    const alice = await member('Alice', { compactAfter: 50 })
    const bob = await member('Bob')
    for (let i = 0; i < 300; i++) createItem(alice.board.readable, notice(`n${i}`, 'Alice'), Date.now())
    await settle(alice)
    await exchange(alice, bob)
    expect(readItems(bob.board.readable)).toHaveLength(300)
    expect(entries(alice.board.sealed).size).toBeLessThan(60)
    expect(bob.board.diagnostics.total).toBe(0)
    // Reopen Bob from his sealed doc alone.
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(bob.board.sealed))
    const again = await member('Bob', { keys: bob.keys, sealed: copy })
    expect(readItems(again.board.readable)).toHaveLength(300)
    expect(again.board.entriesRead).toBeLessThan(60)
  })

  it('Alice restarts, reads her own entries back, and keeps writing under her own verified name', async () => {
    const alice = await member('Alice')
    const bob = await member('Bob')
    createItem(alice.board.readable, notice('Before restart', 'Alice'), Date.now())
    await alice.board.flush()
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(alice.board.sealed))
    alice.board.destroy()
    const again = await member('Alice', { keys: alice.keys, sealed: copy })
    expect(titles(again.board.readable)).toEqual(['Before restart'])
    expect(again.board.readable.clientID).toBe(boundClientId(alice.keys.signPublic))
    createItem(again.board.readable, notice('After restart', 'Alice'), Date.now())
    await again.board.flush()
    await exchange(again, bob)
    expect(titles(bob.board.readable)).toEqual(['After restart', 'Before restart'])
    expect(bob.board.diagnostics.events).toEqual([])
  })

  it('holds entries of a member whose join it has not seen, and applies them once it arrives', async () => {
    const alice = await member('Alice')
    const bob = await member('Bob')
    createItem(alice.board.readable, notice('First', 'Alice'), Date.now())
    await alice.board.flush()
    const aliceEntries = entries(alice.board.sealed)
    const joinKey = `${deviceTag(alice.keys.signPublic)}.1`
    // Deliver everything but the join.
    for (const [k, v] of aliceEntries) if (k !== joinKey) entries(bob.board.sealed).set(k, v)
    await settle(bob)
    expect(titles(bob.board.readable)).toEqual([])
    expect(bob.board.pendingCount()).toBe(1)
    await exchange(alice, bob)
    expect(titles(bob.board.readable)).toEqual(['First'])
    expect(bob.board.pendingCount()).toBe(0)
  })

  it('rejects a join payload that is not a valid profile', async () => {
    const bob = await member('Bob')
    const keys = await generateDeviceKeys()
    const cipher = await importContentKey(CONTENT_KEY)
    const signer = await importDeviceSigner(keys)
    const header = { kind: 'join' as const, boardId: BOARD_ID, epoch: 0, author: keys.signPublic, seq: 1, from: 1 }
    const noName = await sealEntry(header, new TextEncoder().encode('{"v":1}'), cipher, signer)
    entries(bob.board.sealed).set(entryKey(header), noName)
    await settle(bob)
    expect(bob.board.diagnostics.events.map((e) => e.reason)).toEqual(['bad_payload'])
    expect(bob.board.roster.list().map((m) => m.name)).toEqual(['Bob'])
    // A well-formed join from the same device is accepted afterwards.
    const ok = await sealEntry({ ...header, seq: 2, from: 2 }, encodeJoin({ name: 'Mallory', agreePublic: keys.agreePublic, invitedBy: null, at: 1 }), cipher, signer)
    entries(bob.board.sealed).set(entryKey({ ...header, seq: 2, from: 2 }), ok)
    await settle(bob)
    expect(bob.board.roster.list().map((m) => m.name).sort()).toEqual(['Bob', 'Mallory'])
  })
})
