/**
 * Hearth's engine without its UI, driven from Node through `globalThis.engine`:
 * the app's own `BoardSession` (sealed doc, IndexedDB store, y-webrtc with
 * chunked channels, signing, encryption, verification) on a board seeded into
 * this origin, and nothing above it. A write is `session.createItem` on one
 * peer; it is seen when the item appears in the other peer's readable doc.
 * That is the same span the plain y-webrtc baseline (pages/net.ts) measures,
 * so the two compare engine to engine; the app's UI comes on top.
 *
 * The sealed doc is stored with y-indexeddb in `hearth-sealed-<id>` (as the
 * seeding wrote it), not in the app's encrypted one database: the engine
 * pages measure the engine and the network; the app's storage is in the open
 * and storage rows. Like the app's store (storage/board-store.ts), it writes
 * each change in a task of its own, not inside the transaction that made it:
 * y-indexeddb's own way, IndexedDB calls in the doc's update event (0.1–4 ms
 * each, traced here), held up y-webrtc's send on A and the engine's checks
 * on B, which the app's store never does.
 *
 * Times are epoch milliseconds (`performance.timeOrigin + performance.now()`),
 * comparable across the two browser processes on one machine.
 */
import type * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'
import { BoardSession } from '../../../src/app/board-session.ts'
import { generateDeviceKeys } from '../../../src/crypto/index.ts'
import { yieldToEventLoop } from '../../../src/sealed/index.ts'
import { sealedDatabaseName, type BoardRecord, type BoardStore } from '../../../src/storage/index.ts'
import '../lib/page-globals.ts'

const now = (): number => performance.timeOrigin + performance.now()
const out = document.getElementById('out')!

/** A board record as the driver sends it (lib/browser.ts `appRecord`: byte fields as arrays of numbers). */
export type EngineRecord = Record<string, unknown>

/** The record with its byte fields as bytes again (it holds no other arrays of numbers). */
function bytesOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.every((x) => typeof x === 'number') ? Uint8Array.from(v as number[]) : v.map(bytesOf)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bytesOf(x)]))
  return v
}

let session: BoardSession | null = null

function items(): Y.Map<unknown> {
  if (!session) throw new Error('engine: no open board')
  return session.doc.getMap('items')
}

/** Resolves with the time `test` first holds after a change of the readable board's items. */
function when(test: (changed: Set<string>) => boolean): Promise<number> {
  const map = items()
  return new Promise((resolve) => {
    const observer = (e: Y.YMapEvent<unknown>) => {
      if (!test(e.keysChanged)) return
      const at = now()
      map.unobserve(observer)
      globalThis.__benchRecvAtReach = globalThis.__benchLastRecv
      globalThis.__benchSealedAtReach = globalThis.__benchSealedAt
      resolve(at)
    }
    map.observe(observer)
  })
}

const engine = {
  /** Opens the board (as the app would after the person chose it); resolves when its readable doc is built. */
  async open(r: EngineRecord, signaling: string): Promise<{ ms: number; items: number }> {
    const t = now()
    const record = bytesOf(r) as BoardRecord
    const openStore = async (doc: Y.Doc): Promise<BoardStore> => {
      const persistence = new IndexeddbPersistence(sealedDatabaseName(record.id), doc)
      // Its update listener (it keeps its own origin check) runs in a task of its own, as the app's store does.
      const store = (persistence as unknown as { _storeUpdate: (update: Uint8Array, origin: unknown) => void })._storeUpdate
      doc.off('update', store)
      let closed = false
      const deferred = (update: Uint8Array, origin: unknown) => void yieldToEventLoop().then(() => closed || store(update, origin))
      doc.on('update', deferred)
      // The board as y-indexeddb holds it, without the verdicts the app keeps beside it: every open judges every update.
      const verdicts = { load: () => Promise.resolve(null), save: () => Promise.resolve() }
      return { loaded: persistence.whenSynced.then(() => undefined), flush: () => Promise.resolve(), destroy: () => ((closed = true), doc.off('update', deferred), persistence.destroy()), verdicts, failing: false, onFailing: () => () => undefined, forget: () => Promise.resolve() }
    }
    session = await BoardSession.open(record, { network: { signaling: [signaling], iceServers: [], relayOnly: false }, device: await generateDeviceKeys(), openStore })
    // When an entry is written to the sealed doc (A) or arrives in it (B): splits a write's sender and receiver.
    session.sealed.sealed.on('afterTransaction', () => (globalThis.__benchSealedAt = now()))
    return { ms: now() - t, items: items().size }
  },
  /** Resolves with the time the readable board first holds `n` items. */
  itemsAtLeast(n: number): Promise<number> {
    if (items().size >= n) return Promise.resolve(now())
    return when(() => items().size >= n)
  },
  /** Arms a wait for an item titled `title`; resolves with the time it appeared in the readable doc. */
  expect(title: string): Promise<number> {
    return when((changed) => {
      for (const id of changed) {
        const item = items().get(id) as Y.Map<unknown> | undefined
        if (item?.get('title') === title) return true
      }
      return false
    })
  },
  /** Posts a notice through the session; returns when the write started (it resolves once sealed and on disk). */
  async write(title: string): Promise<number> {
    const t = now()
    const result = await session!.createItem({ kind: 'notice', title, body: `Write-latency probe ${title}: bring water, meet at the back door.`, author: 'Alice', pinned: false, tags: [], expiresAt: null })
    if (!result.ok) throw new Error(`engine: createItem failed: ${JSON.stringify(result.errors)}`)
    out.textContent = title
    return t
  },
  async close(): Promise<void> {
    await session?.close()
    session = null
  },
}

Object.assign(globalThis, { engine })
export type EngineBench = typeof engine
