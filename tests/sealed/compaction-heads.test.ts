/**
 * A snapshot names the membership heads it was written on, and every device
 * judges it with its author's rights there. A device handles an author's
 * entries in the order of their sequence numbers, so a snapshot that names
 * a membership change its author signed AFTER the entries it covers (with a
 * higher number) names something that device cannot know yet when the
 * snapshot's turn comes: it waited for ever, and so did the author's
 * membership change, and with it a newcomer's welcome. Found on 2026-12-06
 * (a founder who deleted a post, then made an invitation just before her
 * device compacted: her newcomer waited to be let in for good).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, deleteItem, newItemId, readItems } from '../../src/core/index.ts'
import { deriveInvitation, generateInvitationSecret, importContentKey, importDeviceSigner, keyId, openEntry, parseEntry, sealEntry, type EntryHeader } from '../../src/crypto/index.ts'
import { entryKey } from '../../src/sealed/index.ts'
import { decodeContent, encodeContent } from '../../src/sealed/payloads.ts'
import { circle, device, exchange, settle, type Member } from './fixture.ts'

/** Bob asks with `invitation`, and Ana lets him in. */
async function letIn(c: Awaited<ReturnType<typeof circle>>, invitation: Awaited<ReturnType<typeof deriveInvitation>>): Promise<Member> {
  const ana = c.founder
  const bob = await device('Bob', { boardId: c.boardId, contentKeys: [], request: { key: invitation.requestKey } })
  await bob.board.request('Bob', { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
  await exchange(ana, bob)
  const request = ana.board.circle.openRequests().find((r) => r.name === 'Bob')!
  await ana.board.admit(request.hash)
  await exchange(ana, bob)
  return bob
}

async function invite(ana: Member) {
  const invitation = await deriveInvitation(generateInvitationSecret())
  await ana.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 1, expiresAt: null, as: 'member', ask: false })
  return invitation
}

const notice = (title: string) => ({ kind: 'notice', title, body: 'b', author: 'Ana', tags: [], pinned: false, expiresAt: null })
const titles = (m: Member) => readItems(m.board.readable).map((i) => i.title).sort()

async function post(m: Member, title: string): Promise<string> {
  const r = createItem(m.board.readable, notice(title), Date.now(), newItemId(m.board.myTag))
  if (!r.ok) throw new Error(JSON.stringify(r))
  await settle(m)
  return r.value.id
}

describe('a compaction after its author’s own membership change', () => {
  it('Ana posts, makes an invitation, then her device compacts her posts: Bob, let in with it, reads the board', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    await post(ana, 'Soup kitchen Friday')
    deleteItem(ana.board.readable, await post(ana, 'Meet at 14 Elm Street'))
    await settle(ana)
    const heads = ana.board.circle.heads()
    const invitation = await invite(ana)
    // Her quiet compaction, after the invitation: a snapshot of her posts, under their own numbers.
    const snapshots = () => [...ana.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(`${ana.board.myTag}.`) && k.slice(ana.board.myTag.length + 1).includes('-'))
    expect(snapshots()).toEqual([])
    await ana.board.compactNow()
    expect(snapshots()).toHaveLength(1)
    // It names the heads her last post was written on, not the invitation.
    const parsed = parseEntry(ana.board.sealed.getMap('entries').get(snapshots()[0]!))
    if (!parsed.ok) throw new Error('her snapshot does not parse')
    const plain = await openEntry(parsed.entry, await importContentKey(ana.board.keys.contentKeys().at(-1)!))
    expect(decodeContent(plain!)?.heads).toEqual(heads)
    const bob = await letIn(c, invitation)
    expect(bob.board.standing).toBe('member')
    expect(titles(bob)).toEqual(['Soup kitchen Friday'])
  })

  it('a board that holds such a snapshot from before (naming the invitation made after its posts): Bob, let in, reads it', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    await post(ana, 'Soup kitchen Friday')
    await post(ana, 'Rides to the clinic')
    const prefix = `${ana.board.myTag}.`
    const seqs = [...ana.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(prefix)).map((k) => Number(k.slice(prefix.length))).sort((a, b) => a - b)
    const [from, seq] = [seqs[1]!, seqs.at(-1)!]
    const invitation = await invite(ana)
    // Her posts as one snapshot under their own numbers, naming the heads after the invitation, as compaction did.
    const key = ana.board.keys.contentKeys().at(-1)!
    const h: EntryHeader = { kind: 'snapshot', boardId: c.boardId, keyId: keyId(key), author: ana.keys.signPublic, seq, from }
    const bytes = await sealEntry(h, encodeContent(ana.board.circle.heads(), Y.encodeStateAsUpdate(ana.board.readable)), await importContentKey(key), await importDeviceSigner(ana.keys))
    ana.board.sealed.getMap('entries').set(entryKey(h), bytes)
    await settle(ana)
    ana.board.sealed.transact(() => {
      for (let s = from; s <= seq; s++) ana.board.sealed.getMap('entries').delete(`${prefix}${s}`)
    })
    await settle(ana)
    expect(titles(ana)).toEqual(['Rides to the clinic', 'Soup kitchen Friday'])
    const bob = await letIn(c, invitation)
    expect(bob.board.standing).toBe('member')
    expect(titles(bob)).toEqual(['Rides to the clinic', 'Soup kitchen Friday'])
  })
})
