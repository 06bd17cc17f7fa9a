/**
 * Devices that joined a board from before membership with an old invite
 * wrote a profile (a join entry) and were never admitted (legacy-joiners.ts).
 * Ana turned her old board into one with membership, listing Bob; Eve had
 * joined too, but Ana's device had not seen her profile then. Eve's join
 * stands for her request until the board's first key is rotated.
 */
import { describe, expect, it } from 'vitest'
import { toBase64url, type EntryKind, type ParsedEntry } from '../../src/crypto/index.ts'
import { AuthorLogs, type Done } from '../../src/sealed/author-log.ts'
import { Circle } from '../../src/sealed/circle.ts'
import { legacyJoiners, legacyRequest } from '../../src/sealed/legacy-joiners.ts'
import { ZERO_INVITE } from '../../src/sealed/membership/reduce.ts'
import { Device, FIRST_KEY, History } from './membership-fixture.ts'

/** An entry `d` wrote and this device handled (only its kind and hash matter here). */
function handled(logs: AuthorLogs, d: Device, kind: EntryKind): Done {
  const seq = logs.of(d.tag).done.size + 1
  const header = { kind, version: 2, from: seq, seq, boardId: new Uint8Array(16), keyId: FIRST_KEY, author: d.sign }
  const done: Done = { key: `${d.tag}.${seq}`, bytes: new Uint8Array(1), entry: { header } as unknown as ParsedEntry, hash: `${d.name}'s ${kind}`, via: null, outcome: 'applied' }
  logs.of(d.tag).done.set(done.key, done)
  return done
}

function story() {
  const ana = new Device('Ana')
  const bob = new Device('Bob')
  const eve = new Device('Eve')
  const gus = new Device('Gus')
  const h = new History()
  const circle = new Circle({ founder: null, isFounderGenesis: (e) => e.author === ana.tag })
  const logs = new AuthorLogs()
  // Gus's join did not read as a profile: he has none.
  handled(logs, gus, 'join')
  const bobs = handled(logs, bob, 'join')
  const evesPost = handled(logs, eve, 'update')
  // Eve's profile has a newer name and key than the ones she first wrote.
  const evesJoin = handled(logs, eve, 'join')
  handled(logs, ana, 'join')
  for (const d of [ana, bob, eve]) circle.addProfile(d.tag, d.sign, 1, { v: 1, name: `${d.name} (profile)`, agree: toBase64url(d.agree), invitedBy: null, at: 1 }, d.agree)
  return { ana, bob, eve, gus, h, circle, logs, bobs, evesPost, evesJoin }
}

describe('devices that joined with an old invite', () => {
  it('before the board has membership there are none: everyone with a profile is a member', () => {
    const { circle, logs } = story()
    expect(legacyJoiners(logs, circle, 42)).toEqual([])
  })

  it('once Ana converts the board listing Bob, Eve is one: her join stands for a request to be let in, seen now', () => {
    const { ana, bob, eve, h, circle, logs, evesJoin } = story()
    circle.addControl(h.write(ana, { t: 'genesis', nonce: new Uint8Array(16), name: ana.name, agree: ana.agree, key: FIRST_KEY, members: [{ sign: bob.sign, agree: bob.agree, name: bob.name }], membersMayInvite: true }, []))
    const eves = { hash: evesJoin.hash, tag: eve.tag, sign: eve.sign, agree: eve.agree, name: 'Eve (profile)', invite: ZERO_INVITE, seenAt: 42 }
    expect(legacyJoiners(logs, circle, 42)).toEqual([eves])
    expect(legacyRequest(logs, circle, evesJoin.hash, 42)).toEqual(eves)
  })

  it('only a join stands for a request, and only from a device with a profile', () => {
    const { ana, h, circle, logs, evesPost } = story()
    circle.addControl(h.genesis(ana))
    expect(legacyRequest(logs, circle, evesPost.hash, 42), 'Eve’s post is not her join').toBeNull()
    expect(legacyRequest(logs, circle, "Gus's join", 42), 'Gus has no profile').toBeNull()
    expect(legacyRequest(logs, circle, 'no such entry', 42)).toBeNull()
  })

  it('once the first key is rotated, nobody joins with an old invite any more', () => {
    const { ana, bob, h, circle, logs } = story()
    h.genesis(ana)
    h.invite(ana, bob)
    for (const e of h.entries) circle.addControl(e)
    expect(legacyJoiners(logs, circle, 42).map((r) => r.name)).toEqual(['Eve (profile)'])
    circle.addControl(h.write(ana, { t: 'rekey', rekey: { key: new Uint8Array(8).fill(2), parent: FIRST_KEY, to: [ana.tag, bob.tag] } }))
    expect(circle.membership().current?.hash).not.toBe(circle.membership().genesis?.hash)
    expect(legacyJoiners(logs, circle, 42)).toEqual([])
  })
})
