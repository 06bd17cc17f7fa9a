/**
 * What the app reads of a sealed board and what it is told (sealed-board.ts,
 * the coordinator): where this device stands, whether it may moderate, the
 * keys it is sent, a whole old board sealed on migration, and an engine that
 * was closed.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { BOARD_RULES } from '../../src/app/board-rules.ts'
import { createItem, newItemId, readItems, removeItem } from '../../src/core/index.ts'
import { deriveInvitation, generateDeviceKeys, generateInvitationSecret, importAgreement, importContentKey, importDeviceSigner, keyId, sealEntry, toBase64url, type EntryHeader } from '../../src/crypto/index.ts'
import { AdmissionRefused, entryKey, SealedBoard, type KeyGift } from '../../src/sealed/index.ts'
import { decodeVerdicts } from '../../src/sealed/verdicts.ts'
import { CONTENT_KEY, OLD_BOARD_ID, TRANSPORT, circle, device, exchange, member, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'typed name', tags: [], pinned: false, expiresAt: null })
const titles = (m: Member) => readItems(m.board.readable).map((i) => i.title).sort()
const entries = (m: Member) => m.board.sealed.getMap('entries')
const post = (m: Member, title: string) => {
  const r = createItem(m.board.readable, notice(title), Date.now(), newItemId(m.board.myTag))
  if (!r.ok) throw new Error('create failed')
  return r.value.id
}
const roles = (m: Member) => m.board.members().map((v) => [v.name, v.role])

/** A whole old board (one notice), as an old copy would hold it: written under a client id bound to nobody. */
function oldBoard(title: string, key?: string): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = 12345
  createItem(doc, notice(title), Date.now(), key)
  return Y.encodeStateAsUpdate(doc)
}

describe('where a device stands, and whether it may moderate', () => {
  it('on a board from before membership: Ana, its founder, moderates and takes Bob’s post down; Eve’s genesis does not make the board hers', async () => {
    const keys = await generateDeviceKeys()
    const carol = await device('Carol', { founder: keys.signPublic })
    expect(carol.board.standing, 'no profile yet').toBe('waiting')
    const ana = await member('Ana', { keys, founder: keys.signPublic })
    const bob = await member('Bob', { founder: keys.signPublic })
    const eve = await member('Eve', { founder: keys.signPublic })
    await exchange(ana, bob, eve)
    expect([ana, bob, eve].map((m) => m.board.standing)).toEqual(['member', 'member', 'member'])
    expect([ana, bob, eve].map((m) => m.board.canModerate)).toEqual([true, false, false])

    const id = post(bob, 'Bike repair on Sunday')
    await settle(bob)
    await exchange(ana, bob, eve)
    removeItem(ana.board.readable, id, Date.now())
    await settle(ana)
    await exchange(ana, bob, eve)
    for (const m of [ana, bob, eve]) expect(titles(m), m.name).toEqual([])

    // Eve founds "her" board on the old one: neither her key nor her nonce names it.
    await eve.board.found('Eve', crypto.getRandomValues(new Uint8Array(16)))
    await exchange(ana, bob, eve)
    for (const m of [ana, bob, eve]) {
      expect(m.board.circle.managed, m.name).toBe(false)
      // The founder first, then by device tag.
      expect(roles(m)[0], m.name).toEqual(['Ana', 'founder'])
      expect(roles(m).slice(1).sort(), m.name).toEqual([
        ['Bob', 'member'],
        ['Eve', 'member'],
      ])
    }
    expect(eve.board.canModerate).toBe(false)
    // Ana's own conversion still counts.
    await ana.board.convert()
    await exchange(ana, bob, eve)
    for (const m of [ana, bob, eve]) expect(roles(m)[0], m.name).toEqual(['Ana', 'founder'])
  })

  it('on a board with membership: Bob, made a moderator, moderates; removed, he stands removed and moderates no more; a device that holds the key but was never let in waits', async () => {
    const c = await circle('Ana', 'Bob', 'Carol')
    const [ana, bob, carol] = c.members as [Member, Member, Member]
    expect([ana, bob, carol].map((m) => m.board.canModerate)).toEqual([true, false, false])
    await ana.board.setRole(bob.board.myTag, 'moderator')
    await exchange(ana, bob, carol)
    expect([ana, bob, carol].map((m) => m.board.canModerate)).toEqual([true, true, false])

    const olga = await device('Olga', { boardId: c.boardId, contentKeys: [{ key: CONTENT_KEY }] })
    await exchange(olga, ana)
    expect(olga.board.circle.managed).toBe(true)
    expect(olga.board.standing).toBe('waiting')

    await ana.board.remove([bob.board.myTag])
    await exchange(ana, bob, carol)
    expect(bob.board.standing).toBe('removed')
    expect(bob.board.canModerate, 'a removed moderator').toBe(false)
    expect(carol.board.standing).toBe('member')
  })

  it('Ana’s device, restored from an old copy, signs another entry under a number it had used: proven to equivocate from there, it moderates no more', async () => {
    const keys = await generateDeviceKeys()
    const ana = await member('Ana', { keys, founder: keys.signPublic })
    const bob = await member('Bob', { founder: keys.signPublic })
    await exchange(ana, bob)
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(ana.board.sealed))
    post(ana, 'Meeting on Tuesday')
    await settle(ana)
    await exchange(ana, bob)
    ana.board.destroy()
    const restored = await device('Ana', { keys, founder: keys.signPublic, sealed: copy })
    expect(restored.board.canModerate).toBe(true)
    post(restored, 'Meeting on Wednesday')
    await settle(restored)
    await exchange(restored, bob)
    expect(bob.board.members().find((m) => m.name === 'Ana')?.equivocated).toBe(true)
    expect(restored.board.members().find((m) => m.name === 'Ana')?.equivocated).toBe(true)
    expect(restored.board.canModerate).toBe(false)
  })

  it('an admission that does not count says which verdict it got', () => {
    expect(new AdmissionRefused('used_up').message).toBe('The admission does not count (used_up); no keys were sent')
  })
})

