import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { boundClientId, deviceTag, importContentKey, importDeviceSigner, keyId, sealEntry, type EntryHeader } from '../../src/crypto/index.ts'
import { entryKey } from '../../src/sealed/index.ts'
import { encodeContent } from '../../src/sealed/payloads.ts'
import { placeholderUpdate } from '../../src/sealed/placeholder.ts'
import { handUpdate, id, item, map, value } from './hand-update.ts'
import { CONTENT_KEY, OLD_BOARD_ID, exchange, member, noticeUpdate, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()

/** Eve writes a correctly signed entry of her own straight into Bob's shared doc. */
async function eveWrites(eve: Member, bob: Member, header: Partial<EntryHeader>, payload: Uint8Array, contentKey = CONTENT_KEY): Promise<string> {
  const h: EntryHeader = { kind: 'update', boardId: OLD_BOARD_ID, keyId: keyId(contentKey), author: eve.keys.signPublic, seq: 2, from: 2, ...header }
  const bytes = await sealEntry(h, payload, await importContentKey(contentKey), await importDeviceSigner(eve.keys))
  const key = entryKey(h)
  bob.board.sealed.getMap('entries').set(key, bytes)
  await settle(bob)
  return key
}

const entries = (m: Member) => m.board.sealed.getMap('entries')
const reasons = (m: Member) => m.board.diagnostics.events.map((e) => e.reason)
const content = (update: Uint8Array) => encodeContent([], update)

describe('every rejection path of a signed entry', () => {
  async function bobAndEve() {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    return { bob, eve, eveTag: deviceTag(eve.keys.signPublic) }
  }

  it('another board', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    await eveWrites(eve, bob, { boardId: new Uint8Array(16).fill(7) }, content(noticeUpdate(boundClientId(eve.keys.signPublic), 'x', eveTag)))
    expect(reasons(bob)).toEqual(['wrong_board'])
    expect(titles(bob.board.readable)).toEqual([])
  })

  it('a key this device does not hold: kept, signed, waiting — not applied', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    const key = await eveWrites(eve, bob, {}, content(noticeUpdate(boundClientId(eve.keys.signPublic), 'x', eveTag)), new Uint8Array(32).fill(9))
    expect(reasons(bob)).toEqual(['pending_key'])
    expect(entries(bob).has(key)).toBe(true)
    expect(titles(bob.board.readable)).toEqual([])
  })

  it('content created under another member’s client id', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    await eveWrites(eve, bob, {}, content(noticeUpdate(boundClientId(bob.keys.signPublic), 'posing as Bob', eveTag)))
    expect(reasons(bob)).toEqual(['foreign_changes'])
    expect(titles(bob.board.readable)).toEqual([])
  })

  it('one update that mixes Eve’s own structs with structs under Bob’s client id', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    const own = noticeUpdate(boundClientId(eve.keys.signPublic), 'Eve’s own notice', eveTag)
    const posing = noticeUpdate(boundClientId(bob.keys.signPublic), 'Bob says: meeting cancelled', deviceTag(bob.keys.signPublic))
    await eveWrites(eve, bob, {}, content(Y.mergeUpdates([own, posing])))
    expect(reasons(bob)).toEqual(['foreign_changes'])
    expect(bob.board.diagnostics.events[0]!.author).toBe(eveTag)
    expect(titles(bob.board.readable)).toEqual([])
  })

  it('an item created under a key that names someone else', async () => {
    const { bob, eve } = await bobAndEve()
    await eveWrites(eve, bob, {}, content(noticeUpdate(boundClientId(eve.keys.signPublic), 'Bob’s, says the key', deviceTag(bob.keys.signPublic))))
    expect(reasons(bob)).toEqual(['forbidden_edit'])
    expect(titles(bob.board.readable)).toEqual([])
  })

  it('a payload that is not a Yjs update', async () => {
    const { bob, eve } = await bobAndEve()
    await eveWrites(eve, bob, {}, content(new Uint8Array([255, 255, 255, 255])))
    expect(reasons(bob)).toEqual(['bad_payload'])
  })

  it('an update Yjs cannot integrate (a struct next to a later one of Eve’s own): refused, the board goes on and takes her next post', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    const client = boundClientId(eve.keys.signPublic)
    const broken = handUpdate([{ client, clock: 0, structs: [item(client, 0, { parent: 'items', key: newItemId(eveTag) }, map()), item(client, 1, { origin: id(client, 2) }, value('a')), item(client, 2, { origin: id(client, 1) }, value('b'))] }])
    await eveWrites(eve, bob, { seq: 2, from: 2 }, content(broken))
    expect(reasons(bob)).toEqual(['bad_payload'])
    expect(bob.board.failure).toBeNull()
    // Her next post starts after the clocks the refused one used up.
    const doc = new Y.Doc()
    Y.applyUpdate(doc, placeholderUpdate(client, 0, 3))
    doc.clientID = client // after: Yjs picks a new client id when an update brings structs of its own
    const before = Y.encodeStateVector(doc)
    createItem(doc, notice('after'), Date.now(), newItemId(eveTag))
    await eveWrites(eve, bob, { seq: 3, from: 3 }, content(Y.encodeStateAsUpdate(doc, before)))
    expect(titles(bob.board.readable)).toEqual(['after'])
  })

  it('a sequence gap waits, then applies in order once the gap fills', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    const doc = new Y.Doc()
    doc.clientID = boundClientId(eve.keys.signPublic)
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    createItem(doc, notice('second'), Date.now(), newItemId(eveTag))
    createItem(doc, notice('third'), Date.now(), newItemId(eveTag))
    await eveWrites(eve, bob, { seq: 3, from: 3 }, content(updates[1]!))
    expect(titles(bob.board.readable)).toEqual([])
    expect(reasons(bob)).toEqual(['pending_gap'])
    await eveWrites(eve, bob, { seq: 2, from: 2 }, content(updates[0]!))
    expect(titles(bob.board.readable)).toEqual(['second', 'third'])
    expect(bob.board.pendingCount()).toBe(0)
  })

  it('an entry its author compacted away, put back in by Eve, is a replay and is removed again', async () => {
    const bob = await member('Bob', { compactAfter: 3 })
    const eve = await member('Eve')
    await exchange(bob, eve)
    const bobTag = deviceTag(bob.keys.signPublic)
    const seen = new Map<string, unknown>()
    entries(eve).observe((ev) => {
      for (const k of ev.keysChanged) if (entries(eve).has(k)) seen.set(k, entries(eve).get(k))
    })
    for (let i = 0; i < 4; i++) {
      createItem(bob.board.readable, notice(`n${i}`), Date.now(), newItemId(bobTag))
      await settle(bob)
      await exchange(bob, eve)
    }
    const compacted = [...seen.keys()].filter((k) => k.startsWith(`${bobTag}.`) && !/\.\d+-\d+$/.test(k) && !entries(bob).has(k))
    expect(compacted.length).toBeGreaterThan(0)
    const old = compacted[0]!
    entries(bob).set(old, seen.get(old))
    await settle(bob)
    expect(reasons(bob)).toEqual(['replay'])
    expect(entries(bob).has(old)).toBe(false)
    expect(titles(bob.board.readable)).toEqual(['n0', 'n1', 'n2', 'n3'])
  })

  it('two versions of one entry are proof that Eve equivocated: both are void, the proof is kept, Eve is named', async () => {
    const { bob, eve, eveTag } = await bobAndEve()
    const client = boundClientId(eve.keys.signPublic)
    await eveWrites(eve, bob, { seq: 2, from: 2 }, content(noticeUpdate(client, 'once', eveTag)))
    expect(titles(bob.board.readable)).toEqual(['once'])
    await eveWrites(eve, bob, { seq: 2, from: 2 }, content(noticeUpdate(client, 'twice', eveTag)))
    expect(reasons(bob)).toContain('equivocation')
    expect(bob.board.diagnostics.suspects()).toEqual(new Set([eveTag]))
    expect(titles(bob.board.readable)).toEqual([])
    expect(entries(bob).has(`!${eveTag}`)).toBe(true)
    expect(entries(bob).has(`${eveTag}.2`)).toBe(false)
    expect(bob.board.members().find((m) => m.id === eveTag)?.equivocated).toBe(true)
  })
})

