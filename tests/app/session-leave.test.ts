import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem } from '../../src/core/index.ts'
import { deriveTransportKeys, generateTransportSecret } from '../../src/crypto/index.ts'
import { boardDatabaseName } from '../../src/storage/index.ts'
import { oldBoardDatabase } from './old-board-database.ts'
import { Clock, foundBoard, Phone } from './session-devices.ts'

describe('leaving a board', () => {
  it('deletes the plain-text database of a board Alice has not opened since sealed boards', async () => {
    const clock = new Clock(Date.UTC(2030, 0, 1))
    const alice = new Phone('Alice', clock)
    await alice.start()
    const secret = generateTransportSecret()
    const id = deriveTransportKeys(secret).boardId
    await alice.act(async () => {
      const doc = new Y.Doc()
      createItem(doc, { kind: 'notice', title: 'Shelter address', body: '', author: 'Alice', tags: [], pinned: false, expiresAt: null }, clock.now())
      await oldBoardDatabase(boardDatabaseName(id), doc)
      await alice.hearth.registry.put({ id, transportSecret: secret, displayName: 'Alice', name: 'Circle', addedAt: clock.now(), openedAt: clock.now() })
    })
    expect(await alice.databases()).toContain(boardDatabaseName(id))

    await alice.act(() => alice.hearth.leaveBoard(id))
    expect(await alice.databases()).toEqual(['hearth-store'])
    expect(await alice.act(() => alice.hearth.registry.get(id))).toBeNull()
    await alice.stop()
  })

  it('deletes every stored record of a board Alice has open, in the device’s one database', async () => {
    const clock = new Clock(Date.UTC(2030, 0, 1))
    const alice = new Phone('Alice', clock)
    const id = await foundBoard(alice)
    await alice.open(id)
    expect(await alice.databases()).toEqual(['hearth-store'])
    expect(await alice.records()).toBeGreaterThan(0)

    await alice.act(() => alice.hearth.leaveBoard(id))
    expect(await alice.records()).toBe(0)
    expect(await alice.act(() => alice.hearth.listBoards())).toEqual([])
    await alice.stop()
  })
})
