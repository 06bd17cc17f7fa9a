/**
 * A device joining a large board can judge nothing before it has the
 * circle's entries (genesis, admissions, welcomes, rotations), so a sync
 * answer sends the sealed doc's clients that hold them first
 * (SealedBoard.circleClients, sync-pieces.ts). Those clients are asked of the
 * engine each time an answer is sent: here, what it names.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId } from '../../src/core/index.ts'
import { parseEntry } from '../../src/crypto/index.ts'
import { PROOF_PREFIX } from '../../src/sealed/entry-key.ts'
import { circle, exchange, type Member } from './fixture.ts'

const post = async (m: Member, title: string) => {
  createItem(m.board.readable, { kind: 'notice', title, body: '', author: m.name, tags: [], pinned: false, expiresAt: null }, Date.now(), newItemId(m.board.myTag))
  await m.board.flush()
}

/** Every client of the sealed doc, with the kinds of the entries it holds now. */
function kindsByClient(doc: Y.Doc): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>()
  const items = (doc.getMap('entries') as unknown as { _map: Map<string, Y.Item> })._map
  for (const [key, item] of items) {
    if (item.deleted || key.startsWith(PROOF_PREFIX)) continue
    const parsed = parseEntry(doc.getMap<Uint8Array>('entries').get(key))
    if (!parsed.ok) throw new Error(`entry ${key} does not parse`)
    const kind = parsed.entry.header.kind
    out.set(item.id.client, (out.get(item.id.client) ?? new Set()).add(kind))
  }
  return out
}

describe('the circle’s clients, sent first to a device that joins', () => {
  it('Bob’s device names the clients holding Ana’s genesis, invitation, admission and welcome, but neither the one holding only his request nor the session in which Ana only posted', async () => {
    const c = await circle('Ana', 'Bob')
    const [ana, bob] = c.members as [Member, Member]
    // Ana's device comes back in a new session (a new Yjs client of the sealed doc) and only posts.
    ana.board.sealed.clientID = 424_242
    await post(ana, 'Food bank Thursday')
    await post(ana, 'Rides to the clinic')
    await exchange(ana, bob)

    const kinds = kindsByClient(bob.board.sealed)
    expect([...kinds.get(424_242)!]).toEqual(['update'])
    // Every member's first client holds their request: counting those would name every client, the founder's no sooner.
    const requestOnly = [...kinds].filter(([, k]) => [...k].every((kind) => kind === 'request' || kind === 'update' || kind === 'snapshot')).map(([client]) => client)
    expect(requestOnly.some((client) => kinds.get(client)!.has('request'))).toBe(true)
    const circleHolders = [...kinds].filter(([, k]) => [...k].some((kind) => kind !== 'update' && kind !== 'snapshot' && kind !== 'request')).map(([client]) => client)
    expect(circleHolders.length).toBeGreaterThanOrEqual(1)
    for (const client of requestOnly) expect(circleHolders).not.toContain(client)
    for (const m of [ana, bob]) expect([...m.board.circleClients()].sort()).toEqual(circleHolders.sort())
  })
})
