/**
 * Chromium helpers for the bench: peers from the e2e harness (own process and
 * profile each, service workers blocked so every load comes from the server),
 * in-page timing marks, CDP heap and CPU profiles, and seeding a board into a
 * profile's IndexedDB exactly the way Hearth stores it.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CDPSession, Page } from 'playwright-core'
import { launchPeer, type Peer } from '../../e2e/support/browser.ts'
import { fromBase64url, inviteLink } from '../../../src/crypto/index.ts'
import { sealedDatabaseName } from '../../../src/storage/board-store.ts'
import type { BrowserBoard, SealedSeed } from './sealed-board.ts'

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
  // Main-thread tasks over 50 ms, from the start of the document: [start, duration] in page ms.
  const longTasks = [];
  globalThis.__benchLongTasks = longTasks;
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
  } catch (e) { globalThis.__benchLongTasksError = String(e); }
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

/**
 * After forcing garbage collection: the used JS heap (CDP `Performance.getMetrics`
 * JSHeapUsedSize), and the page's ArrayBuffer backing stores, which live
 * outside that heap (`Runtime.getHeapUsage` backingStorageSize: decrypted
 * payloads, a doc's binary values).
 */
export async function memoryAfterGc(page: Page): Promise<{ heap: number; stores: number }> {
  const cdp = await page.context().newCDPSession(page)
  try {
    await cdp.send('HeapProfiler.enable')
    for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage')
    await cdp.send('Performance.enable')
    const { metrics } = await cdp.send('Performance.getMetrics')
    const used = metrics.find((m) => m.name === 'JSHeapUsedSize')
    if (!used) throw new Error('no JSHeapUsedSize metric')
    const usage = (await cdp.send('Runtime.getHeapUsage')) as { backingStorageSize?: number }
    return { heap: used.value, stores: usage.backingStorageSize ?? NaN }
  } finally {
    await cdp.detach().catch(() => undefined)
  }
}

/**
 * The page's main thread, busy: call it before the work, and the function it
 * returns after, for the milliseconds of tasks run in between (CDP
 * `Performance.getMetrics` TaskDuration). What the page computed, whatever
 * it waited for meanwhile.
 */
export async function mainThreadClock(page: Page): Promise<() => Promise<number>> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  const taskSeconds = async (): Promise<number> => {
    const { metrics } = await cdp.send('Performance.getMetrics')
    const task = metrics.find((m) => m.name === 'TaskDuration')
    if (!task) throw new Error('no TaskDuration metric')
    return task.value
  }
  const start = await taskSeconds()
  return async () => {
    try {
      return ((await taskSeconds()) - start) * 1000
    } finally {
      await cdp.detach().catch(() => undefined)
    }
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
  const dir = process.env.BENCH_PROFILE_DIR
  // A mark the profile can be lined up with the page's clock by: 20 ms in a function of that name.
  const align = () => page.evaluate(() => (function __benchAlign() {
    const t = performance.now()
    while (performance.now() - t < 20);
    return performance.timeOrigin + t
  })())
  const aligned = dir ? await align() : null
  return async () => {
    // A second mark at the end: a profile that followed the page to another document keeps only that document's samples.
    const alignedEnd = dir ? await align() : null
    const { profile } = await cdp.send('Profiler.stop')
    await cdp.detach().catch(() => undefined)
    // The whole profile, for a closer look (DevTools' Performance panel opens it), with the page's long tasks
    // (epoch ms; `aligned` and `alignedEnd` are when each __benchAlign began): tests/bench/long-task-profile.ts reads both.
    if (dir) {
      mkdirSync(dir, { recursive: true })
      const name = join(dir, new Date().toISOString().replace(/[:.]/g, '-'))
      writeFileSync(`${name}.cpuprofile`, JSON.stringify(profile))
      const tasks = await page.evaluate(() => ((globalThis as unknown as { __benchLongTasks?: [number, number][] }).__benchLongTasks ?? []).map(([start, d]) => [performance.timeOrigin + start, d]))
      writeFileSync(`${name}.tasks.json`, JSON.stringify({ aligned, alignedEnd, tasks }))
    }
    return summarizeProfile(profile as CpuProfile)
  }
}

/**
 * A same-origin document that does not run the app (a static file), so a
 * board can be seeded before the app ever starts in that profile.
 */
