/**
 * A membership change that takes rights away can make a verdict already
 * given wrong (verdict-check.ts): the device then builds its board again
 * from the entries, so that it shows what every device holding the same
 * entries shows, whatever order they arrived in.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems, setPinned } from '../../src/core/index.ts'
import { generateDeviceKeys } from '../../src/crypto/index.ts'
import { circle, exchange, member, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const pins = (doc: Y.Doc) => readItems(doc).map((i) => [i.title, i.pinned])

describe('verdicts given before a right was taken', () => {
  it('Ana demotes Alice while Alice, not knowing, pins Bob’s post: Carol, who got the pin first, unpins it once the demotion arrives', async () => {
    const c = await circle('Ana', 'Alice', 'Bob', 'Carol')
    const [ana, alice, bob, carol] = c.members as [Member, Member, Member, Member]
    await ana.board.setRole(alice.board.myTag, 'moderator')
    const r = createItem(bob.board.readable, notice('Coats for the winter drive'), Date.now(), newItemId(bob.board.myTag))
    if (!r.ok) throw new Error('create failed')
    await settle(bob)
    await exchange(ana, alice, bob, carol)

    await ana.board.setRole(alice.board.myTag, 'member')
    setPinned(alice.board.readable, r.value.id, true)
    await settle(alice)
    await exchange(alice, carol)
    expect(pins(carol.board.readable)).toEqual([['Coats for the winter drive', true]])
    let rebuilt = 0
    carol.board.onReset(() => rebuilt++)

    await exchange(ana, carol)
    expect(rebuilt).toBe(1)
    expect(pins(carol.board.readable)).toEqual([['Coats for the winter drive', false]])
    expect(carol.board.diagnostics.events.map((e) => e.author)).toEqual([alice.board.myTag])
    await exchange(ana, alice, bob, carol)
    for (const m of [ana, alice, bob, carol]) expect(pins(m.board.readable), m.name).toEqual([['Coats for the winter drive', false]])
  })
  it('Ana removes Eve while Eve posts: Carol, who got the post first, takes it down once the removal arrives', async () => {
    const c = await circle('Ana', 'Eve', 'Carol')
    const [ana, eve, carol] = c.members as [Member, Member, Member]
    await ana.board.remove([eve.board.myTag])
    createItem(eve.board.readable, notice('Meeting cancelled, stay home'), Date.now(), newItemId(eve.board.myTag))
    await settle(eve)
    await exchange(eve, carol)
    expect(pins(carol.board.readable)).toEqual([['Meeting cancelled, stay home', false]])
    await exchange(ana, carol)
    expect(pins(carol.board.readable)).toEqual([])
    expect(carol.board.members().find((m) => m.name === 'Eve')?.removed).toBe(true)
  })
  it('Ana turns her old board into one with membership, listing the members she knows: Bob, who had let Eve’s posts in on her word alone, takes them down', async () => {
    const keys = await generateDeviceKeys()
    const ana = await member('Ana', { keys, founder: keys.signPublic })
    const bob = await member('Bob', { founder: keys.signPublic })
    const eve = await member('Eve', { founder: keys.signPublic })
    await exchange(ana, bob)
    createItem(eve.board.readable, notice('Meeting cancelled, stay home'), Date.now(), newItemId(eve.board.myTag))
    await settle(eve)
    await exchange(bob, eve)
    expect(pins(bob.board.readable)).toEqual([['Meeting cancelled, stay home', false]])
    await ana.board.convert()
    await exchange(ana, bob)
    expect(bob.board.circle.managed).toBe(true)
    expect(bob.board.members().map((m) => m.name)).toEqual(['Ana', 'Bob'])
    expect(pins(bob.board.readable)).toEqual([])
  })
})
