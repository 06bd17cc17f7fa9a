/**
 * Bob's own entries (own-entries.ts): numbered one after another, sealed
 * under the key of the epoch he writes in, signed, written to the shared
 * map, and left waiting in his log for their turn like anyone's.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { deviceTag, generateDeviceKeys, importDeviceSigner, keyId, MAX_ENTRY_BYTES, openEntry, parseEntry, publicEntryKey, toBase64url, type ParsedEntry, type TransportSecret } from '../../src/crypto/index.ts'
import { AuthorLog, type Done } from '../../src/sealed/author-log.ts'
import { Circle } from '../../src/sealed/circle.ts'
import { BoardKeys } from '../../src/sealed/keys.ts'
import { decodeControl } from '../../src/sealed/membership/ops.ts'
import { OwnEntries } from '../../src/sealed/own-entries.ts'
import { decodeContent, entryHash } from '../../src/sealed/payloads.ts'
import { SharedEntries } from '../../src/sealed/shared-entries.ts'
import { rules } from './judge-fixture.ts'
import { Device, History } from './membership-fixture.ts'

const BOARD = new Uint8Array(16).fill(3)
const raw = (n: number) => new Uint8Array(32).fill(n)
const idOf = (n: number) => keyId(raw(n))

async function bobs() {
  const signer = await importDeviceSigner(await generateDeviceKeys())
  const alice = new Device('Alice')
  const keys = new BoardKeys()
  const circle = new Circle({ founder: null, isFounderGenesis: (e) => e.author === alice.tag })
  const entries = new SharedEntries(new Y.Doc())
  const log = new AuthorLog()
  let pumped = 0
  const tag = deviceTag(signer.publicKey)
  const readable = new Y.Doc()
  /** The rooms asked about before sealing, and what the device answers (null: in that epoch's room). */
  const asked: string[] = []
  const room = { wait: (_id: string): Promise<void> | null => null }
  const own = new OwnEntries({
    boardId: BOARD,
    signer,
    myTag: tag,
    rules,
    circle,
    keys,
    entries,
    snapshotBytes: 10_000,
    log: () => log,
    readable: () => readable,
    admits: async () => true,
    pump: async () => void pumped++,
    enterRoom: (id) => {
      asked.push(id)
      return room.wait(id)
    },
  })
  /** The entry under `key`, as another device reads it. */
  const read = async (key: string, id: Uint8Array) => {
    const bytes = entries.get(key) as Uint8Array
    const parsed = parseEntry(bytes)
    if (!parsed.ok) throw new Error('does not parse')
    return { bytes, header: parsed.entry.header, plain: await openEntry(parsed.entry, keys.cipherFor(id)!) }
  }
  return { signer, alice, keys, circle, entries, log, own, tag, read, pumped: () => pumped, asked, room }
}

