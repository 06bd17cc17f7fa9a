import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { encodeHeader, importContentKey, importDeviceSigner, keyId, sealEntry, WorkerCrypto } from '../../src/crypto/index.ts'
import { entryKey } from '../../src/sealed/index.ts'
import { channelWorker, closeChannels, type FakeWorker } from '../support/channel-worker.ts'
import { CONTENT_KEY, circle, settle, type Member } from './fixture.ts'

/** A device whose engine checks signatures and decrypts in a worker (worker-crypto.ts) reaches the verdicts any device reaches. */

afterEach(closeChannels)

const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()
const expected = Array.from({ length: 60 }, (_, i) => `Notice ${String(i).padStart(2, '0')}`)

/** Alice, Bob (his checks in `worker`) and Eve. Alice posts 60 notices; Eve forges 3 entries in Alice's name; Bob receives it all in one sync. */
async function busyBoard(worker: FakeWorker) {
  const c = await circle('Alice')
  const bob = await c.admit('Bob', c.founder, { crypto: new WorkerCrypto(() => worker) })
  const eve = await c.admit('Eve')
  const alice = c.founder
  for (const title of expected) {
    createItem(alice.board.readable, { kind: 'notice', title, body: '', author: 'Alice', tags: [], pinned: false, expiresAt: null }, Date.now(), newItemId(alice.board.myTag))
    await alice.board.flush()
  }
  const batch = new Y.Doc()
  Y.applyUpdate(batch, Y.encodeStateAsUpdate(alice.board.sealed))
  const eveSigner = await importDeviceSigner(eve.keys)
  for (const seq of [400, 401, 402]) {
    const header = { kind: 'update' as const, boardId: c.boardId, keyId: keyId(CONTENT_KEY), author: alice.keys.signPublic, seq, from: seq }
    const forged = new Uint8Array(await sealEntry({ ...header, author: eve.keys.signPublic }, new Uint8Array([0]), await importContentKey(CONTENT_KEY), eveSigner))
    forged.set(encodeHeader(header), 0)
    batch.getMap('entries').set(entryKey(header), forged)
  }
  return { alice, bob, sync: () => Y.applyUpdate(bob.board.sealed, Y.encodeStateAsUpdate(batch, Y.encodeStateVector(bob.board.sealed)), 'remote') }
}

const refused = (m: Member) => m.board.diagnostics.events.filter((e) => e.reason === 'bad_signature').length

describe('a device whose checks run in a worker', () => {
  it('Bob’s worker checks and opens Alice’s 60 notices, and Eve’s 3 forgeries are refused as on any device', async () => {
    const { worker, seen } = channelWorker()
    const { bob, sync } = await busyBoard(worker)
    const count = (op: string) => seen.filter((s) => s.op === op).length
    const before = { open: count('open'), verify: count('verify'), decrypt: count('decrypt') }
    sync()
    await settle(bob)
    expect(titles(bob.board.readable)).toEqual(expected)
    expect(refused(bob)).toBe(3)
    expect(bob.board.pendingCount()).toBe(0)
    // Every new entry went to the worker once, forgeries included: its signature check and its decryption in one request.
    expect(count('open') - before.open).toBeGreaterThanOrEqual(63)
    expect(count('verify') - before.verify).toBe(0)
    expect(count('decrypt') - before.decrypt).toBe(0)
  })

  it('Bob’s worker dies in the middle of the sync: the page finishes, no post is lost and no genuine entry is called forged', async () => {
    const { worker } = channelWorker()
    const { bob, sync } = await busyBoard(worker)
    let posts = 0
    const post = worker.postMessage.bind(worker)
    worker.postMessage = (m, t) => {
      // 20 requests into the sync, the worker crashes with whatever it was asked.
      if (++posts === 20) queueMicrotask(() => worker.onerror?.(new Event('error')))
      if (posts < 20) post(m, t)
    }
    sync()
    await settle(bob)
    expect(posts).toBeGreaterThanOrEqual(20)
    expect(worker.terminated).toBe(true)
    expect(titles(bob.board.readable)).toEqual(expected)
    expect(refused(bob)).toBe(3)
    expect(bob.board.pendingCount()).toBe(0)
  })
})