describe('legacy entries (boards from before sealed boards)', () => {
  it('are refused on a sealed board, where they could forge another member’s items', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    await eveWrites(eve, bob, { kind: 'legacy' }, noticeUpdate(boundClientId(bob.keys.signPublic), 'Bob says: meeting cancelled', deviceTag(bob.keys.signPublic)))
    expect(reasons(bob)).toEqual(['foreign_changes'])
    expect(titles(bob.board.readable)).toEqual([])
  })

  it('on a migrated board, cannot touch what members wrote since: Eve’s forged “old board” that rewrites, deletes or posts as Alice is refused', async () => {
    const alice = await member('Alice', { allowLegacy: true })
    const eve = await member('Eve', { allowLegacy: true })
    await exchange(alice, eve)
    const post = newItemId(alice.board.myTag)
    createItem(alice.board.readable, notice('Safe house: the blue door'), Date.now(), post)
    await alice.board.flush()
    await exchange(alice, eve)
    /** What Eve's device would seal as its old board, made on a copy of the board as she has it, under `client`. */
    const forge = (client: number, change: (doc: Y.Doc) => void) => {
      const doc = new Y.Doc()
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(eve.board.readable))
      doc.clientID = client
      const before = Y.encodeStateVector(doc)
      change(doc)
      return Y.encodeStateAsUpdate(doc, before)
    }
    const items = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('items')
    const moved = (doc: Y.Doc) => items(doc).get(post)!.set('title', 'Safe house moved: the police station')
    const forged = {
      'rewrites her post under an old-style client id': forge(12345, moved),
      'rewrites her post under Alice’s own client id': forge(boundClientId(alice.keys.signPublic), moved),
      'deletes her post': forge(12345, (doc) => items(doc).delete(post)),
      'posts under a key that names Alice': forge(12345, (doc) => createItem(doc, notice('Alice says: meeting cancelled'), Date.now(), newItemId(alice.board.myTag))),
    }
    let seq = 2
    for (const update of Object.values(forged)) await eveWrites(eve, alice, { kind: 'legacy', seq, from: seq++ }, update)
    expect(reasons(alice)).toEqual(['forbidden_edit', 'foreign_changes', 'forbidden_delete', 'forbidden_edit'])
    expect(alice.board.diagnostics.events.every((e) => e.author === deviceTag(eve.keys.signPublic))).toBe(true)
    expect(titles(alice.board.readable)).toEqual(['Safe house: the blue door'])
  })

  it('Bob and Carol, receiving Eve’s broken, forged and honest entries in opposite orders, reach the same board and name the same wrongs', async () => {
    const alice = await member('Alice', { allowLegacy: true })
    const bob = await member('Bob', { allowLegacy: true })
    const carol = await member('Carol', { allowLegacy: true })
    const eve = await member('Eve', { allowLegacy: true })
    await exchange(alice, bob, carol, eve)
    const post = newItemId(alice.board.myTag)
    createItem(alice.board.readable, notice('Safe house: the blue door'), Date.now(), post)
    await settle(alice)
    await exchange(alice, bob, carol, eve)
    const client = boundClientId(eve.keys.signPublic)
    // seq 2: a struct built on a later one of her own (Yjs cannot integrate it); seq 3: an "old board" rewriting
    // Alice's post; seq 4: her own honest post, after the clocks the refused one used up.
    const broken = handUpdate([{ client, clock: 0, structs: [item(client, 0, { parent: 'items', key: newItemId(eve.board.myTag) }, map()), item(client, 1, { origin: id(client, 2) }, value('a')), item(client, 2, { origin: id(client, 1) }, value('b'))] }])
    const old = new Y.Doc()
    Y.applyUpdate(old, Y.encodeStateAsUpdate(eve.board.readable))
    old.clientID = 12345
    const before = Y.encodeStateVector(old)
    old.getMap<Y.Map<unknown>>('items').get(post)!.set('title', 'Safe house moved: the police station')
    const forged = Y.encodeStateAsUpdate(old, before)
    const honest = new Y.Doc()
    Y.applyUpdate(honest, placeholderUpdate(client, 0, 3))
    honest.clientID = client
    const sv = Y.encodeStateVector(honest)
    createItem(honest, notice('Eve’s soup night'), Date.now(), newItemId(eve.board.myTag))
    const writes: [Partial<EntryHeader>, Uint8Array][] = [
      [{ seq: 2, from: 2 }, content(broken)],
      [{ kind: 'legacy', seq: 3, from: 3 }, forged],
      [{ seq: 4, from: 4 }, content(Y.encodeStateAsUpdate(honest, sv))],
    ]
    for (const [header, payload] of writes) await eveWrites(eve, bob, header, payload)
    for (const [header, payload] of [...writes].reverse()) await eveWrites(eve, carol, header, payload)
    for (const m of [bob, carol]) {
      expect(m.board.failure).toBeNull()
      expect(titles(m.board.readable)).toEqual(['Eve’s soup night', 'Safe house: the blue door'])
      expect(m.board.diagnostics.events.filter((e) => e.author !== null).map((e) => [e.reason, e.author])).toEqual([
        ['bad_payload', eve.board.myTag],
        ['forbidden_edit', eve.board.myTag],
      ])
    }
    expect(Y.encodeStateAsUpdate(carol.board.readable)).toEqual(Y.encodeStateAsUpdate(bob.board.readable))
  })

  it('are accepted on a migrated board, and every member’s migration gives the same items', async () => {
    const legacy = new Y.Doc()
    createItem(legacy, notice('From the old board'), Date.now())
    const state = Y.encodeStateAsUpdate(legacy)
    const alice = await member('Alice', { allowLegacy: true })
    const bob = await member('Bob', { allowLegacy: true })
    await alice.board.importLegacy(state)
    await bob.board.importLegacy(state)
    await exchange(alice, bob)
    expect(titles(alice.board.readable)).toEqual(['From the old board'])
    expect(titles(bob.board.readable)).toEqual(['From the old board'])
    expect(alice.board.diagnostics.total + bob.board.diagnostics.total).toBe(0)
  })
})

