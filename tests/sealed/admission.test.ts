/**
 * Admission (admission.ts): what reaches the shared map becomes entries
 * waiting in their author's log, or is refused — told through what Bob's
 * device records and keeps: which connection brought what nobody signed,
 * an entry taken away and put back before his engine got to it, and proof
 * that Eve equivocated arriving from another device, over entries of hers
 * already handled or still waiting.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { boundClientId, deriveInvitation, importContentKey, importDeviceSigner, keyId, sealEntry, type EntryHeader, type EntryKind } from '../../src/crypto/index.ts'
import { entryKey, encodeJoin } from '../../src/sealed/index.ts'
import { encodeProof } from '../../src/sealed/equivocation.ts'
import { encodeContent } from '../../src/sealed/payloads.ts'
import { CONTENT_KEY, OLD_BOARD_ID, circle, device, exchange, generateInvitationSecret, member, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const entries = (m: Member) => m.board.sealed.getMap('entries')
const events = (m: Member) => m.board.diagnostics.events.map((e) => [e.reason, e.key, e.author, e.detail])

/** Bob and Eve on a board from before membership, each with the other's profile. */
async function bobAndEve() {
  const bob = await member('Bob')
  const eve = await member('Eve')
  await exchange(bob, eve)
  return { bob, eve, eveTag: eve.board.myTag }
}

/** Eve signs an entry by hand (her device would never sign two versions of one number). */
async function eveSigns(eve: Member, seq: number, kind: EntryKind, payload: Uint8Array): Promise<{ key: string; bytes: Uint8Array }> {
  const h: EntryHeader = { kind, boardId: OLD_BOARD_ID, keyId: keyId(CONTENT_KEY), author: eve.keys.signPublic, seq, from: seq }
  return { key: entryKey(h), bytes: await sealEntry(h, payload, await importContentKey(CONTENT_KEY), await importDeviceSigner(eve.keys)) }
}

/** Eve's notices, one after another on one Yjs client of hers, each as a content payload. */
function evePosts(eve: Member, ...names: string[]): Uint8Array[] {
  const doc = new Y.Doc()
  doc.clientID = boundClientId(eve.keys.signPublic)
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(encodeContent([], u)))
  for (const name of names) createItem(doc, notice(name), Date.now(), newItemId(eve.board.myTag))
  return updates
}

/** A peer's sync message carrying `write` into the shared doc, made by a Yjs client of the given id. */
function fromPeer(client: number, write: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = client
  write(doc)
  return Y.encodeStateAsUpdate(doc)
}

/** A peer's sync message that writes over what `m`'s shared doc holds (the peer had synced with it first). */
function overPeer(m: Member, client: number, write: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = client
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(m.board.sealed))
  const before = Y.encodeStateVector(doc)
  write(doc)
  return Y.encodeStateAsUpdate(doc, before)
}

describe('what nobody signed', () => {
  it('garbage from a peer is recorded with the connection that brought it (the Yjs clients it advanced), garbage written on this device as local', async () => {
    const bob = await member('Bob')
    const garbage = Uint8Array.of(1, 2, 3)
    Y.applyUpdate(bob.board.sealed, fromPeer(1111, (d) => d.getMap('entries').set('from one', garbage)), 'remote')
    await settle(bob)
    const two = Y.mergeUpdates([fromPeer(2222, (d) => d.getMap('entries').set('from two', garbage)), fromPeer(3333, (d) => d.getMap('entries').set('and three', garbage))])
    Y.applyUpdate(bob.board.sealed, two, 'remote')
    await settle(bob)
    entries(bob).set('written here', garbage)
    await settle(bob)
    const via = bob.board.diagnostics.events.map((e) => [e.key, e.via])
    expect(via[0]).toEqual(['from one', 'session 1111'])
    expect(via.slice(1, 3).map(([key]) => key).sort()).toEqual(['and three', 'from two'])
    for (const [, v] of via.slice(1, 3)) expect(['session 2222,3333', 'session 3333,2222']).toContain(v)
    expect(via[3]).toEqual(['written here', 'local'])
    expect(via).toHaveLength(4)
  })

  it('a peer writing outside the entries map: removed, and counted in the record', async () => {
    const bob = await member('Bob')
    Y.applyUpdate(
      bob.board.sealed,
      fromPeer(4444, (d) => {
        d.getMap('elsewhere').set('a', 1)
        d.getMap('elsewhere').set('b', 2)
      }),
      'remote',
    )
    await settle(bob)
    expect(bob.board.diagnostics.events.map((e) => [e.reason, e.key, e.author, e.via])).toEqual([['junk', '2 structs outside the entries', null, null]])
    expect([...bob.board.sealed.getMap('elsewhere').keys()]).toEqual([])
  })
})