export const seedUrl = (origin: string): string => `${origin.replace(/\/$/, '')}/favicon.svg`

/**
 * Hands bytes to the page as `globalThis.__benchBytes[key]`, in pieces: one
 * page.evaluate argument of a 100,000-item board (~100 MB as base64) is more
 * than the DevTools connection should carry at once.
 */
async function sendBytes(page: Page, key: string, bytes: Uint8Array): Promise<void> {
  const PIECE = 6 * 1024 * 1024
  await page.evaluate((k) => {
    const g = globalThis as unknown as { __benchPieces?: Record<string, string[]> }
    g.__benchPieces = { ...g.__benchPieces, [k]: [] }
  }, key)
  for (let at = 0; at < bytes.byteLength; at += PIECE) {
    const piece = Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(PIECE, bytes.byteLength - at)).toString('base64')
    await page.evaluate(([k, b64]) => (globalThis as unknown as { __benchPieces: Record<string, string[]> }).__benchPieces[k!]!.push(b64!), [key, piece])
  }
  await page.evaluate((k) => {
    const g = globalThis as unknown as { __benchPieces: Record<string, string[]>; __benchBytes?: Record<string, Uint8Array> }
    const pieces = g.__benchPieces[k]!.map((b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)))
    const out = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0))
    let at = 0
    for (const p of pieces) {
      out.set(p, at)
      at += p.byteLength
    }
    delete g.__benchPieces[k]
    g.__benchBytes = { ...g.__benchBytes, [k]: out }
  }, key)
}

/**
 * Writes `update` as the only record of y-indexeddb's `updates` store in
 * database `dbName` of the page's origin (y-indexeddb's schema: lib0's
 * idb.openDB without a version, so version 1), and, with `record`, a board
 * record into the registry the app reads at start (database `hearth`, store
 * `boards`, the format the app moves into its encrypted keyring on first start).
 */
async function seedDatabase(page: Page, dbName: string, update: Uint8Array, record: Record<string, unknown> | null): Promise<void> {
  await sendBytes(page, dbName, update)
  await page.evaluate(
    async ({ dbName, record }) => {
      const g = globalThis as unknown as { __benchBytes: Record<string, Uint8Array> }
      const bytes = g.__benchBytes[dbName]!
      delete g.__benchBytes[dbName]
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
        // Byte fields arrive as arrays of numbers (the record holds no other arrays of numbers).
        const bytesOf = (v: unknown): unknown =>
          Array.isArray(v) ? (v.every((x) => typeof x === 'number') ? new Uint8Array(v as number[]) : v.map(bytesOf)) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bytesOf(x)])) : v
        rtx.objectStore('boards').put(bytesOf(record))
        await done(rtx)
        registry.close()
      }
    },
    { dbName, record },
  )
}

/** A board record as the app keeps it (src/storage/keyring-types.ts), byte fields as arrays. */
export function appRecord(board: BrowserBoard, sealed: SealedSeed, member: number, displayName: string): Record<string, unknown> {
  const keys = board.members[member]!
  const bytes = (b: Uint8Array) => Array.from(b)
  return {
    id: sealed.boardId,
    transportSecret: bytes(sealed.transportSecret),
    contentKey: bytes(board.contentKey),
    keys: [{ contentKey: bytes(board.contentKey), transport: bytes(sealed.transportSecret) }],
    device: { signPkcs8: bytes(keys.signPkcs8), signPublic: bytes(keys.signPublic), agreePkcs8: bytes(keys.agreePkcs8), agreePublic: bytes(keys.agreePublic) },
    format: 2,
    founder: bytes(board.founder),
    ...(member > 0 ? { invitedBy: bytes(board.founder) } : {}),
    displayName,
    name: board.name,
    addedAt: 1,
    openedAt: 1,
  }
}

/**
 * Seeds a board into the app's origin as the app stores it on one of the
 * board's member devices (member 1, the founder, unless `member` says): the
 * sealed doc (lib/sealed-board.ts) in `hearth-sealed-<id>`, and the board's
 * record (format 2: transport secret, content key, this device's own keys
 * for the board, founder). The record goes where the app's first start moves
 * it into its encrypted keyring (callers start the app once before timing).
 */
