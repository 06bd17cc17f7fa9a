import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems, removeItem, updateItem, readRemovals } from '../../src/core/index.ts'
import { boundClientId, deviceTag, encodeHeader, generateDeviceKeys, importContentKey, importDeviceSigner, keyId, sealEntry } from '../../src/crypto/index.ts'
import { encodeJoin, entryKey } from '../../src/sealed/index.ts'
import { CONTENT_KEY, OLD_BOARD_ID, circle, device, exchange, member, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'typed name', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const entries = (doc: Y.Doc) => doc.getMap('entries')
/** Posts as the member's own device would: an id that names its owner. */
const post = (m: Member, title: string) => {
  const r = createItem(m.board.readable, notice(title), Date.now(), newItemId(m.board.myTag))
  if (!r.ok) throw new Error('create failed')
  return r.value.id
}


/** Alice, Bob and Eve; Alice posts the safe house list and everyone has it. Eve's shared map and Alice's keys in it. */
async function safeHouseListWithEve() {
  const c = await circle('Alice', 'Bob', 'Eve')
  const [alice, bob, eve] = c.members as [Member, Member, Member]
  post(alice, 'Safe house list')
  await alice.board.flush()
  await exchange(alice, bob, eve)
  const eveEntries = entries(eve.board.sealed)
  const aliceKeys = [...eveEntries.keys()].filter((k) => k.startsWith(deviceTag(alice.keys.signPublic)))
  return { c, alice, bob, eve, aliceKeys, eveEntries }
}
describe('sealed board', () => {
  it('Alice posts; Bob reads it only through verified entries; the shared doc holds no text', async () => {
    const c = await circle('Alice', 'Bob')
    const [alice, bob] = c.members as [Member, Member]
    post(alice, 'Food bank on Friday')
    await alice.board.flush()
    await exchange(alice, bob)
    expect(titles(bob.board.readable)).toEqual(['Food bank on Friday'])
    expect(bob.board.members().map((m) => m.name)).toEqual(['Alice', 'Bob'])
    const shared = new TextDecoder('latin1').decode(Y.encodeStateAsUpdate(bob.board.sealed))
    expect(shared).not.toContain('Food bank')
    expect(shared).not.toContain('Alice')
    expect(bob.board.diagnostics.total).toBe(0)
  })

  it('Bob, new on a busy board, receives 150 of Alice’s entries in one sync with Eve’s forgeries among them: every post arrives in order, every forgery is refused', async () => {
    const c = await circle('Alice', 'Bob', 'Eve')
    const [alice, bob, eve] = c.members as [Member, Member, Member]
    for (let i = 0; i < 150; i++) {
      post(alice, `Notice ${String(i).padStart(3, '0')}`)
      await alice.board.flush()
    }
    // Eve signs entries with her key but claims Alice as their author, at sequence numbers past Alice's.
    const cipher = await importContentKey(CONTENT_KEY)
    const eveSigner = await importDeviceSigner(eve.keys)
    const batch = new Y.Doc()
    Y.applyUpdate(batch, Y.encodeStateAsUpdate(alice.board.sealed))
    for (const seq of [400, 401, 402]) {
      const header = { kind: 'update' as const, boardId: c.boardId, keyId: keyId(CONTENT_KEY), author: alice.keys.signPublic, seq, from: seq }
      const forged = new Uint8Array(await sealEntry({ ...header, author: eve.keys.signPublic }, new Uint8Array([0]), cipher, eveSigner))
      forged.set(encodeHeader(header), 0)
      entries(batch).set(entryKey(header), forged)
    }
    Y.applyUpdate(bob.board.sealed, Y.encodeStateAsUpdate(batch, Y.encodeStateVector(bob.board.sealed)), 'remote')
    await settle(bob)
    expect(titles(bob.board.readable)).toEqual(Array.from({ length: 150 }, (_, i) => `Notice ${String(i).padStart(3, '0')}`))
    expect(bob.board.diagnostics.events.filter((e) => e.reason === 'bad_signature')).toHaveLength(3)
    expect(bob.board.diagnostics.suspects()).toEqual(new Set())
    expect(bob.board.pendingCount()).toBe(0)
  })

  it('names the author of an item from the circle, by the client id bound to their key', async () => {
    const c = await circle('Alice', 'Bob')
    const [alice, bob] = c.members as [Member, Member]
    const id = post(alice, 'Hello')
    await alice.board.flush()
    await exchange(alice, bob)
    const client = (bob.board.readable.getMap('items').get(id) as Y.Map<unknown>)._item!.id.client
    expect(client).toBe(boundClientId(alice.keys.signPublic))
    expect(bob.board.authorOfClient(client)).toBe(alice.board.myTag)
  })

  it('rejects entries under another member’s name, entries moved to another key, garbage and oversized entries — and blames nobody it cannot prove', async () => {
    const c = await circle('Alice', 'Bob', 'Eve')
    const [alice, bob, eve] = c.members as [Member, Member, Member]
    post(alice, 'Alice’s notice')
    post(bob, 'Bob’s notice')
    await settle(alice, bob)
    await exchange(alice, bob, eve)
    const eveEntries = entries(eve.board.sealed)
    // 1. Eve signs an entry with her key but claims Alice as its author.
    const forgedHeader = { kind: 'update' as const, boardId: c.boardId, keyId: keyId(CONTENT_KEY), author: alice.keys.signPublic, seq: 99, from: 99 }
    const cipher = await importContentKey(CONTENT_KEY)
    const honest = await sealEntry({ ...forgedHeader, author: eve.keys.signPublic }, new Uint8Array([0]), cipher, await importDeviceSigner(eve.keys))
    const forged = new Uint8Array(honest)
    forged.set(encodeHeader(forgedHeader), 0)
    eveEntries.set(entryKey(forgedHeader), forged)
    // 2. Replay: one of Bob's entries copied under another key.
    const bobTag = deviceTag(bob.keys.signPublic)
    const bobKey = [...eveEntries.keys()].find((k) => k.startsWith(`${bobTag}.`))!
    eveEntries.set(`${bobTag}.77`, eveEntries.get(bobKey))
    // 3. Garbage and an oversized entry.
    eveEntries.set('junk', new Uint8Array([1, 2, 3]))
    const big = new Uint8Array(10 * 1024 * 1024)
    big.set([0x48, 2, 1])
    eveEntries.set(`${deviceTag(eve.keys.signPublic)}.50`, big)
    await exchange(alice, bob, eve)
    for (const m of [alice, bob]) {
      expect(titles(m.board.readable)).toEqual(['Alice’s notice', 'Bob’s notice'])
      const reasons = new Set(m.board.diagnostics.events.map((e) => e.reason))
      for (const r of ['bad_signature', 'wrong_key', 'malformed', 'oversized']) expect(reasons).toContain(r)
      // None of these carries Eve's valid signature: nobody is named, least of all Alice or Bob.
      expect(m.board.diagnostics.suspects()).toEqual(new Set())
      expect(m.board.diagnostics.events.filter((e) => ['bad_signature', 'wrong_key', 'malformed', 'oversized'].includes(e.reason)).every((e) => e.author === null)).toBe(true)
    }
    // The junk does not stay in the shared doc.
    for (const k of ['junk', entryKey(forgedHeader), `${bobTag}.77`, `${deviceTag(eve.keys.signPublic)}.50`]) expect(entries(alice.board.sealed).has(k), k).toBe(false)
  })

  it('puts back entries Eve deletes or overwrites in the shared doc, and says so', async () => {
    const { c, alice, bob, eve, aliceKeys, eveEntries } = await safeHouseListWithEve()
    eve.board.destroy() // Eve's own engine would repair; she bypasses it.
    eve.board.sealed.transact(() => {
      eveEntries.set(aliceKeys[0]!, new Uint8Array([9, 9, 9]))
      for (const k of aliceKeys.slice(1)) eveEntries.delete(k)
      eveEntries.set('x', new Uint8Array([1]))
    })
    const carol = await c.admit('Carol')
    await exchange(alice, bob, eve, carol)
    for (const m of [alice, bob, carol]) expect(titles(m.board.readable)).toEqual(['Safe house list'])
    expect(alice.board.diagnostics.events.some((e) => e.reason === 'erased')).toBe(true)
  })

  it('puts back Alice’s exact bytes when Eve appends to her entry (a longer value that starts with them is not the entry)', async () => {
    const { alice, bob, eve, aliceKeys, eveEntries } = await safeHouseListWithEve()
    const key = aliceKeys.at(-1)!
    const original = eveEntries.get(key) as Uint8Array
    eve.board.destroy() // Eve's own engine would repair; she bypasses it.
    eve.board.sealed.transact(() => eveEntries.set(key, Uint8Array.of(...original, 0)))
    await exchange(alice, bob, eve)
    for (const m of [alice, bob]) {
      const held = entries(m.board.sealed).get(key) as Uint8Array
      expect(Buffer.from(held).equals(Buffer.from(original)), m.name).toBe(true)
    }
    expect(alice.board.diagnostics.events.some((e) => e.reason === 'erased' && e.key === key)).toBe(true)
  })

  it('a late joiner that gets Alice’s entries and Eve’s overwrites in one go keeps the bytes it verified', async () => {
    const alice = await member('Alice')
    const eve = await member('Eve')
    post(alice, 'Safe house list')
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
  })

  it('Eve’s erasures reach Alice and Bob first; Carol, who joins later, still gets Alice’s post from their repairs', async () => {
    const c = await circle('Alice', 'Bob', 'Eve')
    const [alice, bob, eve] = c.members as [Member, Member, Member]
    post(alice, 'Safe house list')
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
    // Carol, a device that already holds the invitation, hears from Eve first, then from Alice and Bob.
    const carol = await device('Carol', { boardId: c.boardId, contentKeys: [{ key: CONTENT_KEY }] })
    Y.applyUpdate(carol.board.sealed, Y.encodeStateAsUpdate(eve.board.sealed), 'remote')
    await settle(carol)
    expect(titles(carol.board.readable)).toEqual([])
    await exchange(carol, alice, bob)
    for (const m of [alice, bob, carol]) expect(titles(m.board.readable)).toEqual(['Safe house list'])
    for (const m of [alice, bob]) expect(m.board.diagnostics.events.filter((e) => e.reason === 'erased').length).toBeGreaterThan(0)
  })

  it('Alice edits her post while Ana, the founder, removes it: gone on every peer, with a trace naming who removed it', async () => {
    const c = await circle('Ana', 'Alice')
    const [ana, alice] = c.members as [Member, Member]
    const id = post(alice, 'Meeting')
    await alice.board.flush()
    await exchange(ana, alice)
    updateItem(alice.board.readable, id, { title: 'Meeting moved' }, Date.now())
    removeItem(ana.board.readable, id, 1234)
    await settle(ana, alice)
    await exchange(ana, alice)
    for (const m of [ana, alice]) {
      expect(titles(m.board.readable)).toEqual([])
      const [trace] = readRemovals(m.board.readable)
      expect(trace?.id).toBe(id)
      expect(m.board.authorOfClient(trace!.client)).toBe(ana.board.myTag)
      expect(m.board.diagnostics.total).toBe(0)
    }
  })

  it('compacts its own entries into a snapshot; others accept the deletions; reopening reads few entries', async () => {
    const alice = await member('Alice', { compactAfter: 50 })
    const bob = await member('Bob')
    // One post per task: each is sealed as its own entry (posts of one task would share one, compacted or not).
    for (let i = 0; i < 300; i++) {
      post(alice, `n${i}`)
      await alice.board.flush()
    }
    await settle(alice)
    await exchange(alice, bob)
    expect(readItems(bob.board.readable)).toHaveLength(300)
    expect(entries(alice.board.sealed).size).toBeLessThan(60)
    expect([...entries(alice.board.sealed).keys()].some((k) => /\.\d+-\d+$/.test(k)), 'a snapshot of Alice’s').toBe(true)
    expect(bob.board.diagnostics.total).toBe(0)
    // Reopen Bob from his sealed doc alone.
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(bob.board.sealed))
    const again = await member('Bob', { keys: bob.keys, sealed: copy })
    expect(readItems(again.board.readable)).toHaveLength(300)
    expect(again.board.entriesRead).toBeLessThan(60)
  })

  it('Alice restarts, reads her own entries back, and keeps writing under her own verified name', async () => {
    const c = await circle('Alice', 'Bob')
    const [alice, bob] = c.members as [Member, Member]
    post(alice, 'Before restart')
    await alice.board.flush()
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(alice.board.sealed))
    alice.board.destroy()
    const again = await device('Alice', { keys: alice.keys, sealed: copy, boardId: c.boardId })
    expect(titles(again.board.readable)).toEqual(['Before restart'])
    expect(again.board.readable.clientID).toBe(boundClientId(alice.keys.signPublic))
    post(again, 'After restart')
    await again.board.flush()
    await exchange(again, bob)
    expect(titles(bob.board.readable)).toEqual(['After restart', 'Before restart'])
    expect(bob.board.diagnostics.events.filter((e) => !e.reason.startsWith('pending_'))).toEqual([])
  })

  it('holds entries of a device whose admission it has not seen, and applies them once it arrives', async () => {
    const c = await circle('Ana', 'Carol')
    const [ana, carol] = c.members as [Member, Member]
    const bob = await c.admit('Bob', ana)
    post(bob, 'First')
    await bob.board.flush()
    // A fresh copy of Carol that has not seen Bob's admission gets Bob's entries only.
    const fresh = await device('Carol', { keys: carol.keys, boardId: c.boardId, contentKeys: [{ key: CONTENT_KEY }] })
    fresh.board.sealed.transact(() => {
      for (const [k, v] of entries(bob.board.sealed)) if (k.startsWith(bob.board.myTag)) entries(fresh.board.sealed).set(k, v)
    }, 'remote')
    await settle(fresh)
    expect(titles(fresh.board.readable)).toEqual([])
    expect(fresh.board.pendingCount()).toBeGreaterThan(0)
    await exchange(fresh, ana, bob)
    expect(titles(fresh.board.readable)).toEqual(['First'])
    expect(fresh.board.pendingCount()).toBe(0)
  })

  it('rejects a profile that is not a valid profile, and accepts a well-formed one from the same device', async () => {
    const bob = await member('Bob')
    const keys = await generateDeviceKeys()
    const cipher = await importContentKey(CONTENT_KEY)
    const signer = await importDeviceSigner(keys)
    const header = { kind: 'join' as const, boardId: OLD_BOARD_ID, keyId: keyId(CONTENT_KEY), author: keys.signPublic, seq: 1, from: 1 }
    entries(bob.board.sealed).set(entryKey(header), await sealEntry(header, new TextEncoder().encode('{"v":1}'), cipher, signer))
    await settle(bob)
    expect(bob.board.diagnostics.events.map((e) => e.reason)).toEqual(['bad_payload'])
    expect(bob.board.diagnostics.events[0]!.author).toBe(deviceTag(keys.signPublic))
    expect(bob.board.members().map((m) => m.name)).toEqual(['Bob'])
    const ok = await sealEntry({ ...header, seq: 2, from: 2 }, encodeJoin({ name: 'Mallory', agreePublic: keys.agreePublic, invitedBy: null, at: 1 }), cipher, signer)
    entries(bob.board.sealed).set(entryKey({ ...header, seq: 2, from: 2 }), ok)
    await settle(bob)
    expect(bob.board.members().map((m) => m.name).sort()).toEqual(['Bob', 'Mallory'])
  })
})
