/**
 * A moderator made a member again keeps no right through a device she adds
 * since (Membership.cutoffFor), on real engines: Eve, demoted, signs with
 * her own keys an invitation for a phone of hers and its admission, both
 * naming the heads she had as a moderator, and the phone pins Ana's post
 * naming the same heads. Found by an audit on 2026-12-07: every device
 * judged the phone a moderator's, for good. Ana and Bob receive these
 * entries in opposite orders, and agree.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems, setPinned } from '../../src/core/index.ts'
import { boundClientId, fromBase64url, generateDeviceKeys, importContentKey, importDeviceSigner, keyId, sealEntry, type DeviceKeyMaterial, type EntryHeader, type EntryKind } from '../../src/crypto/index.ts'
import { entryKey } from '../../src/sealed/index.ts'
import { encodeControl, type Op } from '../../src/sealed/membership/ops.ts'
import { encodeContent, entryHash } from '../../src/sealed/payloads.ts'
import { circle, exchange, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const pinned = (m: Member) => readItems(m.board.readable).filter((i) => i.pinned).map((i) => i.title)

/** The next sequence number of a device, from the keys it wrote in the shared doc. */
const nextSeq = (m: Member, tag: string) => Math.max(0, ...[...m.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(`${tag}.`)).map((k) => Number(k.slice(tag.length + 1).split('-').at(-1)))) + 1

async function sealed(boardId: Uint8Array, key: Uint8Array, by: DeviceKeyMaterial, seq: number, kind: EntryKind, payload: Uint8Array): Promise<{ key: string; bytes: Uint8Array; hash: string }> {
  const h: EntryHeader = { kind, boardId, keyId: keyId(key), author: by.signPublic, seq, from: seq }
  const bytes = await sealEntry(h, payload, await importContentKey(key), await importDeviceSigner(by))
  return { key: entryKey(h), bytes, hash: entryHash(bytes) }
}

describe('a device a demoted moderator adds since', () => {
  it('Eve’s new phone, admitted on the heads she had as a moderator, pins Ana’s post: refused on Ana’s device and on Bob’s, which got the entries in the other order', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    await ana.board.setRole(ana.board.circle.memberOf(eve.board.myTag)!, 'moderator')
    await exchange(ana, bob, eve)
    const post = newItemId(ana.board.myTag)
    createItem(ana.board.readable, notice('Soup on Monday'), Date.now(), post)
    await exchange(ana, bob, eve)
    const before = eve.board.circle.heads()
    const key = eve.board.keys.contentKeys().at(-1)!
    await ana.board.setRole(ana.board.circle.memberOf(eve.board.myTag)!, 'member')
    await exchange(ana, bob, eve)

    // Eve, demoted and knowing it, signs with her own keys: an invitation for a device of hers, and its admission.
    const phone = await generateDeviceKeys()
    const id = crypto.getRandomValues(new Uint8Array(16))
    const seq = nextSeq(eve, eve.board.myTag)
    const control = (op: Op, parents: readonly string[]) => encodeControl({ parents: parents.map((p) => fromBase64url(p)!), op })
    const invite = await sealed(c.boardId, key, eve.keys, seq, 'control', control({ t: 'invite', id, pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as: 'device', ask: false }, before))
    const admit = await sealed(c.boardId, key, eve.keys, seq + 1, 'control', control({ t: 'admit', request: crypto.getRandomValues(new Uint8Array(16)), invite: id, device: { sign: phone.signPublic, agree: phone.agreePublic }, name: 'Eve’s phone' }, [invite.hash]))
    // The phone pins Ana's post, naming the heads its admission was written on.
    const scratch = new Y.Doc()
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(ana.board.readable))
    scratch.clientID = boundClientId(phone.signPublic)
    const sv = Y.encodeStateVector(scratch)
    setPinned(scratch, post, true)
    const pin = await sealed(c.boardId, key, phone, 1, 'update', encodeContent([admit.hash], Y.encodeStateAsUpdate(scratch, sv)))

    const deliver = async (m: Member, entries: readonly { key: string; bytes: Uint8Array }[]) => {
      for (const e of entries) {
        m.board.sealed.getMap('entries').set(e.key, e.bytes)
        await settle(m)
      }
    }
    await deliver(ana, [invite, admit, pin])
    await deliver(bob, [pin, admit, invite])
    for (const m of [ana, bob]) {
      // The phone is Eve's device on both; its pin counts on neither (until December 2026 it did, on both).
      expect(m.board.members().find((x) => x.name === 'Eve')!.devices.map((d) => d.tag), m.name).toHaveLength(2)
      expect(pinned(m), m.name).toEqual([])
      expect(m.board.diagnostics.events.some((e) => e.key === pin.key), m.name).toBe(true)
    }
    await exchange(ana, bob, eve)
    for (const m of [ana, bob, eve]) expect(pinned(m), m.name).toEqual([])
  })
})