describe('an entry taken away', () => {
  it('one peer deletes Alice’s post and another puts the same bytes back before Bob’s engine gets to either: nothing to put back, nobody to name', async () => {
    const bob = await member('Bob')
    const alice = await member('Alice')
    createItem(alice.board.readable, notice('Safe house: the blue door'), Date.now(), newItemId(alice.board.myTag))
    await settle(alice)
    await exchange(alice, bob)
    const key = [...entries(alice).keys()].find((k) => k === `${alice.board.myTag}.2`)!
    const bytes = entries(bob).get(key) as Uint8Array
    entries(bob).delete(key)
    entries(bob).set(key, bytes)
    await settle(bob)
    expect(bob.board.diagnostics.events).toEqual([])
    expect(entries(bob).get(key)).toEqual(bytes)
    expect(titles(bob.board.readable)).toEqual(['Safe house: the blue door'])
  })
})

describe('old entries and overwritten ones', () => {
  it('a peer overwrites Alice’s entry with garbage: Bob puts hers back and says whose it was, naming nobody', async () => {
    const bob = await member('Bob')
    const alice = await member('Alice')
    createItem(alice.board.readable, notice('Safe house: the blue door'), Date.now(), newItemId(alice.board.myTag))
    await settle(alice)
    await exchange(alice, bob)
    const key = `${alice.board.myTag}.2`
    const bytes = entries(bob).get(key) as Uint8Array
    Y.applyUpdate(bob.board.sealed, overPeer(bob, 7777, (d) => d.getMap('entries').set(key, Uint8Array.of(1, 2, 3))), 'remote')
    await settle(bob)
    expect(events(bob)).toEqual([['erased', key, null, `an entry of ${alice.board.myTag}`]])
    expect(entries(bob).get(key)).toEqual(bytes)
  })

  it('Eve’s void entry, forgotten once it was taken away, put back after her next one: a replay, named as hers but blamed on nobody, and left where no snapshot stands for it', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    const e2 = await eveSigns(eve, 2, 'update', evePosts(eve, 'Choir on Thursday')[0]!)
    const e3 = await eveSigns(eve, 3, 'update', Uint8Array.of(65, ...new Uint8Array(65 * 16)))
    for (const e of [e2, e3]) entries(bob).set(e.key, e.bytes)
    await settle(bob)
    entries(bob).delete(e3.key)
    await settle(bob)
    Y.applyUpdate(bob.board.sealed, overPeer(bob, 8888, (d) => d.getMap('entries').set(e3.key, e3.bytes)), 'remote')
    await settle(bob)
    expect(events(bob)).toEqual([
      ['bad_payload', e3.key, eveTag, null],
      ['replay', e3.key, null, `an old entry of ${eveTag}`],
    ])
    expect(bob.board.diagnostics.events[1]!.via).toBe('session 8888')
    expect(entries(bob).get(e3.key)).toEqual(e3.bytes)
    expect(bob.board.pendingCount()).toBe(0)
    expect(titles(bob.board.readable)).toEqual(['Choir on Thursday'])
  })

  it('Eve compacts two posts Bob already has into a snapshot, then removes them: the snapshot stands for them, nothing is a replay or put back', async () => {
    const { bob, eve } = await bobAndEve()
    const doc = new Y.Doc()
    doc.clientID = boundClientId(eve.keys.signPublic)
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    for (const title of ['Choir on Thursday', 'Soup on Monday']) createItem(doc, notice(title), Date.now(), newItemId(eve.board.myTag))
    const posts = [await eveSigns(eve, 2, 'update', encodeContent([], updates[0]!)), await eveSigns(eve, 3, 'update', encodeContent([], updates[1]!))]
    for (const e of posts) entries(bob).set(e.key, e.bytes)
    await settle(bob)
    const h: EntryHeader = { kind: 'snapshot', boardId: OLD_BOARD_ID, keyId: keyId(CONTENT_KEY), author: eve.keys.signPublic, seq: 3, from: 2 }
    const snapshot = await sealEntry(h, encodeContent([], Y.encodeStateAsUpdate(doc)), await importContentKey(CONTENT_KEY), await importDeviceSigner(eve.keys))
    entries(bob).set(entryKey(h), snapshot)
    await settle(bob)
    for (const e of posts) entries(bob).delete(e.key)
    await settle(bob)
    expect(bob.board.diagnostics.events).toEqual([])
    expect(entries(bob).has(entryKey(h))).toBe(true)
    expect(posts.filter((e) => entries(bob).has(e.key))).toEqual([])
    expect(titles(bob.board.readable)).toEqual(['Choir on Thursday', 'Soup on Monday'])
  })
})

