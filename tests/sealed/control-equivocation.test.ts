/**
 * Eve signs two different membership changes under one sequence number and
 * hands one to Ana's device, the other to Bob's. Bob writes on top of the
 * version he holds (his posts name its hash as a head). Ana's device proves
 * the equivocation; both versions go into every device's membership graph,
 * void, so that Bob's posts, naming either, are judged everywhere. Found by
 * an audit on 2026-12-06: Ana's device never learnt the version Bob named,
 * and his posts, and everything he wrote after, waited there for ever.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { fromBase64url, importContentKey, importDeviceSigner, keyId, sealEntry, type EntryHeader } from '../../src/crypto/index.ts'
import { entryKey } from '../../src/sealed/index.ts'
import { encodeControl } from '../../src/sealed/membership/ops.ts'
import { circle, exchange, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const entries = (m: Member) => m.board.sealed.getMap('entries')

describe('two versions of a membership change', () => {
  it('Bob’s posts written on the version Ana’s device did not get reach Ana, and Eve’s change counts nowhere', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    await exchange(ana, bob, eve)
    const mine = [...entries(eve).keys()].filter((k) => k.startsWith(`${eve.board.myTag}.`)).map((k) => Number(k.slice(eve.board.myTag.length + 1).split('-').at(-1)))
    const seq = Math.max(...mine) + 1
    const heads = eve.board.circle.heads().map((h) => fromBase64url(h)!)
    const key = eve.board.keys.contentKeys().at(-1)!
    const signer = await importDeviceSigner(eve.keys)
    const cipher = await importContentKey(key)
    const h: EntryHeader = { kind: 'control', boardId: c.boardId, keyId: keyId(key), author: eve.keys.signPublic, seq, from: seq }
    const version = (n: number) => sealEntry(h, encodeControl({ parents: heads, op: { t: 'settings', membersMayInvite: n === 1 } }), cipher, signer)
    // Eve is not a moderator: a settings change is not valid, but it is in the graph all the same. (An invite would do as well.)
    const v1 = await version(1)
    const v2 = await version(2)
    entries(ana).set(entryKey(h), v1)
    await settle(ana)
    entries(bob).set(entryKey(h), v2)
    await settle(bob)
    // Bob posts, on the heads he knows (v2 among them).
    createItem(bob.board.readable, notice('Bob after v2'), Date.now(), newItemId(bob.board.myTag))
    await settle(bob)
    await exchange(ana, bob)
    createItem(bob.board.readable, notice('Bob later'), Date.now(), newItemId(bob.board.myTag))
    await settle(bob)
    await exchange(ana, bob)
    await exchange(ana, bob, eve)
    for (const m of [ana, bob, eve]) {
      expect(titles(m.board.readable), m.name).toEqual(['Bob after v2', 'Bob later'])
      expect(m.board.circle.equivocators.has(eve.board.myTag), m.name).toBe(true)
    }
  })
})
