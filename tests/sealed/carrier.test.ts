/**
 * A relay's engine (carrier mode): it holds the board without reading it,
 * takes the keys sealed to it, and never judges or drops what members wrote.
 */
import { describe, expect, it } from 'vitest'
import { createItem } from '../../src/core/index.ts'
import * as Y from 'yjs'
import { deriveInvitation, deviceTag, generateDeviceKeys, generateInvitationSecret, importContentKey, importDeviceSigner, keyId, parseEntry, publicEntryKey, sealEntry, toBase64url, type EntryKind, type ParsedEntry, type TransportSecret } from '../../src/crypto/index.ts'
import type { AuthorLogs as Logs, Verified } from '../../src/sealed/author-log.ts'
import { AuthorLogs } from '../../src/sealed/author-log.ts'
import { Carrier } from '../../src/sealed/carrier.ts'
import { entryKey } from '../../src/sealed/entry-key.ts'
import type { KeyGift, KeySource } from '../../src/sealed/index.ts'
import { BoardKeys } from '../../src/sealed/keys.ts'
import { entryHash } from '../../src/sealed/payloads.ts'
import { SharedEntries } from '../../src/sealed/shared-entries.ts'
import type { SideEntries } from '../../src/sealed/side-entries.ts'
import { circle, device, exchange, settle, TRANSPORT, type Circle, type Member } from './fixture.ts'

const post = async (m: Member, title: string) => {
  const r = createItem(m.board.readable, { kind: 'notice', title, body: '', author: m.name, tags: [], pinned: false, expiresAt: null }, Date.now())
  if (!r.ok) throw new Error('post failed')
  await m.board.flush()
}
const roomKey = (transport: Uint8Array) => toBase64url(keyId(publicEntryKey(transport as TransportSecret)))

