import * as Y from 'yjs'
import { SealedBoard } from '../../src/app/sealed/sealed-board.ts'
import { generateDeviceKeys, importContentKey, importDeviceSigner, type DeviceKeyMaterial } from '../../src/crypto/index.ts'

export const BOARD_ID = Uint8Array.from({ length: 16 }, (_, i) => i + 1)
export const CONTENT_KEY = Uint8Array.from({ length: 32 }, (_, i) => 100 + i)

export interface Member {
  readonly name: string
  readonly keys: DeviceKeyMaterial
  readonly board: SealedBoard
}

/** A member device with its own sealed doc (not yet connected to anyone). */
export async function member(
  name: string,
  opts: { keys?: DeviceKeyMaterial; sealed?: Y.Doc; compactAfter?: number; contentKey?: Uint8Array; boardId?: Uint8Array; allowLegacy?: boolean } = {},
): Promise<Member> {
  const keys = opts.keys ?? (await generateDeviceKeys())
  const board = new SealedBoard(opts.sealed ?? new Y.Doc(), {
    boardId: opts.boardId ?? BOARD_ID,
    cipher: await importContentKey(opts.contentKey ?? CONTENT_KEY),
    signer: await importDeviceSigner(keys),
    compactAfter: opts.compactAfter ?? 1_000_000,
    allowLegacy: opts.allowLegacy ?? false,
  })
  await board.start()
  await board.join(name, null)
  return { name, keys, board }
}

/** Two-way full sync of sealed docs, like y-webrtc's sync step 1/2, then waits for the engines. */
export async function exchange(...members: Member[]): Promise<void> {
  for (let round = 0; round < 3; round++) {
    for (const a of members) {
      for (const b of members) {
        if (a === b) continue
        const update = Y.encodeStateAsUpdate(a.board.sealed, Y.encodeStateVector(b.board.sealed))
        Y.applyUpdate(b.board.sealed, update, 'remote')
      }
    }
    await Promise.all(members.map((m) => m.board.flush()))
  }
  expectNoFailure(...members)
}

/** An engine task that threw is a bug, whatever the test is about. */
export function expectNoFailure(...members: Member[]): void {
  for (const m of members) if (m.board.failure) throw new Error(`${m.name}'s engine failed: ${m.board.failure.stack ?? m.board.failure.message}`)
}

/** Lets any queued engine work run. */
export async function settle(...members: Member[]): Promise<void> {
  for (let i = 0; i < 3; i++) await Promise.all(members.map((m) => m.board.flush()))
  expectNoFailure(...members)
}