describe('what may wait', () => {
  it('strangers’ entries waiting for an author nobody let in: an author past its share loses its latest, and when all together pass the cap, the author with the most waiting loses all of them', async () => {
    const bob = await member('Bob', { pendingLimits: { perAuthor: 4, total: 7 } })
    const [a, b, c] = (await Promise.all(['A', 'B', 'C'].map((n) => device(n)))) as [Member, Member, Member]
    const batch = async (m: Member, count: number) => {
      const posts = evePosts(m, ...Array.from({ length: count }, (_, i) => `spam ${i}`))
      const signed = await Promise.all(posts.map((p, i) => eveSigns(m, i + 2, 'update', p)))
      bob.board.sealed.transact(() => {
        for (const e of signed) entries(bob).set(e.key, e.bytes)
      })
      await settle(bob)
      return signed.map((e) => e.key)
    }
    const dropped = () => bob.board.diagnostics.events.filter((e) => e.reason === 'over_limit').map((e) => [e.key, e.author, e.detail])
    const tagOf = (m: Member) => m.board.myTag
    // A: six, two over her share — her latest two go.
    const aKeys = await batch(a, 6)
    expect(dropped()).toEqual([aKeys[5], aKeys[4]].map((k) => [k, null, `entries of ${tagOf(a)}`]))
    // C: three, within her share; seven waiting in all, at the cap but not past it.
    const cKeys = await batch(c, 3)
    expect(dropped()).toHaveLength(2)
    expect(bob.board.pendingCount()).toBe(7)
    // B: five — twelve in all: B, with the most waiting, loses all five; A and C keep theirs.
    const bKeys = await batch(b, 5)
    expect(dropped().slice(2)).toEqual([...bKeys].reverse().map((k) => [k, null, `entries of ${tagOf(b)}`]))
    expect(bob.board.pendingCount()).toBe(7)
    const held = [...entries(bob).keys()].filter((k) => [a, b, c].some((m) => k.startsWith(`${tagOf(m)}.`))).sort()
    expect(held).toEqual([...aKeys.slice(0, 4), ...cKeys].sort())
  })
})

describe('what may wait for a key', () => {
  it('Eve’s entries, under a key Bob’s device does not hold (a rotation still to come), wait however many: none is dropped, here or from the shared doc', async () => {
    const { eve, eveTag } = await bobAndEve()
    const bob = await member('Bob', { pendingLimits: { perAuthor: 4, total: 7 } })
    await exchange(bob, eve)
    const later = crypto.getRandomValues(new Uint8Array(32))
    const posts = evePosts(eve, ...Array.from({ length: 10 }, (_, i) => `after the rotation ${i}`))
    const signed = await Promise.all(
      posts.map(async (p, i) => {
        const h: EntryHeader = { kind: 'update', boardId: OLD_BOARD_ID, keyId: keyId(later), author: eve.keys.signPublic, seq: i + 2, from: i + 2 }
        return { key: entryKey(h), bytes: await sealEntry(h, p, await importContentKey(later), await importDeviceSigner(eve.keys)) }
      }),
    )
    bob.board.sealed.transact(() => {
      for (const e of signed) entries(bob).set(e.key, e.bytes)
    }, 'remote')
    await settle(bob)
    expect(bob.board.circle.knows(eveTag)).toBe(true)
    expect(bob.board.pendingCount()).toBe(10)
    expect(signed.filter((e) => !entries(bob).has(e.key))).toEqual([])
    expect(bob.board.diagnostics.events.filter((e) => e.reason === 'over_limit')).toEqual([])
  })
})

