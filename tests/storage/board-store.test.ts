import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { deriveTransportKeys, generateTransportSecret, type BoardId } from '../../src/crypto/index.ts'
import { boardDatabaseName, deleteBoardData, openBoardStore, sealedDatabaseName, type BoardStore } from '../../src/storage/index.ts'
import { crashableProfile } from './crash.ts'

const newBoardId = (): BoardId => deriveTransportKeys(generateTransportSecret()).boardId

/** The board as a device finds it after a restart: the store opened afresh on the same profile. */
async function reopen(id: BoardId, kind: 'sealed' | 'legacy' = 'sealed'): Promise<{ doc: Y.Doc; store: BoardStore }> {
  const doc = new Y.Doc()
  const store = openBoardStore(id, doc, kind)
  await store.loaded
  return { doc, store }
}

const notices = (doc: Y.Doc) => [...doc.getMap('items').values()].sort()

describe('board store durability', () => {
  it('what flush reported saved survives a crash the moment after', async () => {
    const phone = crashableProfile()
    const id = newBoardId()
    const { doc, store } = await reopen(id)
    // Alice posts three notices in quick succession: y-indexeddb writes each in its own transaction.
    const items = doc.getMap('items')
    items.set('a', 'Food bank open Saturday')
    items.set('b', 'Lawyer on call Tuesday')
    items.set('c', 'Meeting moved to the library')
    await store.flush()
    // "Saved" is on screen; the battery dies now.
    phone.crash()

    const after = await reopen(id)
    expect(notices(after.doc)).toEqual(['Food bank open Saturday', 'Lawyer on call Tuesday', 'Meeting moved to the library'])
    await after.store.destroy()
  })

  it('a crash before flush loses the write: the crash is real', async () => {
    const phone = crashableProfile()
    const id = newBoardId()
    const { doc, store } = await reopen(id)
    doc.getMap('items').set('a', 'Posted before anything was saved')
    await store.flush()
    doc.getMap('items').set('b', 'Typed, never saved')
    expect(phone.crash()).toBeGreaterThan(0)

    const after = await reopen(id)
    expect(notices(after.doc)).toEqual(['Posted before anything was saved'])
    await after.store.destroy()
  })

  it('keeps a board across an orderly restart', async () => {
    crashableProfile()
    const id = newBoardId()
    const { doc, store } = await reopen(id)
    doc.getMap('items').set('x', 'a notice')
    await store.flush()
    await store.destroy()

    const again = await reopen(id)
    expect(again.doc.getMap('items').get('x')).toBe('a notice')
    await again.store.destroy()
  })
})

describe('deleting a board’s data', () => {
  it('deletes the sealed database and the plain one from before sealed boards, for real', async () => {
    const { factory } = crashableProfile()
    const id = newBoardId()
    // A board from before sealed boards that was migrated on this device keeps both until the delete.
    const legacy = await reopen(id, 'legacy')
    legacy.doc.getMap('items').set('old', 'plain-text notice')
    await legacy.store.flush()
    await legacy.store.destroy()
    const sealed = await reopen(id)
    sealed.doc.getMap('entries').set('k', 'sealed entry')
    await sealed.store.flush()
    await sealed.store.destroy()
    const names = async () => (await factory.databases()).map((d) => d.name)
    expect(await names()).toEqual(expect.arrayContaining([boardDatabaseName(id), sealedDatabaseName(id)]))

    await deleteBoardData(id)
    expect(await names()).not.toContain(boardDatabaseName(id))
    expect(await names()).not.toContain(sealedDatabaseName(id))
    const fresh = await reopen(id)
    expect(fresh.doc.getMap('entries').size).toBe(0)
    await fresh.store.destroy()
    await deleteBoardData(id)
  })
})
