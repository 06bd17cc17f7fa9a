/**
 * Entries that are void in their author's turn (entry-handler.ts): signed,
 * so they prove who wrote them, but they can never count — sealed so that
 * no key opens them, or written past their author's cutoff. Every device
 * reaches the same verdict, so each is removed from the shared doc, and the
 * author's later entries are not held up behind it.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { boundClientId, deviceTag, importContentKey, importDeviceSigner, keyId, sealEntry, type EntryHeader } from '../../src/crypto/index.ts'
import { entryKey } from '../../src/sealed/index.ts'
import { encodeContent } from '../../src/sealed/payloads.ts'
import { CONTENT_KEY, OLD_BOARD_ID, circle, exchange, member, settle, type Member } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const entries = (m: Member) => m.board.sealed.getMap('entries')
const events = (m: Member) => m.board.diagnostics.events.map((e) => [e.reason, e.key, e.author])

/** Eve's notices, one Yjs update each, under her own bound client id. */
function eveNotices(eve: Member, ...names: string[]): Uint8Array[] {
  const doc = new Y.Doc()
  doc.clientID = boundClientId(eve.keys.signPublic)
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  for (const name of names) createItem(doc, notice(name), Date.now(), newItemId(deviceTag(eve.keys.signPublic)))
  return updates
}

/** Eve signs an entry naming the board's key, its payload sealed with `sealedWith`, straight into Bob's shared doc. */
async function eveWrites(eve: Member, bob: Member, seq: number, update: Uint8Array, sealedWith = CONTENT_KEY): Promise<string> {
  const h: EntryHeader = { kind: 'update', boardId: OLD_BOARD_ID, keyId: keyId(CONTENT_KEY), author: eve.keys.signPublic, seq, from: seq }
  const bytes = await sealEntry(h, encodeContent([], update), await importContentKey(sealedWith), await importDeviceSigner(eve.keys))
  const key = entryKey(h)
  entries(bob).set(key, bytes)
  await settle(bob)
  return key
}

describe('void entries', () => {
  it('Eve signs an entry that the board’s key does not open: void, named, removed — and her next post still counts', async () => {
    const bob = await member('Bob')
    const eve = await member('Eve')
    await exchange(bob, eve)
    const eveTag = deviceTag(eve.keys.signPublic)
    const key = await eveWrites(eve, bob, 2, eveNotices(eve, 'sealed with another key')[0]!, new Uint8Array(32).fill(9))
    expect(events(bob)).toEqual([['decrypt_failed', key, eveTag]])
    expect(entries(bob).has(key)).toBe(false)
    expect(bob.board.pendingCount()).toBe(0)
    // Her next post starts at the same Yjs clock: nothing of the void one was applied.
    await eveWrites(eve, bob, 3, eveNotices(eve, 'Soup kitchen on Monday')[0]!)
    expect(titles(bob.board.readable)).toEqual(['Soup kitchen on Monday'])
    expect(bob.board.diagnostics.total).toBe(1)
  })

  it('Ana removes Eve; what Eve signs after her cutoff is void on Ana’s device, named, removed from the shared doc', async () => {
    const c = await circle('Ana', 'Eve')
    const [ana, eve] = c.members as [Member, Member]
    createItem(eve.board.readable, notice('Before'), Date.now(), newItemId(eve.board.myTag))
    await exchange(ana, eve)
    await ana.board.remove([eve.board.myTag])
    createItem(eve.board.readable, notice('After her removal'), Date.now(), newItemId(eve.board.myTag))
    await settle(eve)
    const late = [...entries(eve).keys()].filter((k) => k.startsWith(`${eve.board.myTag}.`)).sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1]))[0]!
    Y.applyUpdate(ana.board.sealed, Y.encodeStateAsUpdate(eve.board.sealed), 'remote')
    await settle(ana)
    expect(titles(ana.board.readable)).toEqual(['Before'])
    expect(events(ana)).toContainEqual(['removed_author', late, eve.board.myTag])
    expect(events(ana).filter(([reason]) => reason !== 'removed_author')).toEqual([])
    expect(entries(ana).has(late)).toBe(false)
    expect(ana.board.pendingCount()).toBe(0)
  })
})