describe('what may wait on a device not let in yet', () => {
  it('Carl, waiting for Ana’s approval on a board with more entries than he may hold waiting, removes none of them from the shared doc, and reads them all once let in', async () => {
    const c = await circle('Ana', 'Bob')
    const [ana, bob] = c.members as [Member, Member]
    for (let i = 0; i < 12; i++) {
      for (const m of [ana, bob]) {
        createItem(m.board.readable, notice(`${m.name} ${i}`), Date.now(), newItemId(m.board.myTag))
        await settle(m)
      }
    }
    const invitation = await deriveInvitation(generateInvitationSecret())
    await ana.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'member', ask: true })
    await exchange(ana, bob)
    // Far fewer than the board's entries may wait on his device: he can read none of them yet.
    const carl = await device('Carl', { boardId: c.boardId, contentKeys: [], request: { key: invitation.requestKey }, pendingLimits: { perAuthor: 8, total: 16 } })
    await carl.board.request('Carl', { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
    let removed = 0
    for (const m of [ana, bob]) entries(m).observe((e) => (removed += [...e.changes.keys.values()].filter((ch) => ch.action === 'delete').length))
    const held = entries(ana).size
    await exchange(ana, bob, carl)
    expect(carl.board.standing).toBe('waiting')
    // Until December 2026 he removed all but 16, and Ana and Bob put them back, round after round.
    expect(removed).toBe(0)
    expect(entries(carl).size).toBe(entries(ana).size)
    expect(entries(ana).size).toBe(held + 1) // his request
    expect(carl.board.diagnostics.events.filter((e) => e.reason === 'over_limit')).toEqual([])

    const request = ana.board.circle.openRequests().find((r) => r.name === 'Carl')!
    await ana.board.admit(request.hash)
    await exchange(ana, bob, carl)
    expect(carl.board.standing).toBe('member')
    expect(titles(carl.board.readable)).toEqual(titles(ana.board.readable))
    expect(titles(carl.board.readable)).toHaveLength(24)
  })
})

