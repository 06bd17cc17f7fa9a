import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem } from '../../src/core/index.ts'
import { deriveTransportKeys, generateTransportSecret } from '../../src/crypto/index.ts'
import { boardDatabaseName, openBoardStore, sealedDatabaseName } from '../../src/storage/index.ts'
import { Clock, Phone } from './session-devices.ts'

describe('leaving a board', () => {
  it('deletes the plain-text database of a board Alice has not opened since sealed boards', async () => {
    const clock = new Clock(Date.UTC(2030, 0, 1))
    const alice = new Phone('Alice', clock)
    await alice.start()
    const secret = generateTransportSecret()
    const id = deriveTransportKeys(secret).boardId
    await alice.act(async () => {
      const doc = new Y.Doc()
      const store = openBoardStore(id, doc, 'legacy')
      await store.loaded
      createItem(doc, { kind: 'notice', title: 'Shelter address', body: '', author: 'Alice', tags: [], pinned: false, expiresAt: null }, clock.now())
      await store.flush()
      await store.destroy()
      await alice.hearth.registry.put({ id, transportSecret: secret, displayName: 'Alice', name: 'Circle', addedAt: clock.now(), openedAt: clock.now() })
    })
    expect(await alice.databases()).toContain(boardDatabaseName(id))

    await alice.act(() => alice.hearth.leaveBoard(id))
    expect(await alice.databases()).not.toContain(boardDatabaseName(id))
    expect(await alice.databases()).not.toContain(sealedDatabaseName(id))
    expect(await alice.act(() => alice.hearth.registry.get(id))).toBeNull()
    await alice.stop()
  })

  it('deletes the sealed database of a board Alice has open', async () => {
    const clock = new Clock(Date.UTC(2030, 0, 1))
    const alice = new Phone('Alice', clock)
    await alice.start()
    const created = await alice.act(() => alice.hearth.createBoard({ name: 'Circle', description: '', displayName: 'Alice' }))
    if (!created.ok) throw new Error('create failed')
    const id = created.record.id
    await alice.open(id)
    expect(await alice.databases()).toContain(sealedDatabaseName(id))

    await alice.act(() => alice.hearth.leaveBoard(id))
    expect(await alice.databases()).not.toContain(sealedDatabaseName(id))
    expect(await alice.act(() => alice.hearth.listBoards())).toEqual([])
    await alice.stop()
  })
})
