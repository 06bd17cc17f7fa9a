import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems, updateItem } from '../../src/core/index.ts'
import { boundClientId, deviceTag, importContentKey, importDeviceSigner, keyId, sealEntry, type EntryHeader } from '../../src/crypto/index.ts'
import { Diagnostics, entryKey } from '../../src/sealed/index.ts'
import { encodeContent } from '../../src/sealed/payloads.ts'
import { CONTENT_KEY, OLD_BOARD_ID, exchange, member, settle } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })

describe('diagnostics list as waiting only what still waits', () => {
  it('Bob gets Eve’s third post before her second: listed as waiting, and no longer once the second arrives', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    const eveTag = deviceTag(eve.keys.signPublic)
    const doc = new Y.Doc()
    doc.clientID = boundClientId(eve.keys.signPublic)
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    createItem(doc, notice('second'), Date.now(), newItemId(eveTag))
    createItem(doc, notice('third'), Date.now(), newItemId(eveTag))
    const write = async (seq: number, update: Uint8Array) => {
      const h: EntryHeader = { kind: 'update', boardId: OLD_BOARD_ID, keyId: keyId(CONTENT_KEY), author: eve.keys.signPublic, seq, from: seq }
      bob.board.sealed.getMap('entries').set(entryKey(h), await sealEntry(h, encodeContent([], update), await importContentKey(CONTENT_KEY), await importDeviceSigner(eve.keys)))
      await settle(bob)
    }
    let changes = 0
    bob.board.diagnostics.onChange(() => changes++)

    await write(3, updates[1]!)
    expect(bob.board.diagnostics.events.map((e) => e.reason)).toEqual(['pending_gap'])
    expect([...bob.board.diagnostics.counts]).toEqual([['pending_gap', 1]])
    const before = changes

    await write(2, updates[0]!)
    expect(bob.board.pendingCount()).toBe(0)
    expect(bob.board.diagnostics.events).toEqual([])
    expect([...bob.board.diagnostics.counts]).toEqual([])
    expect(changes, 'the diagnostics view is told').toBeGreaterThan(before)
  })

  it('settling an entry takes back only its waiting records, never a final verdict', () => {
    const d = new Diagnostics()
    const at = 1
    d.record({ reason: 'pending_key', key: 'a.1', author: 'a', via: null, detail: null, at })
    d.record({ reason: 'pending_key', key: 'a.2', author: 'a', via: null, detail: null, at })
    d.record({ reason: 'forbidden_edit', key: 'a.1', author: 'a', via: null, detail: null, at })
    let told = 0
    d.onChange(() => told++)
    d.settle('a.1')
    expect(d.events.map((e) => `${e.reason} ${e.key}`)).toEqual(['pending_key a.2', 'forbidden_edit a.1'])
    expect([...d.counts]).toEqual([['pending_key', 1], ['forbidden_edit', 1]])
    // Listeners hear of it once the batch is done, not half-way through it.
    expect(told).toBe(0)
    d.announce()
    d.announce()
    expect(told).toBe(1)
  })

  it('one signed entry refused again for the same reason (a rebuild) is one record; an unsigned attack counts each time', () => {
    const d = new Diagnostics()
    const refusal = { reason: 'forbidden_edit', key: 'eve.4', author: 'eve', via: null, detail: 'edits entry a… of another member' } as const
    d.record({ ...refusal, at: 1 })
    d.record({ ...refusal, at: 2 })
    d.record({ ...refusal, key: 'eve.5', at: 3 })
    d.record({ ...refusal, reason: 'forbidden_delete', at: 4 })
    const erasure = { reason: 'erased', key: 'alice.2', author: null, via: null, detail: 'an entry of alice' } as const
    d.record({ ...erasure, at: 5 })
    d.record({ ...erasure, at: 6 })
    expect([...d.counts]).toEqual([['forbidden_edit', 2], ['forbidden_delete', 1], ['erased', 2]])
    expect(d.events.map((e) => e.at)).toEqual([1, 3, 4, 5, 6])
  })

  it('the same refusal of another author, or with another detail, is another record', () => {
    const d = new Diagnostics()
    const refusal = { reason: 'forbidden_edit', key: 'eve.4', author: 'eve', via: null, detail: 'edits entry a… of another member', at: 1 } as const
    d.record(refusal)
    d.record({ ...refusal, author: 'mallory' })
    d.record({ ...refusal, detail: 'edits entry b… of another member' })
    d.record(refusal)
    expect(d.counts.get('forbidden_edit')).toBe(3)
    expect(d.events.map((e) => [e.author, e.detail])).toEqual([
      ['eve', 'edits entry a… of another member'],
      ['mallory', 'edits entry a… of another member'],
      ['eve', 'edits entry b… of another member'],
    ])
  })

  it('a board just opened tells nobody until something is settled or changed', () => {
    const d = new Diagnostics()
    let told = 0
    d.onChange(() => told++)
    d.announce()
    expect(told).toBe(0)
  })

  it('keeps the 200 most recent records, but counts every one', () => {
    const d = new Diagnostics()
    for (let at = 1; at <= 205; at++) d.record({ reason: 'junk', key: `${at} structs outside the entries`, author: null, via: 'session 7', detail: null, at })
    expect(d.events).toHaveLength(200)
    expect(d.events[0]!.at).toBe(6)
    expect(d.events[199]!.at).toBe(205)
    expect(d.counts.get('junk')).toBe(205)
    expect(d.total).toBe(205)
  })

  it('the total and the suspects leave out what still waits; an erasure or junk names nobody', () => {
    const d = new Diagnostics()
    const at = 1
    d.record({ reason: 'pending_author', key: 'carol.1', author: 'carol', via: null, detail: null, at })
    d.record({ reason: 'pending_author', key: 'carol.1', author: 'carol', via: null, detail: null, at })
    d.record({ reason: 'erased', key: 'alice.2', author: 'alice', via: null, detail: null, at })
    d.record({ reason: 'junk', key: 'junk', author: null, via: 'session 9', detail: null, at })
    d.record({ reason: 'forbidden_delete', key: 'eve.3', author: 'eve', via: null, detail: null, at })
    expect(d.counts.get('pending_author'), 'a waiting entry reported again is counted again').toBe(2)
    expect(d.total).toBe(3)
    expect([...d.suspects()]).toEqual(['eve'])
  })

  it('settling takes a waiting count down by one, and away at none; listeners hear of it once, or of any other change when told', () => {
    const d = new Diagnostics()
    const at = 1
    d.record({ reason: 'pending_gap', key: 'eve.3', author: 'eve', via: null, detail: null, at })
    d.record({ reason: 'pending_gap', key: 'eve.4', author: 'eve', via: null, detail: null, at })
    d.settle('eve.3')
    expect(d.counts.get('pending_gap')).toBe(1)
    d.settle('eve.4')
    expect(d.counts.has('pending_gap')).toBe(false)
    let told = 0
    const stop = d.onChange(() => told++)
    d.announce()
    expect(told).toBe(1)
    d.settle('nothing waits under this key')
    d.announce()
    expect(told, 'nothing settled: nobody is told').toBe(1)
    d.announce(true)
    expect(told).toBe(2)
    stop()
    d.record({ reason: 'junk', key: 'junk', author: null, via: null, detail: null, at })
    d.announce(true)
    expect(told).toBe(2)
  })
})

