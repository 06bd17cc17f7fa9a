/**
 * A membership change that takes rights away can make a verdict already
 * given wrong (verdict-check.ts): the device then builds its board again
 * from the entries, so that it shows what every device holding the same
 * entries shows, whatever order they arrived in.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems, setPinned } from '../../src/core/index.ts'
import { generateDeviceKeys, inlineCrypto, type EntryCrypto } from '../../src/crypto/index.ts'
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

describe('what a rebuild reads again', () => {
  /** Whether `bytes` holds `part` anywhere (an entry's header holds its author's public key). */
  const holds = (bytes: Uint8Array, part: Uint8Array) => bytes.some((_, i) => part.every((b, k) => bytes[i + k] === b))
  const byTitle = (doc: Y.Doc) => pins(doc).sort(([a], [b]) => String(a).localeCompare(String(b)))

  it('Carol’s device keeps no payload of others’ posts once they are on her board: a rebuild decrypts Bob’s post again, never her own, and shows both as before', async () => {
    const c = await circle('Ana', 'Alice', 'Bob')
    const [ana, alice, bob] = c.members as [Member, Member, Member]
    // Every decryption on Carol's device, by the header it authenticates (which names the entry's author).
    const headers: Uint8Array[] = []
    const counting: EntryCrypto = { ...inlineCrypto, decrypt: (key, nonce, ciphertext, header) => (headers.push(header.slice()), inlineCrypto.decrypt(key, nonce, ciphertext, header)) }
    const carol = await c.admit('Carol', ana, { crypto: counting })
    const decryptedOf = (m: Member) => headers.filter((h) => holds(h, m.keys.signPublic)).length
    await ana.board.setRole(alice.board.myTag, 'moderator')
    const post = createItem(bob.board.readable, notice('Coats for the winter drive'), Date.now(), newItemId(bob.board.myTag))
    if (!post.ok) throw new Error('create failed')
    createItem(carol.board.readable, notice('Soup on Thursday'), Date.now(), newItemId(carol.board.myTag))
    await settle(bob, carol)
    await exchange(ana, alice, bob, carol)
    // A pin Alice is no longer allowed to make reaches Carol before the demotion does.
    await ana.board.setRole(alice.board.myTag, 'member')
    setPinned(alice.board.readable, post.value.id, true)
    await settle(alice)
    await exchange(alice, carol)
    expect(byTitle(carol.board.readable)).toEqual([['Coats for the winter drive', true], ['Soup on Thursday', false]])
    const before = { bob: decryptedOf(bob), carol: decryptedOf(carol) }
    expect(before.bob).toBeGreaterThan(0)
    let rebuilt = 0
    carol.board.onReset(() => rebuilt++)

    await exchange(ana, carol)
    expect(rebuilt).toBe(1)
    // Bob's one post was on the board as text only: its payload is decrypted again to build the board anew.
    expect(decryptedOf(bob) - before.bob).toBe(1)
    // Carol's own entries keep theirs (her compactions rewrite them): never decrypted, before or after.
    expect(decryptedOf(carol)).toBe(0)
    expect(byTitle(carol.board.readable)).toEqual([['Coats for the winter drive', false], ['Soup on Thursday', false]])
    expect(carol.board.diagnostics.events.map((e) => e.author)).toEqual([alice.board.myTag])
  })
})