export async function seedApp(page: Page, board: BrowserBoard, opts: { displayName: string; sealed?: SealedSeed; member?: number }): Promise<void> {
  const sealed = opts.sealed ?? board.sealed
  await seedDatabase(page, sealedDatabaseName(sealed.boardId), sealed.state, appRecord(board, sealed, opts.member ?? 0, opts.displayName))
}

/** Seeds only the sealed doc (for the engine pages, which hold their own record). */
export function seedSealed(page: Page, sealed: SealedSeed): Promise<void> {
  return seedDatabase(page, sealedDatabaseName(sealed.boardId), sealed.state, null)
}

/** Seeds the plain Yjs state as a y-indexeddb database (for the baseline pages). */
export function seedPlain(page: Page, dbName: string, update: Uint8Array): Promise<void> {
  return seedDatabase(page, dbName, update, null)
}

/**
 * The invite link a newcomer opens to join a seeded board: version 3, the
 * founder's open invitation (lib/sealed-board.ts). The newcomer asks to be
 * let in; the founder's device, online, admits it at once (as the app does
 * for its own invitations), and its welcome carries the keys.
 */
export function boardInvite(appUrl: string, board: BrowserBoard, sealed: SealedSeed = board.sealed): string {
  return inviteLink(appUrl, { version: 3, transportSecret: sealed.transportSecret, boardId: fromBase64url(sealed.boardId)!, invitationSecret: sealed.invitationSecret, inviter: board.founder, purpose: 'member' })
}

/** Hands a plain Yjs update to a baseline page as `globalThis.__benchBytes[key]`. */
export function loadBytes(page: Page, key: string, bytes: Uint8Array): Promise<void> {
  return sendBytes(page, key, bytes)
}

export interface LongTasks {
  /** Longest main-thread task in the window, ms (0 if none over 50 ms). */
  longest: number
  /** Sum of the durations of tasks over 50 ms. */
  total: number
  /** Sum of their time beyond 50 ms each (Lighthouse's "total blocking time"). */
  blocking: number
  count: number
}

/** Main-thread tasks over 50 ms that started between two epoch times, as the page's long-task observer saw them. */
export async function longTasks(page: Page, fromEpoch: number, toEpoch: number): Promise<LongTasks> {
  const { origin, tasks, error, marks } = await page.evaluate(() => {
    const g = globalThis as unknown as { __benchLongTasks?: [number, number][]; __benchLongTasksError?: string }
    const marks = performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as const)
    return { origin: performance.timeOrigin, tasks: g.__benchLongTasks ?? null, error: g.__benchLongTasksError ?? null, marks }
  })
  if (!tasks) throw new Error(`no long-task observer in the page${error ? `: ${error}` : ''}`)
  const counted = tasks.filter(([start, d]) => origin + start + d >= fromEpoch && origin + start <= toEpoch)
  if (process.env.BENCH_LONG_TASKS) {
    // With the page's own marks (names only: hearth:script, hearth:mounted, ...) on the same clock, to place them.
    const at = (s: number) => (origin + s - fromEpoch).toFixed(0)
    console.log('long tasks (start after the window opens + length, ms):', counted.map(([s, d]) => `${at(s)}+${d.toFixed(0)}`).join(' '), '| marks:', marks.map(([name, s]) => `${name}@${at(s)}`).join(' '))
  }
  const inWindow = counted.map(([, d]) => d)
  return {
    longest: inWindow.length === 0 ? 0 : Math.max(...inWindow),
    total: inWindow.reduce((s, d) => s + d, 0),
    blocking: inWindow.reduce((s, d) => s + Math.max(0, d - 50), 0),
    count: inWindow.length,
  }
}

/**
 * Bytes Hearth stores for a board: the sum of the stored values and their
 * count. Boards live as encrypted records in the one database
 * (`hearth-store`, store `records`, every board's records together: a bench
 * profile holds one board); a board seeded in the older plain format
 * (`hearth-sealed-<id>`, lib/sealed-board.ts) is moved there by the app on first open, so that
 * database is read only while the one database does not exist yet.
 */
export function storedBytes(page: Page, boardId: string): Promise<{ db: string; bytes: number; records: number; estimate: number | null }> {
  return page.evaluate(async (id) => {
    const names = new Set((await indexedDB.databases()).map((d) => d.name))
    const [name, store] = names.has('hearth-store') ? ['hearth-store', 'records'] : [`hearth-sealed-${id}`, 'updates']
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
