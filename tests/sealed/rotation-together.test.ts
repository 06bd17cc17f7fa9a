/**
 * A removal and the rotation that gives the remaining devices the new key
 * reach every device together. A member who learnt of the removal without
 * the new key would write with the newest key it holds, the old one, which
 * the removed member holds too; y-webrtc sends each transaction of the
 * sealed doc as it happens, so the two are written in one transaction.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId } from '../../src/core/index.ts'
import { keyId, parseEntry, toBase64url } from '../../src/crypto/index.ts'
import { circle, exchange, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice' as const, title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })

describe('a removal and its rotation', () => {
  it('reach Bob in one piece: he never knows of Eve’s removal without the new key, and never posts under the old key after it', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    await exchange(ana, bob, eve)
    const oldKey = bob.board.epoch!.key

    // What Ana's device sends, transaction by transaction, as y-webrtc does.
    const sent: Uint8Array[] = []
    const listen = (update: Uint8Array) => sent.push(update)
    ana.board.sealed.on('update', listen)
    await ana.board.remove([eve.board.myTag])
    ana.board.sealed.off('update', listen)
    expect(sent.length).toBeGreaterThan(0)

    // Bob takes each piece as it arrives, and posts right after each.
    const held = (m: Member) => new Set([...m.board.keys.contentKeys()].map((k) => toBase64url(keyId(k))))
    for (const [i, update] of sent.entries()) {
      Y.applyUpdate(bob.board.sealed, update, 'remote')
      await settle(bob)
      const current = bob.board.circle.membership().current!.key
      expect(held(bob).has(current), `after piece ${i + 1} of ${sent.length}, Bob holds the key of the epoch he knows`).toBe(true)
      const r = createItem(bob.board.readable, notice(`Post ${i + 1}`), Date.now(), newItemId(bob.board.myTag))
      if (!r.ok) throw new Error('create failed')
      await settle(bob)
    }
    expect(bob.board.epoch!.key).not.toBe(oldKey)
    const removedAt = bob.board.circle.membership().current!.key
    // Bob's posts since the removal are under the new key only.
    const keysOfBobsPosts = [...bob.board.sealed.getMap('entries').entries()]
      .filter(([k]) => k.startsWith(`${bob.board.myTag}.`))
      .map(([, v]) => parseEntry(v as Uint8Array))
      .filter((p) => p.ok && p.entry.header.kind === 'update')
      .map((p) => (p.ok ? toBase64url(p.entry.header.keyId) : ''))
    expect(keysOfBobsPosts.length).toBe(sent.length)
    expect(new Set(keysOfBobsPosts)).toEqual(new Set([removedAt]))
  })
})