describe('keys sent to a member', () => {
  it('Ana rotates the keys: Bob is told of the new key once; Carol, let in after, is sent both keys, the new room’s secret with the new key only; reopened with them, Bob is told nothing', async () => {
    const c = await circle('Ana', 'Bob')
    const [ana, bob] = c.members as [Member, Member]
    const told: KeyGift[] = []
    const stopped: KeyGift[] = []
    bob.board.onKeys((gift) => told.push(gift))
    const off = bob.board.onKeys((gift) => stopped.push(gift))
    off()
    const first = ana.board.epoch!.key
    await ana.board.rekey()
    await exchange(ana, bob)
    const second = ana.board.epoch!.key
    expect(second).not.toBe(first)
    expect(told.map((g) => g.contentKeys.map((k) => toBase64url(keyId(k))).at(-1))).toEqual([second])
    expect(stopped).toEqual([])
    expect(bob.board.epoch).toEqual(ana.board.epoch)

    // Carol's invite carries the room of the epoch it was made in; Ana lets her in.
    const invitation = await deriveInvitation(generateInvitationSecret())
    await ana.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'member', ask: false })
    const carol = await device('Carol', { boardId: c.boardId, contentKeys: [], request: { key: invitation.requestKey }, transport: ana.board.epoch!.transport! })
    await carol.board.request('Carol', { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
    await exchange(ana, carol)
    await ana.board.admit(ana.board.circle.openRequests().find((r) => r.name === 'Carol')!.hash)
    await exchange(ana, carol)
    expect(carol.board.keys.contentKeys().map((k) => toBase64url(keyId(k)))).toEqual([first, second])
    expect(carol.board.keys.transport(second)).toEqual(ana.board.keys.transport(second))
    expect(carol.board.keys.transport(first), 'the welcome carries only the current room’s secret').toBeNull()

    // Bob opens the board again, with the keys his keyring kept.
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(bob.board.sealed))
    const again = new SealedBoard(copy, {
      boardId: c.boardId,
      contentKeys: bob.board.keys.contentKeys().map((key) => ({ key, transport: bob.board.keys.transport(toBase64url(keyId(key))) })),
      transport: TRANSPORT,
      rules: BOARD_RULES,
      compactAfter: 1_000_000,
      signer: await importDeviceSigner(bob.keys),
      agreement: await importAgreement(bob.keys.agreePkcs8, bob.keys.agreePublic),
    })
    const toldAgain: KeyGift[] = []
    again.onKeys((gift) => toldAgain.push(gift))
    await again.start()
    await again.flush()
    expect(again.failure).toBeNull()
    expect(again.epoch).toEqual(ana.board.epoch)
    expect(toldAgain, 'every key it was sent, it holds already').toEqual([])
    again.destroy()
  })

  it('one who stops listening to circle changes is told nothing more', async () => {
    const c = await circle('Ana', 'Bob')
    const [, bob] = c.members as [Member, Member]
    let told = 0
    let stopped = 0
    bob.board.onCircleChange(() => told++)
    bob.board.onCircleChange(() => stopped++)()
    await c.admit('Carol')
    expect(told).toBeGreaterThan(0)
    expect(stopped).toBe(0)
  })
})

