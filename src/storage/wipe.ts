/**
 * The panic wipe. First it destroys the device file (overwritten in place,
 * then deleted: key-file.ts) — the erasure itself, since everything else is
 * ciphertext under keys that came from it. Then it deletes every byte this
 * origin keeps in the browser — all IndexedDB databases, every other entry
 * of the origin-private file system, Cache Storage (the app shell, which
 * shows Hearth was used here), localStorage, sessionStorage and the service
 * worker registration — and resolves only once each deletion has really
 * completed. Deleting is not erasing (LevelDB keeps deleted records until it
 * compacts); what it leaves behind opens with no key that still exists.
 *
 * Close this page's own database connections first (board sessions, the
 * keyring): a deletion waits for open connections. Connections in other tabs
 * close themselves on `versionchange`, and other tabs are told to forget what
 * they hold (see `onWipeElsewhere`).
 */
import { hasOpfs, opfsKeyFile, type KeyFile } from './key-file.ts'
import { VAULT_DB } from './vault-db.ts'

export interface WipeReport {
  /** True when every deletion succeeded and nothing is left. */
  readonly ok: boolean
  readonly ms: number
  /** What could not be deleted (database or cache names, or a storage kind). */
  readonly failed: readonly string[]
}

export interface WipeDeps {
  /** The device file to destroy. Default: the one in the origin-private file system, where there is one. */
  readonly keyFile?: KeyFile | null
  /**
   * Keep the installed app (its service worker and Cache Storage): the
   * duress wipe, after which the device must look like a fresh install that
   * was opened once — which has those.
   */
  readonly keepApp?: boolean
  readonly indexedDB?: IDBFactory
  readonly caches?: CacheStorage
  readonly localStorage?: Storage
  readonly sessionStorage?: Storage
  readonly serviceWorker?: ServiceWorkerContainer
  /** How long a deletion blocked by a connection that does not close is waited for. Default 3 s. */
  readonly blockedTimeoutMs?: number
  /**
   * Called as soon as every byte of data is gone (databases, caches, storage),
   * before the service worker's registration is — which Chromium can take most
   * of a second to drop — so the app can show a fresh screen at once.
   */
  readonly onDataGone?: () => void
}

const CHANNEL = 'hearth.wipe'

/**
 * Tells this tab when another tab of the app starts a panic wipe (let go of
 * every connection and secret at once) and when it has finished (safe to
 * start fresh without recreating what was just deleted). Returns the unsubscribe function.
 */
export function onWipeElsewhere(handlers: { started: () => void; finished: () => void }): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined
  const channel = new BroadcastChannel(CHANNEL)
  channel.onmessage = (e: MessageEvent) => (e.data === 'finished' ? handlers.finished() : handlers.started())
  listening = channel
  return () => {
    channel.close()
    if (listening === channel) listening = null
  }
}

/** This tab's listening channel: posting through it does not echo back to this tab. */
let listening: BroadcastChannel | null = null

function announce(message: 'started' | 'finished'): void {
  if (listening) return listening.postMessage(message)
  if (typeof BroadcastChannel === 'undefined') return
  const channel = new BroadcastChannel(CHANNEL)
  channel.postMessage(message)
  channel.close()
}