describe('Bob’s own entries', () => {
  it('are numbered one after another, sealed under his key, signed, and wait in his log for their turn', async () => {
    const bob = await bobs()
    await bob.keys.addContentKey(raw(1))
    const profile = new TextEncoder().encode('Bob’s profile')
    const first = await bob.own.seal('join', profile)
    expect(first).toBe(`${bob.tag}.1`)
    const entry = await bob.read(first, idOf(1))
    expect(entry.header).toMatchObject({ kind: 'join', seq: 1, from: 1, keyId: idOf(1), author: bob.signer.publicKey, boardId: BOARD })
    expect(entry.plain).toEqual(profile)
    const waiting = bob.log.pending.get(first)!
    expect({ ...waiting, entry: undefined }).toEqual({ key: first, bytes: entry.bytes, entry: undefined, hash: entryHash(entry.bytes), via: null, plain: profile, speculative: false })
    expect(waiting.entry.header.seq).toBe(1)
    expect(bob.pumped()).toBe(1)
    const second = await bob.own.sealUpdate(Uint8Array.of(7, 7), true)
    expect(second).toBe(`${bob.tag}.2`)
    expect(bob.log.pending.get(second)?.speculative).toBe(true)
    expect(decodeContent((await bob.read(second, idOf(1))).plain!)).toEqual({ heads: [], update: Uint8Array.of(7, 7) })
    expect(bob.own.seq).toBe(2)
    expect(bob.pumped()).toBe(2)
  })

  it('a change whose entry would pass the update limit, even by its header alone, is sealed as a snapshot of itself; one with room to spare stays an update', async () => {
    const bob = await bobs()
    await bob.keys.addContentKey(raw(1))
    // Heads (none here) and the entry's header, nonce, tag and signature come on top of the change.
    const fits = await bob.own.sealUpdate(new Uint8Array(MAX_ENTRY_BYTES.update - 2048).fill(1), true)
    expect(fits).toBe(`${bob.tag}.1`)
    expect((await bob.read(fits, idOf(1))).header.kind).toBe('update')
    const over = await bob.own.sealUpdate(new Uint8Array(MAX_ENTRY_BYTES.update - 100).fill(2), true)
    expect(over).toBe(`${bob.tag}.2-2`)
    const entry = await bob.read(over, idOf(1))
    expect(entry.header).toMatchObject({ kind: 'snapshot', from: 2, seq: 2 })
    // Compared as bytes at once: a deep toEqual over a megabyte takes seconds.
    const content = decodeContent(entry.plain!)!.update
    expect(Buffer.from(content).equals(Buffer.from(new Uint8Array(MAX_ENTRY_BYTES.update - 100).fill(2)))).toBe(true)
    expect(bob.log.pending.get(over)?.speculative).toBe(true)
    expect(await bob.own.sealUpdate(Uint8Array.of(3), true)).toBe(`${bob.tag}.3`)
  })

  it('a snapshot takes the numbers it stands for, and the next entry goes on from the last one signed', async () => {
    const bob = await bobs()
    await bob.keys.addContentKey(raw(1))
    await bob.own.seal('update', Uint8Array.of(1))
    await bob.own.seal('update', Uint8Array.of(2))
    const snapshot = await bob.own.seal('snapshot', Uint8Array.of(3), { from: 1, seq: 2, speculative: true })
    expect(snapshot).toBe(`${bob.tag}.1-2`)
    expect((await bob.read(snapshot, idOf(1))).header).toMatchObject({ kind: 'snapshot', from: 1, seq: 2 })
    expect(bob.own.seq).toBe(2)
    expect(await bob.own.seal('update', Uint8Array.of(4))).toBe(`${bob.tag}.3`)
  })

  it('after a restart they go on after the last one handled; never back', async () => {
    const bob = await bobs()
    await bob.keys.addContentKey(raw(1))
    bob.log.frontier = 7
    bob.own.continueLog()
    expect(bob.own.seq).toBe(7)
    expect(await bob.own.seal('update', Uint8Array.of(1))).toBe(`${bob.tag}.8`)
    bob.log.frontier = 3
    bob.own.continueLog()
    expect(bob.own.seq).toBe(8)
  })

  it('loose entries are the plain updates of his handled so far', async () => {
    const bob = await bobs()
    const done = (kind: 'update' | 'snapshot' | 'join', seq: number): Done => ({ key: `${bob.tag}.${seq}`, bytes: new Uint8Array(1), entry: { header: { kind, seq, from: seq } } as unknown as ParsedEntry, hash: `${seq}`, via: null, outcome: 'applied' })
    for (const d of [done('update', 1), done('join', 2), done('update', 3), done('snapshot', 4)]) bob.log.done.set(d.key, d)
    expect(bob.own.loose).toBe(2)
  })

  it('without a content key nothing is sealed; on a board from before membership he writes with the first key', async () => {
    const bob = await bobs()
    expect(bob.own.currentKeyId()).toBeNull()
    await expect(bob.own.seal('update', Uint8Array.of(1))).rejects.toThrow('holds no content key')
    expect(bob.entries.keys()).toEqual([])
    await bob.keys.addContentKey(raw(1))
    await bob.keys.addContentKey(raw(2))
    expect(bob.own.currentKeyId()).toBe(toBase64url(idOf(1)))
  })

  it('with membership he writes in the current epoch, or, until its key reaches him, in the newest epoch whose key he holds', async () => {
    const bob = await bobs()
    const h = new History()
    const { alice, circle, keys, own } = bob
    const rekey = (to: number, from: number) => h.write(alice, { t: 'rekey', rekey: { key: idOf(to), parent: idOf(from), to: [alice.tag] } })
    circle.addControl(h.write(alice, { t: 'genesis', nonce: new Uint8Array(16), name: 'Alice', agree: alice.agree, key: idOf(1), members: [], membersMayInvite: true }, []))
    await keys.addContentKey(raw(9))
    expect(own.currentKeyId(), 'no epoch’s key: the first it holds').toBe(toBase64url(idOf(9)))
    await keys.addContentKey(raw(1))
    expect(own.currentKeyId()).toBe(toBase64url(idOf(1)))
    circle.addControl(rekey(2, 1))
    circle.addControl(rekey(3, 2))
    expect(circle.membership().current?.key).toBe(toBase64url(idOf(3)))
    await keys.addContentKey(raw(2))
    expect(own.currentKeyId()).toBe(toBase64url(idOf(2)))
    await keys.addContentKey(raw(3))
    expect(own.currentKeyId()).toBe(toBase64url(idOf(3)))
    const key = await own.sealUpdate(Uint8Array.of(5), false)
    expect((await bob.read(key, idOf(3))).header.keyId).toEqual(idOf(3))
    expect(decodeContent((await bob.read(key, idOf(3))).plain!)?.heads).toEqual(circle.heads())
  })

  it('entries sealed together are written in one transaction once all are sealed; if sealing one fails, none is, and the numbers are used again', async () => {
    const bob = await bobs()
    await bob.keys.addContentKey(raw(1))
    const doc = bob.entries.doc
    let transactions = 0
    doc.on('afterTransaction', () => transactions++)
    let firstHash: string | undefined
    await bob.own.together(async () => {
      const first = await bob.own.seal('join', Uint8Array.of(1))
      expect(bob.entries.keys(), 'nothing written before the end').toEqual([])
      firstHash = bob.own.heldHash(first)
      await bob.own.seal('join', Uint8Array.of(2))
    })
    expect(bob.entries.keys().sort()).toEqual([`${bob.tag}.1`, `${bob.tag}.2`])
    expect(firstHash).toBe(entryHash(bob.entries.get(`${bob.tag}.1`) as Uint8Array))
    expect(transactions).toBe(1)
    expect(bob.pumped()).toBe(1)
    await expect(
      bob.own.together(async () => {
        await bob.own.seal('join', Uint8Array.of(3))
        throw new Error('a lockbox could not be sealed')
      }),
    ).rejects.toThrow('a lockbox could not be sealed')
    expect(bob.entries.keys()).toHaveLength(2)
    expect(await bob.own.seal('join', Uint8Array.of(4))).toBe(`${bob.tag}.3`)
  })

  it('seals under an epoch’s key only once his device is in its room, and under the key of the epoch current then', async () => {
    const bob = await bobs()
    const h = new History()
    const { alice, circle, keys, own, entries } = bob
    circle.addControl(h.write(alice, { t: 'genesis', nonce: new Uint8Array(16), name: 'Alice', agree: alice.agree, key: idOf(1), members: [], membersMayInvite: true }, []))
    circle.addControl(h.write(alice, { t: 'rekey', rekey: { key: idOf(2), parent: idOf(1), to: [alice.tag] } }))
    for (const n of [1, 2]) await keys.addContentKey(raw(n))
    // He has just taken epoch 2's keys and is still in epoch 1's room.
    let moved = (): void => {}
    bob.room.wait = (id) => (id === toBase64url(idOf(1)) ? null : new Promise<void>((resolve) => (moved = resolve)))
    let sealed: string | null = null
    const sealing = own.sealUpdate(Uint8Array.of(8), false).then((key) => (sealed = key))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(sealed, 'nothing sealed while he is in the room left').toBeNull()
    expect(entries.keys()).toEqual([])
    expect(bob.asked).toEqual([toBase64url(idOf(2))])
    // Meanwhile epoch 3 came, and he holds its key too: he asks again, for it, then seals under it.
    circle.addControl(h.write(alice, { t: 'rekey', rekey: { key: idOf(3), parent: idOf(2), to: [alice.tag] } }))
    await keys.addContentKey(raw(3))
    bob.room.wait = () => null
    moved()
    await sealing
    expect(bob.asked).toEqual([toBase64url(idOf(2)), toBase64url(idOf(3))])
    expect((await bob.read(sealed!, idOf(3))).header.keyId).toEqual(idOf(3))
  })

  it('a rotation that does not continue the chain (its parent is no longer current) gives him a key he holds, but he writes in the current epoch', async () => {
    const bob = await bobs()
    const h = new History()
    const { alice, circle, keys, own } = bob
    circle.addControl(h.write(alice, { t: 'genesis', nonce: new Uint8Array(16), name: 'Alice', agree: alice.agree, key: idOf(1), members: [], membersMayInvite: true }, []))
    circle.addControl(h.write(alice, { t: 'rekey', rekey: { key: idOf(2), parent: idOf(1), to: [alice.tag] } }))
    // Made on top of the first rotation, still naming epoch 1 as its parent: it does not continue the chain.
    circle.addControl(h.write(alice, { t: 'rekey', rekey: { key: idOf(3), parent: idOf(1), to: [alice.tag] } }))
    const m = circle.membership()
    expect([...m.epochs.values()].map((e) => [e.key, e.effective])).toEqual([
      [toBase64url(idOf(1)), true],
      [toBase64url(idOf(2)), true],
      [toBase64url(idOf(3)), false],
    ])
    expect(m.current?.key).toBe(toBase64url(idOf(2)))
    for (const n of [1, 2, 3]) await keys.addContentKey(raw(n))
    expect(own.currentKeyId()).toBe(toBase64url(idOf(2)))
    const key = await own.sealUpdate(Uint8Array.of(6), false)
    expect((await bob.read(key, idOf(2))).header.keyId, 'sealed under the current epoch’s key, which every device it was sent to reads').toEqual(idOf(2))
  })

  it('a membership change names every head he knows; a welcome is sealed under its room’s public-entry key', async () => {
    const bob = await bobs()
    const h = new History()
    const { alice, circle, keys, own } = bob
    circle.addControl(h.write(alice, { t: 'genesis', nonce: new Uint8Array(16), name: 'Alice', agree: alice.agree, key: idOf(1), members: [], membersMayInvite: true }, []))
    const genesis = h.entries[0]!
    for (const e of [h.write(alice, { t: 'settings', membersMayInvite: false }, [genesis]), h.write(alice, { t: 'settings', membersMayInvite: true }, [genesis])]) circle.addControl(e)
    await keys.addContentKey(raw(1))
    const key = await own.control({ t: 'settings', membersMayInvite: false })
    const control = decodeControl((await bob.read(key, idOf(1))).plain!)
    expect(control?.parents.map((p) => toBase64url(p))).toEqual(circle.heads())
    expect(circle.heads()).toHaveLength(2)
    const transport = raw(4) as TransportSecret
    const welcome = await own.sealPublic('welcome', Uint8Array.of(8), transport)
    const room = keyId(publicEntryKey(transport))
    expect((await bob.read(welcome, room)).header).toMatchObject({ kind: 'welcome', keyId: room })
    expect((await bob.read(welcome, room)).plain).toEqual(Uint8Array.of(8))
  })
})