describe('compaction', () => {
  it('two members compacting at the same time, while exchanging, converge and lose nothing', async () => {
    const alice = await member('Alice', { compactAfter: 20 })
    const bob = await member('Bob', { compactAfter: 20 })
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 30; i++) {
        createItem(alice.board.readable, notice(`a${round}-${i}`), Date.now(), newItemId(alice.board.myTag))
        createItem(bob.board.readable, notice(`b${round}-${i}`), Date.now(), newItemId(bob.board.myTag))
      }
      await exchange(alice, bob)
    }
    await settle(alice, bob)
    await exchange(alice, bob)
    expect(readItems(alice.board.readable)).toHaveLength(300)
    expect(titles(bob.board.readable)).toEqual(titles(alice.board.readable))
    expect(alice.board.diagnostics.total).toBe(0)
    expect(bob.board.diagnostics.total).toBe(0)
    expect(entries(alice).size).toBeLessThan(60)
  })
})

describe('a bug in the engine', () => {
  it('is kept as the board’s failure and reported, never swallowed', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    const failures: string[] = []
    bob.board.onFailure((e) => failures.push(e.message))
    // Stand-in for a bug: applying to the readable doc throws.
    ;(bob.board.readable as unknown as { transact: () => never }).transact = () => {
      throw new TypeError('applying failed')
    }
    createItem(eve.board.readable, notice('x'), Date.now(), newItemId(eve.board.myTag))
    await eve.board.flush()
    Y.applyUpdate(bob.board.sealed, Y.encodeStateAsUpdate(eve.board.sealed), 'remote')
    await bob.board.flush().catch(() => undefined)
    expect(bob.board.failure?.message).toBe('applying failed')
    expect(failures).toEqual(['applying failed'])
  })
})

