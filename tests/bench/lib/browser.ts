/**
 * Chromium helpers for the bench: peers from the e2e harness (own process and
 * profile each, service workers blocked so every load comes from the server),
 * in-page timing marks, CDP heap and CPU profiles, and seeding a board into a
 * profile's IndexedDB exactly the way Hearth stores it.
 */
import type { CDPSession, Page } from 'playwright-core'
import { launchPeer, type Peer } from '../../e2e/support/browser.ts'
import { boardDatabaseName } from '../../../src/storage/board-store.ts'
import type { GeneratedBoard } from './board.ts'

export { closeAllPeers, type Peer } from '../../e2e/support/browser.ts'

/**
 * Installed before any page script (the page's CSP does not apply to it).
 * Records `performance.now()` when watched selectors first appear, and the
 * epoch time at which each RTCPeerConnection first reached "connected".
 */
const BENCH_INIT = `(() => {
  // tsx (esbuild keepNames) wraps named functions inside page.evaluate callbacks in __name().
  globalThis.__name = globalThis.__name || ((f) => f);
  if (globalThis.__benchMarks) return;
  const marks = {};
  globalThis.__benchMarks = marks;
  const watch = { list: '.board-list li', items: 'article[data-testid=item]', baseline: '#bench-done' };
  const check = () => {
    for (const key in watch) if (!(key in marks) && document.querySelector(watch[key])) marks[key] = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  // Data-channel timestamps (epoch ms) for latency breakdowns: last send, last message received.
  const now = () => performance.timeOrigin + performance.now();
  const dc = globalThis.RTCDataChannel && globalThis.RTCDataChannel.prototype;
  if (dc) {
    const send = dc.send;
    dc.send = function (...args) { globalThis.__benchLastSend = now(); return send.apply(this, args); };
    const wrapped = new WeakMap();
    const wrap = (f) => {
      if (typeof f !== 'function') return f;
      if (!wrapped.has(f)) wrapped.set(f, function (e) { globalThis.__benchLastRecv = now(); return f.call(this, e); });
      return wrapped.get(f);
    };
    const add = dc.addEventListener;
    const remove = dc.removeEventListener;
    dc.addEventListener = function (type, l, o) { return add.call(this, type, type === 'message' ? wrap(l) : l, o); };
    dc.removeEventListener = function (type, l, o) { return remove.call(this, type, type === 'message' && wrapped.has(l) ? wrapped.get(l) : l, o); };
    const desc = Object.getOwnPropertyDescriptor(dc, 'onmessage');
    if (desc && desc.set) Object.defineProperty(dc, 'onmessage', { configurable: true, enumerable: true, get() { return desc.get.call(this); }, set(f) { desc.set.call(this, wrap(f)); } });
  }
  const proto = globalThis.RTCPeerConnection && globalThis.RTCPeerConnection.prototype;
  if (!proto) return;
  globalThis.__benchRtcConnectedAt = [];
  const original = proto.setLocalDescription;
  proto.setLocalDescription = function (...args) {
    if (!this.__benchWatched) {
      this.__benchWatched = true;
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') globalThis.__benchRtcConnectedAt.push(performance.timeOrigin + performance.now());
      });
    }
    return original.apply(this, args);
  };
})()`

export async function launchBenchPeer(name: string): Promise<Peer> {
  const peer = await launchPeer(name, { offlineCapable: false })
  await peer.context.addInitScript(BENCH_INIT)
  return peer
}

/** Epoch ms in the page's clock (shared by every process on this machine). */
export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.timeOrigin + performance.now())
}

/** Waits for an in-page mark (ms since navigation start). */
export async function waitForMark(page: Page, key: 'list' | 'items' | 'baseline', timeoutMs = 120_000): Promise<number> {
  const handle = await page.waitForFunction(
    (k) => (globalThis as unknown as { __benchMarks?: Record<string, number> }).__benchMarks?.[k],
    key,
    { timeout: timeoutMs, polling: 50 },
  )
  return (await handle.jsonValue()) as number
}

/** Waits until Hearth's home screen has read the board registry (a list, or the empty-state text). */
export async function waitForHome(page: Page): Promise<void> {
  await page.waitForSelector('.board-list, .empty', { timeout: 30_000 })
}

/** Used JS heap after forcing garbage collection (CDP `Performance.getMetrics` JSHeapUsedSize). */
export async function heapUsed(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  try {
    await cdp.send('HeapProfiler.enable')
    for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage')
    await cdp.send('Performance.enable')
    const { metrics } = await cdp.send('Performance.getMetrics')
    const used = metrics.find((m) => m.name === 'JSHeapUsedSize')
    if (!used) throw new Error('no JSHeapUsedSize metric')
    return used.value
  } finally {
    await cdp.detach().catch(() => undefined)
  }
}

export interface ProfileEntry {
  /** Function name, file and line. */
  fn: string
  selfMs: number
  share: number
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
  samples?: number[]
  timeDeltas?: number[]
}