describe('proof that Eve equivocated, from another device', () => {
  it('over entries of hers Bob already handled: a proof that proves nothing, or sits under another author’s key, is malformed; the real one voids her entries from the number in dispute and removes them, and keeps everything else', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    // Bob's own posts, numbered 2 and 3 like Eve's: only her entries go.
    for (const title of ['Soup on Monday', 'Rides to the clinic']) {
      createItem(bob.board.readable, notice(title), Date.now(), newItemId(bob.board.myTag))
      await settle(bob)
    }
    const [choir, cafe, coat] = evePosts(eve, 'Choir on Thursday', 'At the cafe', 'Bring a coat') as [Uint8Array, Uint8Array, Uint8Array]
    const e2 = await eveSigns(eve, 2, 'update', choir)
    const a3 = await eveSigns(eve, 3, 'update', cafe)
    const b3 = await eveSigns(eve, 3, 'update', evePosts(eve, 'At the park')[0]!)
    const e4 = await eveSigns(eve, 4, 'update', coat)
    for (const e of [e2, a3, e4]) entries(bob).set(e.key, e.bytes)
    await settle(bob)
    expect(titles(bob.board.readable)).toEqual(['At the cafe', 'Bring a coat', 'Choir on Thursday', 'Rides to the clinic', 'Soup on Monday'])
    expect(entries(bob).has(`${bob.board.myTag}.3`)).toBe(true)
    const kept = [...entries(bob).keys()].filter((k) => ![a3.key, e4.key].includes(k))

    const proof = encodeProof(a3.bytes, b3.bytes)
    Y.applyUpdate(bob.board.sealed, fromPeer(5555, (d) => d.getMap('entries').set(`!${eveTag}`, Uint8Array.of(1, 2, 3))), 'remote')
    Y.applyUpdate(bob.board.sealed, fromPeer(5556, (d) => d.getMap('entries').set(`!${bob.board.myTag}`, proof)), 'remote')
    await settle(bob)
    expect(events(bob)).toEqual([
      ['malformed', `!${eveTag}`, null, null],
      ['malformed', `!${bob.board.myTag}`, null, null],
    ])
    expect(entries(bob).has(`!${eveTag}`)).toBe(false)
    expect(entries(bob).has(`!${bob.board.myTag}`)).toBe(false)

    Y.applyUpdate(bob.board.sealed, fromPeer(5557, (d) => d.getMap('entries').set(`!${eveTag}`, proof)), 'remote')
    await settle(bob)
    expect(events(bob).slice(2)).toEqual([
      ['equivocation', `!${eveTag}`, eveTag, 'two different entries from sequence number 3'],
      ['equivocation', a3.key, eveTag, null],
      ['equivocation', e4.key, eveTag, null],
    ])
    expect(titles(bob.board.readable)).toEqual(['Choir on Thursday', 'Rides to the clinic', 'Soup on Monday'])
    expect(entries(bob).has(a3.key)).toBe(false)
    expect(entries(bob).has(e4.key)).toBe(false)
    expect(entries(bob).has(`!${eveTag}`)).toBe(true)
    for (const k of kept) expect(entries(bob).has(k), k).toBe(true)

    // A second proof, from a later number, changes nothing: she is void from 3 on already.
    const b4 = await eveSigns(eve, 4, 'update', evePosts(eve, 'Bring a hat')[0]!)
    Y.applyUpdate(bob.board.sealed, fromPeer(5558, (d) => d.getMap('entries').set(`!${eveTag}`, encodeProof(e4.bytes, b4.bytes))), 'remote')
    await settle(bob)
    expect(events(bob)).toHaveLength(5)

    // What she signs later is void on arrival, even past a gap: removed at once, nothing left waiting.
    const e6 = await eveSigns(eve, 6, 'update', evePosts(eve, 'Meeting moved')[0]!)
    entries(bob).set(e6.key, e6.bytes)
    await settle(bob)
    expect(events(bob).slice(5)).toEqual([['equivocation', e6.key, eveTag, null]])
    expect(entries(bob).has(e6.key)).toBe(false)
    expect(bob.board.pendingCount()).toBe(0)
  })

  it('over entries of hers still waiting for a gap: her content from the number in dispute on is dropped and removed; what comes before it counts once the gap is filled', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    const [soup, choir, cafe] = evePosts(eve, 'Soup on Monday', 'Choir on Thursday', 'At the cafe') as [Uint8Array, Uint8Array, Uint8Array]
    const e2 = await eveSigns(eve, 2, 'update', soup)
    const e3 = await eveSigns(eve, 3, 'update', choir)
    const a4 = await eveSigns(eve, 4, 'update', cafe)
    const b4 = await eveSigns(eve, 4, 'update', evePosts(eve, 'At the park')[0]!)
    const e5 = await eveSigns(eve, 5, 'join', encodeJoin({ name: 'Eve B.', agreePublic: eve.keys.agreePublic, invitedBy: null, at: 1 }))
    for (const e of [e3, a4, e5]) entries(bob).set(e.key, e.bytes)
    await settle(bob)
    expect(bob.board.pendingCount()).toBe(3)
    Y.applyUpdate(bob.board.sealed, fromPeer(6666, (d) => d.getMap('entries').set(`!${eveTag}`, encodeProof(a4.bytes, b4.bytes))), 'remote')
    await settle(bob)
    expect(bob.board.pendingCount()).toBe(2)
    expect(events(bob)).toEqual([
      ['pending_gap', e3.key, eveTag, null],
      ['pending_gap', e5.key, eveTag, null],
      ['equivocation', `!${eveTag}`, eveTag, 'two different entries from sequence number 4'],
    ])
    expect(entries(bob).has(a4.key)).toBe(false)
    expect(entries(bob).has(e3.key)).toBe(true)
    expect(entries(bob).has(e5.key)).toBe(true)

    // The other version of 4, sent again: void on arrival, not left waiting.
    entries(bob).set(b4.key, b4.bytes)
    await settle(bob)
    expect(events(bob).slice(3)).toEqual([['equivocation', b4.key, eveTag, null]])
    expect(entries(bob).has(b4.key)).toBe(false)
    expect(bob.board.pendingCount()).toBe(2)

    entries(bob).set(e2.key, e2.bytes)
    await settle(bob)
    expect(titles(bob.board.readable)).toEqual(['Choir on Thursday', 'Soup on Monday'])
  })

  it('in one sync with an entry of hers that was waiting, sent again: the proof is read first, and the entry is void on arrival', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    const [cafe, coat] = evePosts(eve, 'At the cafe', 'Bring a coat') as [Uint8Array, Uint8Array]
    const a2 = await eveSigns(eve, 2, 'update', cafe)
    const b2 = await eveSigns(eve, 2, 'update', evePosts(eve, 'At the park')[0]!)
    const e3 = await eveSigns(eve, 3, 'update', coat)
    entries(bob).set(e3.key, e3.bytes)
    await settle(bob)
    expect(bob.board.pendingCount()).toBe(1)
    Y.applyUpdate(
      bob.board.sealed,
      fromPeer(9999, (d) => {
        d.getMap('entries').set(e3.key, e3.bytes)
        d.getMap('entries').set(`!${eveTag}`, encodeProof(a2.bytes, b2.bytes))
      }),
      'remote',
    )
    await settle(bob)
    expect(events(bob)).toEqual([
      ['equivocation', `!${eveTag}`, eveTag, 'two different entries from sequence number 2'],
      ['equivocation', e3.key, eveTag, null],
    ])
    expect(entries(bob).has(e3.key)).toBe(false)
    expect(bob.board.pendingCount()).toBe(0)
  })

  it('in one sync with the other version of her entry 9 and her entry 10: her numbers are read in order (9 before 10, not as text), so 10 is void on arrival', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    const [cafe, coat] = evePosts(eve, 'At the cafe', 'Bring a coat') as [Uint8Array, Uint8Array]
    const a9 = await eveSigns(eve, 9, 'update', cafe)
    const b9 = await eveSigns(eve, 9, 'update', evePosts(eve, 'At the park')[0]!)
    const e10 = await eveSigns(eve, 10, 'update', coat)
    entries(bob).set(a9.key, a9.bytes)
    await settle(bob)
    expect(bob.board.pendingCount(), 'her 9 waits for 2 to 8').toBe(1)
    Y.applyUpdate(
      bob.board.sealed,
      overPeer(bob, 9998, (d) => {
        d.getMap('entries').set(e10.key, e10.bytes)
        d.getMap('entries').set(b9.key, b9.bytes)
      }),
      'remote',
    )
    await settle(bob)
    expect(events(bob), 'her 9 no longer waits; 10 is named, not dropped silently').toEqual([
      ['equivocation', `!${eveTag}`, eveTag, 'two different entries from sequence number 9'],
      ['equivocation', e10.key, eveTag, null],
    ])
    expect(entries(bob).has(a9.key)).toBe(false)
    expect(entries(bob).has(e10.key)).toBe(false)
    expect(entries(bob).has(`!${eveTag}`)).toBe(true)
    expect(bob.board.pendingCount()).toBe(0)
  })

  it('two snapshots of Eve’s that overlap without one holding the other are the proof themselves: kept, and Eve named', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    const [soup, choir] = evePosts(eve, 'Soup on Monday', 'Choir on Thursday') as [Uint8Array, Uint8Array]
    const snapshot = async (from: number, seq: number, payload: Uint8Array) => {
      const h: EntryHeader = { kind: 'snapshot', boardId: OLD_BOARD_ID, keyId: keyId(CONTENT_KEY), author: eve.keys.signPublic, seq, from }
      return { key: entryKey(h), bytes: await sealEntry(h, payload, await importContentKey(CONTENT_KEY), await importDeviceSigner(eve.keys)) }
    }
    const first = await snapshot(2, 3, soup)
    const second = await snapshot(3, 4, choir)
    entries(bob).set(first.key, first.bytes)
    await settle(bob)
    expect(titles(bob.board.readable)).toEqual(['Soup on Monday'])
    entries(bob).set(second.key, second.bytes)
    await settle(bob)
    expect(events(bob)[0]).toEqual(['equivocation', `!${eveTag}`, eveTag, 'two different entries from sequence number 3'])
    expect(entries(bob).has(`!${eveTag}`)).toBe(true)
    expect(bob.board.members().find((m) => m.id === eveTag)?.equivocated).toBe(true)
  })
})