/** Alice (a moderator) invites a relay; the relay asks; Alice's device admits it. */
async function relayIn(c: Circle, opts: { pendingLimits?: { perAuthor: number; total: number } } = {}) {
  const alice = c.founder
  const invitation = await deriveInvitation(generateInvitationSecret())
  await alice.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'relay', ask: false })
  const relay = await device('Relay', { boardId: c.boardId, contentKeys: [], transport: TRANSPORT, request: { key: invitation.requestKey }, carrier: true, ...opts })
  const gifts: [KeyGift, KeySource | null][] = []
  relay.board.onKeys((gift, source) => gifts.push([gift, source]))
  await relay.board.request('Relay', { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
  await exchange(alice, relay)
  const request = alice.board.circle.openRequests().find((r) => r.name === 'Relay')!
  await alice.board.admit(request.hash)
  await exchange(alice, relay, ...c.members.slice(1))
  return { relay, gifts }
}

describe('a relay carries a board it cannot read', () => {
  it('is let in with the transport secret only, listed as a relay, and told where its keys came from', async () => {
    const c = await circle('Alice', 'Bob')
    const { relay, gifts } = await relayIn(c)
    expect(gifts).toHaveLength(1)
    const [gift, source] = gifts[0]!
    expect(gift.contentKeys).toEqual([])
    expect([...gift.transport]).toEqual([...TRANSPORT])
    expect(source).toEqual({ kind: 'welcome', sealedUnder: roomKey(TRANSPORT), from: null })
    expect(relay.board.keys.contentKeys()).toEqual([])
    expect(c.founder.board.members().find((m) => m.role === 'relay')?.devices[0]?.tag).toBe(relay.board.myTag)
  })

  it('keeps every member entry, however many wait for keys it will never hold', async () => {
    const c = await circle('Alice', 'Bob')
    // Limits that would make a member's engine drop waiting entries: a carrier waits for nothing.
    const { relay } = await relayIn(c, { pendingLimits: { perAuthor: 2, total: 3 } })
    for (let i = 0; i < 8; i++) await post(c.members[i % 2]!, `post ${i}`)
    await exchange(...c.members, relay)
    const keysAt = (m: Member) => [...m.board.sealed.getMap('entries').keys()].sort()
    expect(keysAt(relay)).toEqual(keysAt(c.founder))
    expect(relay.board.pendingCount()).toBe(0)
    expect([...relay.board.diagnostics.counts.keys()]).toEqual([])
    // Byte for byte what the members hold: nothing altered or dropped on the way.
    const bytesAt = (m: Member) => keysAt(m).map((k) => Buffer.from(m.board.sealed.getMap('entries').get(k) as Uint8Array).toString('base64'))
    expect(bytesAt(relay)).toEqual(bytesAt(c.founder))
  })

  it('follows a rotation sealed to its key, and can point stragglers on: the rotation and its membership change', async () => {
    const c = await circle('Alice', 'Bob', 'Mallory')
    const { relay, gifts } = await relayIn(c)
    const [alice, , mallory] = c.members as [Member, Member, Member]
    const from = alice.board.epoch!.key
    await alice.board.remove([mallory.board.myTag])
    await exchange(alice, relay)
    await settle(relay)
    expect(gifts).toHaveLength(2)
    const [gift, source] = gifts[1]!
    expect(gift.contentKeys).toEqual([])
    expect(toBase64url(gift.transport)).toBe(toBase64url(alice.board.epoch!.transport!))
    expect(source).toEqual({ kind: 'rotate', sealedUnder: roomKey(TRANSPORT), from })
    const handoff = relay.board.handoff(from)
    expect(handoff.map(([k]) => k).sort()).toEqual(alice.board.handoff(from).map(([k]) => k).sort())
    expect(handoff).toHaveLength(2)
  })

  it('a removed relay is sent nothing: the rotation that removes it opens for no key of its own', async () => {
    const c = await circle('Alice', 'Bob')
    const { relay, gifts } = await relayIn(c)
    const alice = c.founder
    await alice.board.remove([relay.board.myTag])
    await exchange(alice, relay)
    await settle(relay)
    expect(gifts).toHaveLength(1)
    expect(alice.board.members().find((m) => m.role === 'relay')?.removed).toBe(true)
  })

  it('reads a rotation sealed in a room whose key came later (it was offline through two rotations)', async () => {
    const c = await circle('Alice', 'Bob', 'Mallory', 'Eve')
    const alice = c.founder
    const { relay, gifts } = await relayIn(c)
    const [, , mallory, eve] = c.members as [Member, Member, Member, Member]
    await alice.board.remove([mallory.board.myTag])
    const second = alice.board.epoch!.transport!
    await alice.board.remove([eve.board.myTag])
    // Everything arrives at once; the second rotation is sealed in the room the first one leads to.
    await exchange(alice, relay)
    await settle(relay)
    expect(gifts.map(([g, s]) => [s?.sealedUnder, toBase64url(g.transport)])).toEqual([
      [roomKey(TRANSPORT), toBase64url(TRANSPORT)],
      [roomKey(TRANSPORT), toBase64url(second)],
      [roomKey(second), toBase64url(alice.board.epoch!.transport!)],
    ])
  })
})

/**
 * The carrier on its own (carrier.ts): Alice's entries handed to it one by
 * one, with what it then looks at (a stand-in for side-entries.ts, which
 * settles welcomes and rotations) and what it keeps as handled.
 */
describe('what a relay reads of the entries it carries', () => {
  const ROOM = new Uint8Array(32).fill(5) as TransportSecret
  const BOARD = new Uint8Array(16).fill(3)

  async function relayHolding() {
    const keys = new BoardKeys()
    const entries = new SharedEntries(new Y.Doc())
    const logs: Logs = new AuthorLogs()
    const looked: Verified[] = []
    const settled = new Set<string>()
    const side = { isSettled: (hash: string) => settled.has(hash), wait: (v: Verified) => looked.push(v) } as unknown as SideEntries
    const carrier = new Carrier({ keys, entries, logs, side })
    const alice = await importDeviceSigner(await generateDeviceKeys())
    let seq = 0
    /** Alice's entry, sealed under `id` with the key `cipherKey` (a room's public-entry key unless said), written to the shared map. */
    const write = async (kind: EntryKind, id = keyId(publicEntryKey(ROOM)), cipherKey = publicEntryKey(ROOM)) => {
      const header = { kind, boardId: BOARD, keyId: id, author: alice.publicKey, seq: ++seq, from: seq }
      const bytes = await sealEntry(header, Uint8Array.of(kind.length), await importContentKey(cipherKey), alice)
      const key = entryKey(header)
      entries.set(key, bytes)
      const parsed = parseEntry(bytes)
      if (!parsed.ok) throw new Error('does not parse')
      return { key, bytes, entry: parsed.entry as ParsedEntry }
    }
    const carry = (e: { key: string; bytes: Uint8Array; entry: ParsedEntry }) => carrier.carry(e.key, e.bytes, e.entry)
    const handled = () => [...(logs.get(deviceTag(alice.publicKey))?.done.values() ?? [])].map((d) => [d.key, d.outcome, d.plain])
    return { keys, entries, carrier, looked, settled, write, carry, handled }
  }

  it('looks at a welcome, and at a rotation, which it keeps as handled; other entries it only keeps, even one it holds the key of', async () => {
    const relay = await relayHolding()
    await relay.keys.addPublicKey(ROOM)
    const requestKey = new Uint8Array(32).fill(8)
    await relay.keys.addRequestKey(requestKey)
    await relay.carry(await relay.write('request', keyId(requestKey), requestKey))
    const welcome = await relay.write('welcome')
    await relay.carry(welcome)
    const rotation = await relay.write('rotate')
    await relay.carry(rotation)
    expect(relay.looked.map((v) => [v.key, v.hash, v.plain])).toEqual([
      [welcome.key, entryHash(welcome.bytes), Uint8Array.of(7)],
      [rotation.key, entryHash(rotation.bytes), Uint8Array.of(6)],
    ])
    expect(relay.handled()).toEqual([[rotation.key, 'other', Uint8Array.of(6)]])
  })

  it('does not open again what was settled, nor keep what does not open', async () => {
    const relay = await relayHolding()
    await relay.keys.addPublicKey(ROOM)
    const settled = await relay.write('rotate')
    relay.settled.add(entryHash(settled.bytes))
    await relay.carry(settled)
    // Signed by Alice, named for the room, sealed with another key.
    await relay.carry(await relay.write('rotate', undefined, new Uint8Array(32).fill(9)))
    expect(relay.looked).toEqual([])
    expect(relay.handled()).toEqual([])
  })

  it('reads what was sealed in a room once its key comes, once; what left the shared map meanwhile is forgotten', async () => {
    const relay = await relayHolding()
    const rotation = await relay.write('rotate')
    const gone = await relay.write('welcome')
    await relay.carry(rotation)
    await relay.carry(gone)
    expect(relay.looked).toEqual([])
    relay.entries.delete([gone.key])
    await relay.keys.addPublicKey(ROOM)
    await relay.carrier.readUnread()
    await relay.carrier.readUnread()
    expect(relay.looked.map((v) => v.key)).toEqual([rotation.key])
  })
})

describe('a relay restarted from what it stored', () => {
  it('before it was let in: it knows its own request (asking again writes nothing), and takes the welcome Alice sends for it', async () => {
    const c = await circle('Alice', 'Bob')
    const alice = c.founder
    const invitation = await deriveInvitation(generateInvitationSecret())
    await alice.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'relay', ask: false })
    const opts = { boardId: c.boardId, contentKeys: [], transport: TRANSPORT, request: { key: invitation.requestKey }, carrier: true }
    const ask = (m: Member) => m.board.request('Relay', { id: invitation.id, requestKey: invitation.requestKey, sign: (x) => invitation.signer.sign(x) })
    const before = await device('Relay', opts)
    await ask(before)
    const stored = new Y.Doc()
    Y.applyUpdate(stored, Y.encodeStateAsUpdate(before.board.sealed))
    const own = (m: Member) => [...m.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(`${m.board.myTag}.`))
    expect(own(before)).toEqual([`${before.board.myTag}.1`])

    const relay = await device('Relay', { ...opts, keys: before.keys, sealed: stored })
    const gifts: KeyGift[] = []
    relay.board.onKeys((gift) => gifts.push(gift))
    await ask(relay)
    expect(own(relay), 'asked already: nothing new is written').toEqual([`${relay.board.myTag}.1`])
    expect(relay.board.sealed.getMap('entries').get(`${relay.board.myTag}.1`)).toEqual(before.board.sealed.getMap('entries').get(`${before.board.myTag}.1`))

    await exchange(alice, relay)
    const request = alice.board.circle.openRequests().find((r) => r.name === 'Relay')!
    await alice.board.admit(request.hash)
    await exchange(alice, relay)
    expect(gifts.map((g) => [g.contentKeys.length, toBase64url(g.transport)]), 'its welcome: the transport secret only').toEqual([[0, toBase64url(TRANSPORT)]])
    expect(alice.board.members().find((m) => m.role === 'relay')?.devices.map((d) => d.tag)).toEqual([relay.board.myTag])
    expect(alice.board.diagnostics.total, 'no second version of its request: nothing refused').toBe(0)
  })
})
