/**
 * A welcome is signed by a key of anyone's making, and opens with the
 * newcomer's request, which anyone holding the same invitation link (and any
 * member) can read. Found by an audit on 2026-12-07: Mallory, who holds the
 * link Ana shared with a group and was never let in, answered Carol's
 * request first with a content key and a room of her own; Carol's device
 * took them, wrote with that key, and would have moved to that room, where
 * Ana's real welcome never reached it. Now a welcome is taken only if its
 * room is the one it was sealed in and its first key opens the board's
 * genesis (welcome-check.ts).
 */
import { describe, expect, it } from 'vitest'
import {
  deriveInvitation,
  deviceTag,
  fromBase64url,
  generateDeviceKeys,
  generateInvitationSecret,
  importContentKey,
  importDeviceSigner,
  keyId,
  parseEntry,
  openEntry,
  boundClientId,
  publicEntryKey,
  sealEntry,
  sealLockboxes,
  toBase64url,
  type TransportSecret,
} from '../../src/crypto/index.ts'
import { entryKey } from '../../src/sealed/entry-key.ts'
import { decodeRequest, encodeContent, encodeGift, encodeWelcome, entryHash, lockboxContext } from '../../src/sealed/payloads.ts'
import { readItems } from '../../src/core/index.ts'
import { circle, device, exchange, noticeUpdate, settle, TRANSPORT, type Member } from './fixture.ts'


const titles = (m: Member) => readItems(m.board.readable).map((i) => i.title).sort()

/** Ana's circle, an "ask first" link shared with a group, Carol's request through it, and what Mallory reads of it with the same link. */
async function carolAsks() {
  const c = await circle('Ana', 'Bob')
  const [ana, bob] = c.members as [Member, Member]
  const secret = generateInvitationSecret()
  const invitation = await deriveInvitation(secret)
  await ana.board.invite({ id: invitation.id, publicKey: invitation.signer.publicKey, requestKey: invitation.requestKey, uses: 5, expiresAt: null, as: 'member', ask: true })
  const carol = await device('Carol', { boardId: c.boardId, contentKeys: [], request: { key: invitation.requestKey } })
  await carol.board.request('Carol', { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
  await exchange(ana, bob, carol)
  // Mallory: the link (its secret, the room's transport secret, the board id), nothing else; she sees the room's shared doc.
  const requestCipher = await importContentKey((await deriveInvitation(secret)).requestKey)
  let request: { hash: string; agree: Uint8Array } | null = null
  for (const [, bytes] of carol.board.sealed.getMap('entries').entries()) {
    const parsed = parseEntry(bytes)
    if (!parsed.ok || parsed.entry.header.kind !== 'request') continue
    const plain = await openEntry(parsed.entry, requestCipher)
    const r = plain ? decodeRequest(plain) : null
    if (r) request = { hash: entryHash(bytes as Uint8Array), agree: r.agree }
  }
  if (!request) throw new Error('Mallory could not read Carol’s request')
  return { c, ana, bob, carol, request }
}

/** Mallory's welcome to Carol, sealed in the room of `sealedIn`, giving `contentKeys` and `transport`; written into Carol's shared doc. */
async function mallorysWelcome(c: { boardId: Uint8Array }, carol: Member, request: { hash: string; agree: Uint8Array }, gift: { contentKeys: Uint8Array[]; transport: Uint8Array }, sealedIn: Uint8Array = TRANSPORT) {
  const mallory = await generateDeviceKeys()
  const boxes = await sealLockboxes([{ agreePublic: request.agree, payload: encodeGift(gift) }], lockboxContext('welcome', c.boardId, fromBase64url(request.hash)!))
  const publicKey = publicEntryKey(sealedIn as TransportSecret)
  const header = { kind: 'welcome' as const, boardId: c.boardId, keyId: keyId(publicKey), author: mallory.signPublic, seq: 1, from: 1 }
  carol.board.sealed.getMap('entries').set(entryKey(header), await sealEntry(header, encodeWelcome(request.hash, boxes), await importContentKey(publicKey), await importDeviceSigner(mallory)))
  await settle(carol)
  return mallory
}

describe('a welcome from someone who did not let the newcomer in', () => {
  it('Mallory, holding the same link, answers Carol’s request first with a key and a room of her own: Carol’s device takes neither, reads nothing of hers, and is let in by Ana’s approval as if Mallory had never written', async () => {
    const { c, ana, bob, carol, request } = await carolAsks()
    const content = crypto.getRandomValues(new Uint8Array(32))
    const room = crypto.getRandomValues(new Uint8Array(32))
    // Her own room: refused, and said. Her own key in the room Carol asked in: it opens nothing of the board, so
    // it is never taken (Carol's device cannot tell it from a welcome whose board has not arrived yet: it waits).
    await mallorysWelcome(c, carol, request, { contentKeys: [content], transport: room })
    expect(carol.board.diagnostics.events.filter((e) => e.reason === 'bad_payload').map((e) => e.detail)).toEqual([
      'a welcome whose keys are not the board’s, or whose room is not the one this device asked in',
    ])
    const mallory = await mallorysWelcome(c, carol, request, { contentKeys: [content], transport: TRANSPORT })
    expect(carol.board.keys.hasContentKey(toBase64url(keyId(content)))).toBe(false)
    expect(carol.board.epoch).toBeNull()
    // What she writes under her key stays unread: a "board" of her making, with a post in Ana's name.
    const cipher = await importContentKey(content)
    const signer = await importDeviceSigner(mallory)
    const postHeader = { kind: 'update' as const, boardId: c.boardId, keyId: keyId(content), author: mallory.signPublic, seq: 2, from: 2 }
    const update = noticeUpdate(boundClientId(mallory.signPublic), 'Meeting moved: come to 12 Elm St', deviceTag(mallory.signPublic))
    carol.board.sealed.getMap('entries').set(entryKey(postHeader), await sealEntry(postHeader, encodeContent([], update), cipher, signer))
    await settle(carol)
    expect(titles(carol)).toEqual([])
    expect(carol.board.standing).toBe('waiting')

    // Ana lets her in: Carol holds the board's keys, the first of them the board's own, and reads the board.
    const asked = ana.board.circle.openRequests().find((r) => r.name === 'Carol')!
    await ana.board.admit(asked.hash)
    await exchange(ana, bob, carol)
    expect(carol.board.standing).toBe('member')
    expect(carol.board.epoch?.key).toBe(ana.board.epoch?.key)
    expect(carol.board.keys.first).toBe(ana.board.keys.first)
    expect(carol.board.epoch?.transport).toEqual(ana.board.epoch?.transport)
    expect(carol.board.keys.hasContentKey(toBase64url(keyId(content)))).toBe(false)
  })

  it('Bob, a member, answers Carol’s request with the board’s own keys but a room of his own: refused too', async () => {
    const { c, bob, carol, request } = await carolAsks()
    await mallorysWelcome(c, carol, request, { contentKeys: bob.board.keys.contentKeys(), transport: crypto.getRandomValues(new Uint8Array(32)) })
    expect(carol.board.epoch).toBeNull()
    expect(carol.board.diagnostics.events.some((e) => e.reason === 'bad_payload')).toBe(true)
  })
})