export async function wipeDevice(deps: WipeDeps = {}): Promise<WipeReport> {
  const started = performance.now()
  const failed: string[] = []
  const g = globalThis as Partial<typeof globalThis>
  const idb = deps.indexedDB ?? g.indexedDB
  const cacheStorage = deps.caches ?? g.caches
  const sw = deps.serviceWorker ?? g.navigator?.serviceWorker

  announce('started')
  const keyFile = deps.keyFile === undefined ? (hasOpfs() ? opfsKeyFile() : null) : deps.keyFile
  try {
    await keyFile?.destroy()
    performance.measure('hearth:wipe:key', { start: started })
  } catch {
    failed.push('key file')
  }
  for (const [kind, storage] of [
    ['localStorage', deps.localStorage ?? g.localStorage],
    ['sessionStorage', deps.sessionStorage ?? g.sessionStorage],
  ] as const) {
    try {
      storage?.clear()
    } catch {
      failed.push(kind)
    }
  }

  const timeout = deps.blockedTimeoutMs ?? 3000
  const timed = async (step: string, work: Promise<void> | undefined) => {
    await work
    performance.measure(`hearth:wipe:${step}`, { start: started })
  }
  const worker = timed('service-worker', sw && !deps.keepApp ? unregisterWorkers(sw, failed) : undefined)
  await Promise.all([
    timed('databases', idb ? deleteAllDatabases(idb, timeout, failed) : undefined),
    timed('caches', cacheStorage && !deps.keepApp ? deleteAllCaches(cacheStorage, failed) : undefined),
    timed('files', hasOpfs() ? emptyOpfs(failed) : undefined),
  ])
  deps.onDataGone?.()
  await worker

  // Check, rather than trust: anything left is reported.
  if (idb && typeof idb.databases === 'function') {
    for (const db of await idb.databases()) if (db.name && !failed.includes(db.name)) failed.push(db.name)
  }
  if (cacheStorage && !deps.keepApp) for (const name of await cacheStorage.keys()) if (!failed.includes(name)) failed.push(name)
  announce('finished')

  return { ok: failed.length === 0, ms: performance.now() - started, failed }
}

/**
 * Whether this origin keeps any database: where a device's keyring and boards
 * live, what a wipe is for. (A device file alone encrypts nothing: a first
 * visit whose start failed has one.) False where the browser refuses to say.
 */
export async function keepsDatabases(idb: IDBFactory | undefined = (globalThis as Partial<typeof globalThis>).indexedDB): Promise<boolean> {
  try {
    return !!idb && typeof idb.databases === 'function' && (await idb.databases()).length > 0
  } catch {
    return false
  }
}

async function deleteAllDatabases(idb: IDBFactory, timeoutMs: number, failed: string[]): Promise<void> {
  const names = new Set<string>([VAULT_DB])
  try {
    for (const db of await idb.databases()) if (db.name) names.add(db.name)
  } catch {
    // No databases(): the one database at least.
  }
  await Promise.all(
    [...names].map((name) =>
      deleteDatabase(idb, name, timeoutMs).then(
        (done) => void (done || failed.push(name)),
        () => void failed.push(name),
      ),
    ),
  )
}

/** Resolves true once the database is gone, false if a connection kept it blocked past the timeout. */
function deleteDatabase(idb: IDBFactory, name: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = idb.deleteDatabase(name)
    let timer: ReturnType<typeof setTimeout> | undefined
    req.onsuccess = () => {
      clearTimeout(timer)
      resolve(true)
    }
    req.onerror = () => {
      clearTimeout(timer)
      reject(req.error ?? new Error(`Cannot delete ${name}`))
    }
    // Blocked by a connection that has not closed yet (other tabs close on versionchange): wait, but not forever.
    req.onblocked = () => {
      timer ??= setTimeout(() => resolve(false), timeoutMs)
    }
  })
}

/** Whatever else is in the origin-private file system (Hearth keeps only the device file there). */
async function emptyOpfs(failed: string[]): Promise<void> {
  try {
    const root = (await navigator.storage.getDirectory()) as unknown as { keys(): AsyncIterable<string>; removeEntry(name: string, o: { recursive: boolean }): Promise<void> }
    for await (const name of root.keys()) await root.removeEntry(name, { recursive: true }).catch(() => void failed.push(`file ${name}`))
  } catch {
    failed.push('files')
  }
}

async function deleteAllCaches(cacheStorage: CacheStorage, failed: string[]): Promise<void> {
  const names = await cacheStorage.keys()
  await Promise.all(names.map(async (name) => (await cacheStorage.delete(name).catch(() => false)) || failed.push(name)))
}

async function unregisterWorkers(sw: ServiceWorkerContainer, failed: string[]): Promise<void> {
  try {
    const registrations = await sw.getRegistrations()
    await Promise.all(registrations.map(async (r) => (await r.unregister()) || failed.push('service worker')))
  } catch {
    failed.push('service worker')
  }
}