describe('bounded junk', () => {
  it('anything written outside the entries map — other root types, list items — is removed at once', async () => {
    const bob = await member('Bob')
    bob.board.sealed.transact(() => {
      bob.board.sealed.getMap('shadow').set('x', new Uint8Array(1000))
      bob.board.sealed.getArray('list').push(['junk'])
      bob.board.sealed.getText('text').insert(0, 'junk')
    }, 'remote')
    await settle(bob)
    expect(bob.board.sealed.getMap('shadow').size).toBe(0)
    expect(bob.board.sealed.getArray('list').length).toBe(0)
    expect(bob.board.sealed.getText('text').length).toBe(0)
    expect(reasons(bob)).toContain('junk')
  })

  it('entries waiting for an author nobody let in are capped per author and in all, and dropped from the shared doc', async () => {
    const bob = await member('Bob', { pendingLimits: { perAuthor: 5, total: 8 } })
    const strangers = await Promise.all([member('Stranger 1'), member('Stranger 2')])
    for (const s of strangers) {
      for (let seq = 2; seq < 12; seq++) await eveWrites(s, bob, { seq, from: seq }, content(noticeUpdate(boundClientId(s.keys.signPublic), `spam ${seq}`, deviceTag(s.keys.signPublic))))
    }
    expect(bob.board.pendingCount()).toBeLessThanOrEqual(8)
    expect(reasons(bob)).toContain('over_limit')
    const left = [...entries(bob).keys()].filter((k) => strangers.some((s) => k.startsWith(deviceTag(s.keys.signPublic))))
    expect(left.length).toBeLessThanOrEqual(8)
    expect(titles(bob.board.readable)).toEqual([])
  })
})
