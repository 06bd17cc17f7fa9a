/**
 * The proof that Eve signed two versions of one entry is kept in the shared
 * map under `!<tag>`, for devices that arrive later. Anyone in the room can
 * write that key: Eve can put a weaker proof there (from a second
 * equivocation, at a later sequence number), and anyone can put junk or take
 * it away. Every device that holds the stronger proof writes it back, so a
 * device that arrives later voids what every other device voided (found by
 * an audit on 2026-12-06: until then, such a device showed Eve's posts that
 * every other device had voided, for good).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { importContentKey, importDeviceSigner, keyId, parseEntry, sealEntry, type EntryHeader } from '../../src/crypto/index.ts'
import { encodeProof } from '../../src/sealed/equivocation.ts'
import { proofKey } from '../../src/sealed/entry-key.ts'
import { encodeContent } from '../../src/sealed/payloads.ts'
import { circle, exchange, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const entries = (m: Member) => m.board.sealed.getMap('entries')

async function post(m: Member, title: string): Promise<string> {
  createItem(m.board.readable, notice(title), Date.now(), newItemId(m.board.myTag))
  await settle(m)
  const prefix = `${m.board.myTag}.`
  return [...entries(m).keys()].filter((k) => k.startsWith(prefix)).sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length))).at(-1)!
}

/** Another entry Eve signs under the number of `entry` (its header, another payload): with it, a proof against her. */
async function secondVersion(eve: Member, entry: Uint8Array): Promise<Uint8Array> {
  const parsed = parseEntry(entry)
  if (!parsed.ok) throw new Error('parse')
  const key = eve.board.keys.contentKeys().at(-1)!
  const h: EntryHeader = { ...parsed.entry.header, keyId: keyId(key) }
  return sealEntry(h, encodeContent(eve.board.circle.heads(), new Uint8Array([0, 0])), await importContentKey(key), await importDeviceSigner(eve.keys))
}

describe('the proof against an equivocating author', () => {
  it('overwritten with a weaker one by Eve, is written back: Dan, arriving later, voids what everyone voided', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    const k1 = await post(eve, 'Eve 1')
    const k2 = await post(eve, 'Eve 2')
    const k3 = await post(eve, 'Eve 3')
    const k4 = await post(eve, 'Eve 4')
    await exchange(ana, bob, eve)
    expect(titles(ana.board.readable)).toEqual(['Eve 1', 'Eve 2', 'Eve 3', 'Eve 4'])
    const original = new Map([k1, k2, k3, k4].map((k) => [k, entries(eve).get(k) as Uint8Array]))
    const strong = encodeProof(original.get(k2)!, await secondVersion(eve, original.get(k2)!))
    const weak = encodeProof(original.get(k4)!, await secondVersion(eve, original.get(k4)!))
    const proof = proofKey(eve.board.myTag)
    // Ana and Bob learn of the strong proof: Eve's posts from 2 on are void.
    entries(ana).set(proof, strong)
    await settle(ana)
    await exchange(ana, bob)
    expect(titles(ana.board.readable)).toEqual(['Eve 1'])
    expect(titles(bob.board.readable)).toEqual(['Eve 1'])
    // Eve overwrites the proof with the weak one, and puts her entries 2 and 3 back.
    entries(ana).set(proof, weak)
    entries(ana).set(k2, original.get(k2)!)
    entries(ana).set(k3, original.get(k3)!)
    await settle(ana)
    await exchange(ana, bob)
    expect(entries(ana).get(proof)).toEqual(strong)
    expect(entries(bob).get(proof)).toEqual(strong)
    expect(titles(ana.board.readable)).toEqual(['Eve 1'])
    // Dan arrives (Bob lets him in); Eve gives him entries 2 and 3 too.
    const dan = await c.admit('Dan', bob)
    entries(dan).set(k2, original.get(k2)!)
    entries(dan).set(k3, original.get(k3)!)
    await settle(dan)
    await exchange(ana, bob, dan)
    await exchange(ana, bob, dan)
    expect(titles(ana.board.readable)).toEqual(['Eve 1'])
    expect(titles(bob.board.readable)).toEqual(['Eve 1'])
    expect(titles(dan.board.readable)).toEqual(['Eve 1'])
    expect(entries(dan).get(proof)).toEqual(strong)
  })

  it('overwritten with junk, or taken away, is written back', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    const k1 = await post(eve, 'Eve 1')
    const k2 = await post(eve, 'Eve 2')
    await exchange(ana, bob, eve)
    const original = new Map([k1, k2].map((k) => [k, entries(eve).get(k) as Uint8Array]))
    const second = await secondVersion(eve, original.get(k2)!)
    const proof = proofKey(eve.board.myTag)
    entries(ana).set(proof, encodeProof(original.get(k2)!, second))
    await settle(ana)
    await exchange(ana, bob)
    expect(titles(ana.board.readable)).toEqual(['Eve 1'])
    const held = entries(ana).get(proof)
    // Anyone in the room writes junk over the proof: it is written back.
    entries(ana).set(proof, new Uint8Array([1, 2, 3]))
    await settle(ana)
    await exchange(ana, bob)
    expect(entries(ana).get(proof)).toEqual(held)
    expect(entries(bob).get(proof)).toEqual(held)
    // Or takes it away: it is written back.
    entries(bob).delete(proof)
    await settle(bob)
    await exchange(ana, bob)
    expect(entries(ana).get(proof)).toEqual(held)
    // Dan arrives; Eve hands him her entry 2.
    const dan = await c.admit('Dan', bob)
    entries(dan).set(k2, original.get(k2)!)
    await settle(dan)
    await exchange(ana, bob, dan)
    await exchange(ana, bob, dan)
    expect(titles(ana.board.readable)).toEqual(['Eve 1'])
    expect(titles(dan.board.readable)).toEqual(['Eve 1'])
  })
})
