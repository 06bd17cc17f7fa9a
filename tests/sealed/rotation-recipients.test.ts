/**
 * A rotation gives the board new keys, sealed to each device on its own:
 * nobody but a recipient can check its lockbox, but every device can check
 * who the recipients are. Eve, a plain member, may remove her own lost
 * phone, and her device rotates the keys with it: one that leaves out a
 * device she knew in the circle would shut that member out of everything
 * posted afterwards (found by an audit, 2026-12-06). Such a rotation is not
 * taken; the removal is, and a moderator's device rotates the keys to
 * everyone.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { circle, exchange, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()

async function post(m: Member, title: string): Promise<void> {
  createItem(m.board.readable, notice(title), Date.now(), newItemId(m.board.myTag))
  await settle(m)
}

/** `m`'s device seals its next rotation as if `left` were not in the circle (its own view, hers to tamper with). */
async function leavingOut<T>(m: Member, left: Member, act: () => Promise<T>): Promise<T> {
  const device = m.board.circle.membership().devices.get(left.board.myTag)! as { removed: unknown }
  device.removed = { cutoff: 0, by: m.board.myTag, hash: 'tampered' }
  try {
    return await act()
  } finally {
    device.removed = null
  }
}

describe('a rotation’s recipients', () => {
  it('Eve removes her own phone with a rotation that leaves Bob out: the removal counts, the rotation does not, and once Ana rotates Bob reads what she posts', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    const phone = await c.admit('Eve’s phone', eve, { as: 'device' })
    await exchange(ana, bob, eve, phone)
    expect(eve.board.canModerate).toBe(false)
    const keys = ana.board.keys.contentKeys().length
    await leavingOut(eve, bob, () => eve.board.remove([phone.board.myTag]))
    await exchange(ana, bob, eve)
    for (const m of [ana, bob]) {
      expect(m.board.circle.membership().devices.get(phone.board.myTag)?.removed, m.name).toBeTruthy()
      // Her rotation is not the board's: nobody writes with her new key.
      expect(m.board.circle.membership().current?.key, m.name).toBe(ana.board.circle.membership().epochs.keys().next().value)
      expect(m.board.circle.membership().needsRekey, m.name).toBe(true)
    }
    await post(ana, 'Ana after Eve’s rotation')
    await exchange(ana, bob, eve)
    expect(titles(bob.board.readable)).toEqual(['Ana after Eve’s rotation'])
    // A moderator's device rotates (the app does it once it sees the need): everyone but the phone gets the new key.
    await ana.board.rekey()
    await exchange(ana, bob, eve)
    expect(ana.board.keys.contentKeys().length).toBeGreaterThan(keys)
    expect(ana.board.circle.membership().needsRekey).toBe(false)
    await post(ana, 'Ana after her own rotation')
    await exchange(ana, bob, eve)
    for (const m of [bob, eve]) expect(titles(m.board.readable), m.name).toEqual(['Ana after Eve’s rotation', 'Ana after her own rotation'])
  })

  it('Eve removes her own phone, leaving no one out: her rotation is the board’s, and the phone reads nothing posted afterwards', async () => {
    const c = await circle('Ana', 'Bob', 'Eve')
    const [ana, bob, eve] = c.members as [Member, Member, Member]
    const phone = await c.admit('Eve’s phone', eve, { as: 'device' })
    await exchange(ana, bob, eve, phone)
    await eve.board.remove([phone.board.myTag])
    await exchange(ana, bob, eve)
    for (const m of [ana, bob]) {
      expect(m.board.circle.membership().needsRekey, m.name).toBe(false)
      expect(m.board.circle.membership().current?.by, m.name).toBe(eve.board.myTag)
    }
    await post(ana, 'Ana after')
    await exchange(ana, bob, eve, phone)
    expect(titles(bob.board.readable)).toEqual(['Ana after'])
    expect(titles(phone.board.readable)).toEqual([])
  })

  it('a moderator’s rotation that leaves Bob out is not taken either', async () => {
    const c = await circle('Ana', 'Bob', 'Carol')
    const [ana, bob, carol] = c.members as [Member, Member, Member]
    await ana.board.setRole(ana.board.circle.memberOf(carol.board.myTag)!, 'moderator')
    await exchange(ana, bob, carol)
    const first = ana.board.circle.membership().current?.key
    await leavingOut(carol, bob, () => carol.board.rekey())
    await exchange(ana, bob, carol)
    expect(ana.board.circle.membership().current?.key).toBe(first)
    await post(ana, 'Ana after')
    await exchange(ana, bob, carol)
    expect(titles(bob.board.readable)).toEqual(['Ana after'])
  })
})
