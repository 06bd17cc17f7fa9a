import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { Hearth, type Registry } from '../../src/app/hearth.ts'
import type { BoardId } from '../../src/app/index.ts'
import { Keyring, type BoardRecord, type StoreOptions } from '../../src/storage/index.ts'

/**
 * The keyring, with its writes of a board's record held until released, and
 * what happened in order (an update begun, done; a store opened).
 */
class HeldRegistry implements Registry {
  readonly events: string[] = []
  #held: (() => void)[] = []
  #writes: Promise<unknown>[] = []
  hold = false

  constructor(readonly keyring: Keyring) {}

  /** Lets the held writes go on, and resolves once they are done. */
  async release(): Promise<void> {
    this.hold = false
    for (const go of this.#held.splice(0)) go()
    await Promise.all(this.#writes.splice(0))
  }

  list() {
    return this.keyring.list()
  }
  get(id: BoardId) {
    return this.keyring.get(id)
  }
  put(record: BoardRecord) {
    return this.keyring.put(record)
  }
  update(id: BoardId, patch: Partial<Omit<BoardRecord, 'id' | 'secret'>>) {
    this.events.push(`update ${Object.keys(patch).sort().join(',')}`)
    const write = (async () => {
      if (this.hold) await new Promise<void>((go) => this.#held.push(go))
      const record = await this.keyring.update(id, patch)
      this.events.push('update done')
      return record
    })()
    this.#writes.push(write.catch(() => undefined))
    return write
  }
  remove(id: BoardId) {
    return this.keyring.remove(id)
  }
  device() {
    return this.keyring.device()
  }
  openStore(secret: Uint8Array, doc: Y.Doc, opts?: StoreOptions) {
    this.events.push('store opened')
    return this.keyring.openStore(secret, doc, opts)
  }
  deleteStore(secret: Uint8Array) {
    return this.keyring.deleteStore(secret)
  }
}

async function setUp(): Promise<{ hearth: Hearth; registry: HeldRegistry; id: BoardId }> {
  const registry = new HeldRegistry(await Keyring.open({ name: `hearth-open-${Math.random()}` }))
  let now = Date.parse('2030-01-01T10:00:00Z')
  const hearth = new Hearth({
    registry,
    network: async () => ({ signaling: [], iceServers: [], relayOnly: false }),
    appUrl: () => 'http://x/',
    now: () => now++,
    wrtc: fakeWrtc(),
  })
  const created = await hearth.createBoard({ name: 'Circle', description: '', displayName: 'Alice' })
  if (!created.ok) throw new Error('create failed')
  registry.events.length = 0
  return { hearth, registry, id: created.record.id }
}

describe('opening a board and the keyring', () => {
  it('opens without waiting for the write of when it was opened, which lands after', async () => {
    const { hearth, registry, id } = await setUp()
    const before = (await registry.get(id))!.openedAt
    registry.hold = true
    const session = await hearth.openBoard(id)
    // Open, with the write still held.
    expect(session.id).toBe(id)
    expect(registry.events).toEqual(['update openedAt', 'store opened'])
    await registry.release()
    const after = (await registry.get(id))!
    expect(after.openedAt).toBeGreaterThan(before)
    expect(registry.events).toEqual(['update openedAt', 'store opened', 'update done'])
    await hearth.closeAll()
  })

  it('waits until a new store secret is on disk before anything is stored under it', async () => {
    const { hearth, registry, id } = await setUp()
    // A record from before boards had their own store secret.
    const { store: _dropped, ...old } = (await registry.get(id))!
    await registry.put(old)
    registry.hold = true
    const opening = hearth.openBoard(id)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(registry.events).toEqual(['update openedAt,store'])
    await registry.release()
    const session = await opening
    expect(registry.events).toEqual(['update openedAt,store', 'update done', 'store opened'])
    // The secret the store opened with is the one on disk.
    expect(session.record.store).toEqual((await registry.get(id))!.store)
    await hearth.closeAll()
  })

  it('says so when the board is not on this device', async () => {
    const { hearth } = await setUp()
    await expect(hearth.openBoard('AAAAAAAAAAAAAAAAAAAAAA' as BoardId)).rejects.toThrow('This board is not on this device')
    await hearth.closeAll()
  })
})

/** WebRTC is never reached in this test (no signaling servers); connectBoard only needs the shape. */
function fakeWrtc() {
  class Never {}
  return { RTCPeerConnection: Never, RTCSessionDescription: Never, RTCIceCandidate: Never } as never
}
