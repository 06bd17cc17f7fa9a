import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { BOARD_RULES } from '../../src/app/board-rules.ts'
import { itemsMap } from '../../src/core/index.ts'
import { deriveInvitation, fromBase64url, generateDeviceKeys, importAgreement, importDeviceSigner, type DeviceKeyMaterial } from '../../src/crypto/index.ts'
import { SealedBoard } from '../../src/sealed/index.ts'
import { generateSealedBoard, twinOf, type SealedSeed } from './lib/sealed-board.ts'

const titles = (doc: Y.Doc) => {
  const out = new Map<string, string>()
  itemsMap(doc).forEach((v, id) => out.set(id, String((v as Y.Map<unknown>).get('title'))))
  return out
}

/** A device opening the seeded sealed doc with the app's engine. */
async function open(seed: SealedSeed, keys: DeviceKeyMaterial, held: Uint8Array | null, request?: Uint8Array): Promise<SealedBoard> {
  const sealed = new Y.Doc()
  Y.applyUpdate(sealed, seed.state)
  const engine = new SealedBoard(sealed, {
    boardId: fromBase64url(seed.boardId)!,
    signer: await importDeviceSigner(keys),
    agreement: await importAgreement(keys.agreePkcs8, keys.agreePublic),
    contentKeys: held ? [{ key: held, transport: seed.transportSecret }] : [],
    transport: seed.transportSecret,
    rules: BOARD_RULES,
    ...(request ? { request: { key: request } } : {}),
  })
  await engine.start()
  return engine
}

describe("the bench's sealed boards", () => {
  it('open on a member device as the same board: a founded circle, every entry accepted', async () => {
    // Eight members wrote a 100-item board with edits and deletions; Dana
    // (member 4) opens the sealed copy the bench stores in her browser.
    const board = await generateSealedBoard('Seeded', { items: 100, edits: 150, deletions: 20, members: 8 }, 7)
    const plain = new Y.Doc()
    Y.applyUpdate(plain, board.update)

    for (const seed of [board.sealed, await twinOf(board, 7)]) {
      const dana = await open(seed, board.members[3]!, board.contentKey)
      expect(dana.diagnostics.counts.size).toBe(0)
      expect(dana.pendingCount()).toBe(0)
      expect(dana.standing).toBe('member')
      expect(dana.circle.managed).toBe(true)
      expect(dana.members()).toHaveLength(8)
      expect(titles(dana.readable)).toEqual(titles(plain))
      expect(titles(dana.readable).size).toBe(100)
      // Not only the same items: the same structs and tombstones as the plain board.
      expect(Y.encodeStateVector(dana.readable)).toEqual(Y.encodeStateVector(plain))
      expect(Y.equalDeleteSets(Y.createDeleteSetFromStructStore(dana.readable.store), Y.createDeleteSetFromStructStore(plain.store))).toBe(true)
      dana.destroy()
    }
    expect(board.sealed.boardId).not.toBe((await twinOf(board, 7)).boardId)
  })

  it("let a newcomer in with the founder's invitation", async () => {
    // Eve asks with the invite the figures' newcomers use; the founder's device admits her and she reads the board.
    const board = await generateSealedBoard('Seeded', { items: 20, edits: 10, deletions: 2, members: 3 }, 5)
    const invitation = await deriveInvitation(board.sealed.invitationSecret)
    const eve = await open(board.sealed, await generateDeviceKeys(), null, invitation.requestKey)
    expect(eve.standing).toBe('waiting')
    await eve.request('Eve', { id: invitation.id, requestKey: invitation.requestKey, sign: (m) => invitation.signer.sign(m) })
    await eve.flush()
    const founder = await open(board.sealed, board.members[0]!, board.contentKey)
    Y.applyUpdate(founder.sealed, Y.encodeStateAsUpdate(eve.sealed, Y.encodeStateVector(founder.sealed)), 'remote')
    await founder.flush()
    const [request] = founder.circle.openRequests()
    await founder.admit(request!.hash)
    await founder.flush()
    Y.applyUpdate(eve.sealed, Y.encodeStateAsUpdate(founder.sealed, Y.encodeStateVector(eve.sealed)), 'remote')
    await eve.flush()
    expect(eve.standing).toBe('member')
    expect(titles(eve.readable).size).toBe(board.itemCount)
    founder.destroy()
    eve.destroy()
  })

  it('are the same bytes for the same seed', async () => {
    const spec = { items: 30, edits: 10, deletions: 5, members: 3 }
    const [a, b] = [await generateSealedBoard('Seeded', spec, 3), await generateSealedBoard('Seeded', spec, 3)]
    expect(a.update).toEqual(b.update)
    expect(a.authorUpdates).toEqual(b.authorUpdates)
    expect(a.members.map((m) => m.signPublic)).toEqual(b.members.map((m) => m.signPublic))
    expect(a.sealed.boardId).toBe(b.sealed.boardId)
  })
})