/** Self time per function from a CDP CPU profile, biggest first. */
export function summarizeProfile(profile: CpuProfile, top = 15): { totalMs: number; top: ProfileEntry[] } {
  const byNode = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) byNode.set(samples[i]!, (byNode.get(samples[i]!) ?? 0) + (deltas[i] ?? 0) / 1000)
  const byFn = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const ms = byNode.get(node.id) ?? 0
    if (ms === 0) continue
    const { functionName, url, lineNumber } = node.callFrame
    const file = url ? url.replace(/^.*\//, '') : ''
    const key = `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`
    byFn.set(key, (byFn.get(key) ?? 0) + ms)
    total += ms
  }
  const entries = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
  return { totalMs: total, top: entries.map(([fn, ms]) => ({ fn, selfMs: Math.round(ms * 10) / 10, share: Math.round((ms / total) * 1000) / 10 })) }
}

/** Starts the CPU profiler on a page; call the returned function to stop and summarize. */
export async function startProfile(page: Page): Promise<() => Promise<{ totalMs: number; top: ProfileEntry[] }>> {
  const cdp: CDPSession = await page.context().newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 })
  await cdp.send('Profiler.start')
  return async () => {
    const { profile } = await cdp.send('Profiler.stop')
    await cdp.detach().catch(() => undefined)
    return summarizeProfile(profile as CpuProfile)
  }
}

/**
 * A same-origin document that does not run the app (a static file), so a
 * board can be seeded before the app ever starts in that profile: the app
 * then finds it the way it finds a board stored by an earlier version
 * (registry database `hearth`, plain y-indexeddb doc) and migrates it into its
 * current stores (encrypted keyring, sealed board) on first start.
 */
export const seedUrl = (origin: string): string => `${origin.replace(/\/$/, '')}/favicon.svg`

/**
 * Writes a board into the profile of `page`'s origin as Hearth stores it: a
 * record in the registry (database `hearth`, store `boards`) and the doc as one
 * update in y-indexeddb's `updates` store of `hearth-board-<id>`. With
 * `registry: false` only the y-indexeddb database is written (baseline origin).
 */
export async function seedBoard(page: Page, board: GeneratedBoard, opts: { registry: boolean; displayName?: string }): Promise<void> {
  const record = opts.registry
    ? { id: board.boardId, secret: Array.from(board.secret), displayName: opts.displayName ?? 'Bench', name: board.name, addedAt: 1, openedAt: 1 }
    : null
  await page.evaluate(
    async ({ dbName, update, record }) => {
      const open = (name: string, version: number | undefined, upgrade: (db: IDBDatabase) => void) =>
        new Promise<IDBDatabase>((resolve, reject) => {
          const req = version === undefined ? indexedDB.open(name) : indexedDB.open(name, version)
          req.onupgradeneeded = () => upgrade(req.result)
          req.onsuccess = () => resolve(req.result)
          req.onerror = () => reject(req.error)
        })
      const done = (tx: IDBTransaction) =>
        new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve()
          tx.onerror = () => reject(tx.error)
          tx.onabort = () => reject(tx.error)
        })
      const bytes = Uint8Array.from(atob(update), (c) => c.charCodeAt(0))
      // y-indexeddb's schema (lib0 idb.openDB without a version, so version 1).
      const boardDb = await open(dbName, undefined, (db) => {
        db.createObjectStore('updates', { autoIncrement: true })
        db.createObjectStore('custom')
      })
      const tx = boardDb.transaction('updates', 'readwrite')
      tx.objectStore('updates').clear()
      tx.objectStore('updates').add(bytes)
      await done(tx)
      boardDb.close()
      if (record) {
        const registry = await open('hearth', 1, (db) => {
          if (!db.objectStoreNames.contains('boards')) db.createObjectStore('boards', { keyPath: 'id' })
        })
        const rtx = registry.transaction('boards', 'readwrite')
        rtx.objectStore('boards').put({ ...record, secret: new Uint8Array(record.secret) })
        await done(rtx)
        registry.close()
      }
    },
    { dbName: boardDatabaseName(board.boardId), update: Buffer.from(board.update).toString('base64'), record },
  )
}

/**
 * Bytes Hearth stores for a board: the sum of the stored values and their
 * count. Boards live as encrypted records in the one database
 * (`hearth-store`, store `records`, every board's records together: a bench
 * profile holds one board); a board seeded in the older plain format
 * (`hearth-board-<id>`) is moved there by the app on first open, so that
 * database is read only while the one database does not exist yet.
 */
export function storedBytes(page: Page, boardId: string): Promise<{ db: string; bytes: number; records: number; estimate: number | null }> {
  return page.evaluate(async (id) => {
    const names = new Set((await indexedDB.databases()).map((d) => d.name))
    const [name, store] = names.has('hearth-store') ? ['hearth-store', 'records'] : [`hearth-board-${id}`, 'updates']
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name)
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    const values = await new Promise<unknown[]>((resolve, reject) => {
      const req = db.transaction(store, 'readonly').objectStore(store).getAll()
      req.onsuccess = () => resolve(req.result as unknown[])
      req.onerror = () => reject(req.error)
    })
    db.close()
    const bytes = values.reduce<number>((sum, v) => sum + (v instanceof Uint8Array ? v.byteLength : 0), 0)
    const estimate = (await navigator.storage?.estimate?.())?.usage ?? null
    return { db: name === 'hearth-store' ? `${name}/${store}` : `${name.slice(0, name.length - id.length)}<id>`, bytes, records: values.length, estimate }
  }, boardId)
}
