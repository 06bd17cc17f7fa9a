/**
 * The legacy gate compares the whole key: a board made after sealed boards
 * whose content key happens to match the key derived from its old secret in
 * all but one byte is still a new board, and refuses Eve's legacy entry.
 * (A random key shares some byte at the same place with that key about one
 * time in eight, so the story in session-legacy.test.ts alone cannot tell
 * "every byte" from "some byte".)
 */
import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { createItem, readItems } from '../../src/core/index.ts'
import { boundClientId, generateTransportSecret, legacyContentKey, type TransportSecret } from '../../src/crypto/index.ts'
import type { BoardSession } from '../../src/app/board-session.ts'
import { Clock, letIn, Phone, receive, sent } from './session-devices.ts'

const chosen = vi.hoisted(() => ({ secret: null as Uint8Array | null, contentKey: null as Uint8Array | null }))
vi.mock('../../src/crypto/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/crypto/index.ts')>()
  return {
    ...real,
    generateTransportSecret: () => (chosen.secret ? (new Uint8Array(chosen.secret) as TransportSecret) : real.generateTransportSecret()),
    generateContentKey: () => (chosen.contentKey ? new Uint8Array(chosen.contentKey) : real.generateContentKey()),
  }
})

const notice = (title: string, author: string) => ({ kind: 'notice', title, body: '', author, tags: [], pinned: false, expiresAt: null })
const titles = (session: BoardSession) => readItems(session.doc).map((i) => i.title).sort()
const reasons = (session: BoardSession) => session.sealed.diagnostics.events.map((e) => e.reason)

describe('the legacy gate', () => {
  it('a new board whose key is the old-secret key but for one byte refuses Eve’s legacy entry', async () => {
    const clock = new Clock(Date.UTC(2030, 0, 1))
    const alice = new Phone('Alice', clock)
    const eve = new Phone('Eve', clock)
    await alice.start()
    // Alice's board key is the key an old board would derive from its secret, with one byte changed.
    const secret = generateTransportSecret()
    const near = legacyContentKey(secret)
    near[0]! ^= 1
    chosen.secret = secret
    chosen.contentKey = near
    const created = await alice.act(() => alice.hearth.createBoard({ name: 'Circle', description: '', displayName: 'Alice' }))
    chosen.secret = null
    chosen.contentKey = null
    if (!created.ok) throw new Error('create failed')
    expect(created.record.contentKey).toEqual(near)
    const board = created.record.id
    const aliceKey = (await alice.open(board)).signPublic
    await alice.stop()

    // Eve is a member: Alice lets her in, then she runs a modified app.
    await eve.start()
    await letIn(alice, eve, board, 'Eve')
    await eve.start()
    const eves = await eve.open(board)
    // Her notice continues Alice's own Yjs history (client id and clocks), as if Alice wrote it.
    const forged = new Y.Doc()
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(eves.doc))
    const before = Y.encodeStateVector(forged)
    forged.clientID = boundClientId(aliceKey)
    createItem(forged, notice('Meeting cancelled, stay home', 'Alice'), clock.now())
    // What her app sends: everything so far, and the entry as sealed (her own engine would refuse and collect it; hers does not).
    const honest = sent(eves)
    const written: Uint8Array[] = []
    const capture = (update: Uint8Array) => void written.push(update)
    eves.sealed.sealed.on('update', capture)
    await eve.act(() => eves.sealed.importLegacy(Y.encodeStateAsUpdate(forged, before)))
    eves.sealed.sealed.off('update', capture)
    // Her engine wrote the entry, then took it out again (a deletion): she sends only the first.
    expect(written.map((u) => Y.decodeUpdate(u).structs.length > 0)).toEqual([true, false])
    const fromEve = Y.mergeUpdates([honest, written[0]!])
    await eve.stop()

    await alice.start()
    const alices = await alice.open(board)
    await receive(alice, alices, fromEve)
    expect(titles(alices)).toEqual([])
    expect(reasons(alices)).toContain('foreign_changes')
    // Eve's own join went through: only her legacy entry was refused.
    expect(alices.sealed.members().find((m) => m.devices.some((d) => d.tag === eves.sealed.myTag))?.name).toBe('Eve')
    await alice.stop()
  })
})
