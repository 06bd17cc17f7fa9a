import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, readItems } from '../../src/core/index.ts'
import { boundClientId, deriveTransportKeys, generateTransportSecret, type BoardId, type TransportSecret } from '../../src/crypto/index.ts'
import { boardDatabaseName, type BoardRecord } from '../../src/storage/index.ts'
import type { BoardSession } from '../../src/app/board-session.ts'
import { oldBoardDatabase } from './old-board-database.ts'
import { Clock, foundBoard, letIn, Phone, receive, sent } from './session-devices.ts'

/**
 * Legacy entries carry a whole board from before sealed boards, under any Yjs
 * client ids, so they can put items under another member's name. Whether a
 * board takes them is decided by BoardSession when it opens the board: only a
 * board whose content key is the one derived from its old secret (a migrated
 * board) does.
 */

const notice = (title: string, author: string) => ({ kind: 'notice', title, body: '', author, tags: [], pinned: false, expiresAt: null })
const titles = (session: BoardSession) => readItems(session.doc).map((i) => i.title).sort()
const reasons = (session: BoardSession) => session.sealed.diagnostics.events.map((e) => e.reason)

describe('legacy entries, as a board session decides', () => {
  it('a board made after sealed boards refuses Eve’s legacy entry that puts words in Alice’s mouth', async () => {
    const clock = new Clock(Date.UTC(2030, 0, 1))
    const alice = new Phone('Alice', clock)
    const eve = new Phone('Eve', clock)
    const board = await foundBoard(alice)
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

  it('a migrated board accepts the legacy entry of a member who migrated later, even after it was reopened', async () => {
    const clock = new Clock(Date.UTC(2030, 0, 1))
    const secret = generateTransportSecret()
    const board = deriveTransportKeys(secret).boardId
    // Before sealed boards, Alice and Bob shared the board; Bob's last notice never reached Alice.
    const shared = new Y.Doc()
    createItem(shared, notice('Food bank open Saturday', 'Alice'), clock.now())
    const bobsOld = new Y.Doc()
    Y.applyUpdate(bobsOld, Y.encodeStateAsUpdate(shared))
    createItem(bobsOld, notice('Spare room this weekend', 'Bob'), clock.now())

    const alice = await phoneFromBeforeSealedBoards('Alice', clock, { id: board, secret }, shared)
    const bob = await phoneFromBeforeSealedBoards('Bob', clock, { id: board, secret }, bobsOld)

    // Alice updates first; her board is migrated, closed and opened again as a sealed board.
    await alice.open(board)
    await alice.stop()
    await alice.start()
    expect(await alice.act(() => alice.hearth.registry.get(board))).toMatchObject({ format: 2 })
    const fromAlice = sent(await alice.open(board))
    await alice.stop()

    // Bob updates later: his migration seals his old board, with his offline notice, as a legacy entry.
    const bobs = await bob.open(board)
    await receive(bob, bobs, fromAlice)
    const fromBob = sent(bobs)
    await bob.stop()
    expect(titles(bobs)).toEqual(['Food bank open Saturday', 'Spare room this weekend'])

    await alice.start()
    const alices = await alice.open(board)
    await receive(alice, alices, fromBob)
    expect(titles(alices)).toEqual(['Food bank open Saturday', 'Spare room this weekend'])
    expect(alices.sealed.diagnostics.total).toBe(0)
    await alice.stop()
  })
})

/** A phone that had the board before sealed boards: its record (one secret, no content key) and its plain-text database. */
async function phoneFromBeforeSealedBoards(name: string, clock: Clock, board: { id: BoardId; secret: TransportSecret }, old: Y.Doc): Promise<Phone> {
  const phone = new Phone(name, clock)
  await phone.start()
  await phone.act(async () => {
    await oldBoardDatabase(boardDatabaseName(board.id), old)
    const record: BoardRecord = { id: board.id, transportSecret: board.secret, displayName: name, name: 'Circle', addedAt: clock.now(), openedAt: clock.now() }
    await phone.hearth.registry.put(record)
  })
  return phone
}