describe('a whole old board, sealed on migration', () => {
  it('shows at once on the device that seals it', async () => {
    const alice = await member('Alice', { allowLegacy: true })
    await alice.board.importLegacy(oldBoard('From the old board'))
    expect(titles(alice)).toEqual(['From the old board'])
    expect(alice.board.diagnostics.total).toBe(0)
  })

  it('one that writes under a key naming a member is refused on the device that seals it too: its readable doc is built again without it, and whoever listens is told', async () => {
    const alice = await member('Alice', { allowLegacy: true })
    const bob = await member('Bob', { allowLegacy: true })
    await exchange(alice, bob)
    const docs: Y.Doc[] = []
    let stopped = 0
    alice.board.onReset((doc) => docs.push(doc))
    alice.board.onReset(() => stopped++)()
    await alice.board.importLegacy(oldBoard('Bob says: meeting cancelled', newItemId(bob.board.myTag)))
    await settle(alice)
    expect(titles(alice)).toEqual([])
    expect(alice.board.diagnostics.events.map((e) => e.reason)).toEqual(['forbidden_edit'])
    expect(docs).toEqual([alice.board.readable])
    expect(stopped).toBe(0)
  })

  it('on a board that never had one, a whole old board is refused and taken out of the shared doc', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    const h: EntryHeader = { kind: 'legacy', boardId: OLD_BOARD_ID, keyId: keyId(CONTENT_KEY), author: eve.keys.signPublic, seq: 2, from: 2 }
    const key = entryKey(h)
    entries(bob).set(key, await sealEntry(h, oldBoard('Old notice'), await importContentKey(CONTENT_KEY), await importDeviceSigner(eve.keys)))
    await settle(bob)
    expect(bob.board.diagnostics.events.map((e) => e.reason)).toEqual(['foreign_changes'])
    expect(entries(bob).has(key)).toBe(false)
  })
})

describe('the verdicts a device keeps', () => {
  it('keeps the verdict of each update it applied, with the clocks it used, and none of a whole old board (never judged by a kept verdict)', async () => {
    const saved: Uint8Array[] = []
    const alice = await member('Alice', { allowLegacy: true, verdicts: { load: () => Promise.resolve(null), save: (b) => Promise.resolve(void saved.push(b)) } })
    await alice.board.importLegacy(oldBoard('From the old board'))
    post(alice, 'Soup kitchen needs volunteers')
    await settle(alice)
    await alice.board.saveVerdicts()
    const kept = decodeVerdicts(saved.at(-1)!)!
    const applied = [...entries(alice).keys()].filter((k) => !k.startsWith('!'))
    expect(applied.length).toBeGreaterThan(kept.entries.size)
    expect(kept.entries.size).toBe(1)
    const [verdict] = [...kept.entries.values()]
    expect(verdict!.judgedWith).toBe('true/false')
    expect(verdict!.range).not.toBeNull()
    expect(verdict!.range!.to).toBeGreaterThan(verdict!.range!.from)
    alice.board.destroy()
  })
})

describe('a closed engine', () => {
  it('no longer touches the shared doc: what is written into it afterwards stays, and is not reported', async () => {
    const bob = await member('Bob')
    await settle(bob)
    const before = bob.board.diagnostics.total
    bob.board.destroy()
    bob.board.sealed.getArray('elsewhere').push([1])
    entries(bob).set('junk', new Uint8Array([1, 2, 3]))
    await new Promise((r) => setTimeout(r, 50))
    expect(bob.board.sealed.getArray('elsewhere').toArray()).toEqual([1])
    expect(entries(bob).has('junk')).toBe(true)
    expect(bob.board.diagnostics.total).toBe(before)
  })
})

describe('entries read from the device’s own store', () => {
  it('a refusal of what was already stored says it came from storage', async () => {
    const bob = await member('Bob')
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(bob.board.sealed))
    copy.getMap('entries').set('junk', new Uint8Array([1, 2, 3]))
    const again = await member('Bob', { keys: bob.keys, sealed: copy })
    expect(again.board.diagnostics.events.map((e) => [e.reason, e.via])).toEqual([['malformed', 'storage']])
  })
})
