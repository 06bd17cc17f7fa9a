import type { KeyFileAnswer, KeyFileRequest } from './key-file.worker.ts'

/**
 * Where the device file (device-file.ts) lives. Everything else Hearth keeps
 * is encrypted under keys that come from it, so destroying this one small
 * file erases the rest, whatever copies a storage engine keeps of it.
 */
export interface KeyFile {
  /** Whether destroy() really overwrites the bytes where they lie (false for the IndexedDB fallback). */
  readonly erasable: boolean
  /** The file's bytes, or null when there is none (a fresh or wiped device). */
  read(): Promise<Uint8Array | null>
  /** Writes the whole file, in place when it exists. Resolves once it is on disk. */
  write(bytes: Uint8Array): Promise<void>
  /** Overwrites the file with zeros where it lies, then deletes it. Resolves once done (also when there was none). */
  destroy(): Promise<void>
}

const NAME = 'key'

interface Directory {
  getFileHandle(name: string): Promise<{ getFile(): Promise<File> }>
}

/** Whether this browser has the origin-private file system and workers to write it in place. */
export function hasOpfs(): boolean {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage as { getDirectory?: unknown } | undefined
  return typeof storage?.getDirectory === 'function' && typeof Worker === 'function'
}

/**
 * The device file in the origin-private file system (OPFS). Chromium keeps an
 * OPFS file as one plain file in the profile; a synchronous access handle —
 * only available in a dedicated worker — writes into that file's own bytes
 * instead of writing a new copy and swapping it in. Reads need no worker.
 */
export function opfsKeyFile(name = NAME): KeyFile {
  const root = () => (navigator.storage as unknown as { getDirectory(): Promise<Directory> }).getDirectory()
  return {
    erasable: true,
    async read() {
      let handle
      try {
        handle = await (await root()).getFileHandle(name)
      } catch (err) {
        if ((err as DOMException).name === 'NotFoundError') return null
        throw err
      }
      return new Uint8Array(await (await handle.getFile()).arrayBuffer())
    },
    write: (bytes) => inWorker({ op: 'write', name, bytes }),
    destroy: () => inWorker({ op: 'destroy', name }),
  }
}

function inWorker(request: KeyFileRequest): Promise<void> {
  const worker = new Worker(new URL('./key-file.worker.ts', import.meta.url), { type: 'module' })
  return new Promise<void>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<KeyFileAnswer>) => {
      if (e.data.ok) return resolve()
      const cause = e.data.refusal ? new DOMException(e.data.error, e.data.refusal) : undefined
      reject(new Error(`Key file: ${e.data.error}`, cause ? { cause } : {}))
    }
    worker.onerror = (e) => reject(new Error(`Key file worker: ${e.message}`))
    worker.postMessage(request)
  }).finally(() => worker.terminate())
}

/**
 * Where a browser has no OPFS (Node tests, private modes that refuse it,
 * older browsers): the device file as one value in IndexedDB. It works the
 * same, but destroying it only deletes it, and IndexedDB (LevelDB) may keep
 * old copies until it compacts: erasure is not guaranteed (THREAT_MODEL.md).
 */
export function idbKeyFile(database: () => Promise<IDBDatabase>, store: string, key = NAME): KeyFile {
  const run = async (mode: IDBTransactionMode, act: (s: IDBObjectStore) => IDBRequest | void): Promise<unknown> => {
    const tx = (await database()).transaction(store, mode)
    const req = act(tx.objectStore(store))
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve()
      tx.onabort = tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'))
    })
    return req?.result
  }
  return {
    erasable: false,
    async read() {
      const value = await run('readonly', (s) => s.get(key))
      return value instanceof Uint8Array ? new Uint8Array(value) : null
    },
    async write(bytes) {
      await run('readwrite', (s) => void s.put(new Uint8Array(bytes), key))
    },
    async destroy() {
      await run('readwrite', (s) => {
        s.put(new Uint8Array(128), key)
        s.delete(key)
      })
    },
  }
}
