import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { SealedBoard } from '../../src/app/sealed/sealed-board.ts'
import { itemsMap } from '../../src/core/index.ts'
import { generateDeviceKeys, importContentKey, importDeviceSigner, fromBase64url } from '../../src/crypto/index.ts'
import { generateSealedBoard, twinOf } from './lib/sealed-board.ts'

const titles = (doc: Y.Doc) => {
  const out = new Map<string, string>()
  itemsMap(doc).forEach((v, id) => out.set(id, String((v as Y.Map<unknown>).get('title'))))
  return out
}

describe("the bench's sealed boards", () => {
  it('open in the sealed engine as the same board, with every entry accepted', async () => {
    // Eight members wrote a 100-item board with edits and deletions; Dana's
    // new device opens the sealed copy the bench stores in her browser.
    const board = await generateSealedBoard('Seeded', { items: 100, edits: 150, deletions: 20, members: 8 }, 7)
    const plain = new Y.Doc()
    Y.applyUpdate(plain, board.update)

    for (const seed of [board.sealed, await twinOf(board, 7)]) {
      const sealed = new Y.Doc()
      Y.applyUpdate(sealed, seed.state)
      const engine = new SealedBoard(sealed, {
        boardId: fromBase64url(seed.boardId)!,
        cipher: await importContentKey(board.contentKey),
        signer: await importDeviceSigner(await generateDeviceKeys()),
        founder: board.founder,
      })
      await engine.start()
      expect(engine.diagnostics.counts.size).toBe(0)
      expect(engine.pendingCount()).toBe(0)
      expect(engine.roster.list()).toHaveLength(8)
      expect(titles(engine.readable)).toEqual(titles(plain))
      expect(titles(engine.readable).size).toBe(100)
      // Not only the same items: the same structs and tombstones as the plain board.
      expect(Y.encodeStateVector(engine.readable)).toEqual(Y.encodeStateVector(plain))
      expect(Y.equalDeleteSets(Y.createDeleteSetFromStructStore(engine.readable.store), Y.createDeleteSetFromStructStore(plain.store))).toBe(true)
      engine.destroy()
    }
  })

  it('are the same bytes for the same seed', async () => {
    const spec = { items: 30, edits: 10, deletions: 5, members: 3 }
    const [a, b] = [await generateSealedBoard('Seeded', spec, 3), await generateSealedBoard('Seeded', spec, 3)]
    expect(a.update).toEqual(b.update)
    expect(a.authorUpdates).toEqual(b.authorUpdates)
    expect(a.members.map((m) => m.signPublic)).toEqual(b.members.map((m) => m.signPublic))
  })
})