describe('the diagnostics view is told when a batch changes how many entries wait, and only then', () => {
  it('Bob gets Eve’s refused edit and her two posts after it in one sync: the view, told of the refusal while the posts still waited, is told again once none waits; a peer writing back an entry he holds, byte for byte, tells it nothing', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    createItem(bob.board.readable, notice('Choir on Thursday'), Date.now(), newItemId(bob.board.myTag))
    await settle(bob)
    await exchange(bob, eve)
    const id = readItems(eve.board.readable)[0]!.id
    updateItem(eve.board.readable, id, { title: 'Choir cancelled' }, Date.now())
    await settle(eve)
    for (const title of ['Lost cat', 'Found keys']) {
      createItem(eve.board.readable, notice(title), Date.now(), newItemId(eve.board.myTag))
      await settle(eve)
    }
    /** What Bob's diagnostics view reads each time it is told. */
    const seen: number[] = []
    bob.board.diagnostics.onChange(() => seen.push(bob.board.pendingCount()))
    const theirs = Y.encodeStateAsUpdate(eve.board.sealed, Y.encodeStateVector(bob.board.sealed))
    Y.applyUpdate(bob.board.sealed, theirs, 'remote')
    await settle(bob)
    expect(readItems(bob.board.readable).map((i) => i.title).sort()).toEqual(['Choir on Thursday', 'Found keys', 'Lost cat'])
    expect(bob.board.diagnostics.events.map((e) => [e.reason, e.author])).toEqual([['forbidden_edit', eve.board.myTag]])
    expect(seen[0], 'told of the refusal while her posts still waited their turn').toBeGreaterThan(0)
    expect(seen.at(-1), 'the last thing the view was told: nothing waits').toBe(0)

    const entries = bob.board.sealed.getMap('entries')
    const key = [...entries.keys()].find((k) => k.startsWith(`${bob.board.myTag}.`))!
    const peer = new Y.Doc()
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(bob.board.sealed))
    peer.getMap('entries').set(key, (entries.get(key) as Uint8Array).slice())
    const told = seen.length
    Y.applyUpdate(bob.board.sealed, Y.encodeStateAsUpdate(peer, Y.encodeStateVector(bob.board.sealed)), 'remote')
    await settle(bob)
    expect(entries.get(key)).toEqual(peer.getMap('entries').get(key))
    expect([bob.board.pendingCount(), bob.board.diagnostics.events.length], 'nothing waits, nothing new refused').toEqual([0, 1])
    expect(seen.length, 'nothing the view shows changed: it is not told').toBe(told)
  })
})
