/**
 * The few IndexedDB helpers Hearth needs, as promises. Deletion waits for the
 * database to be really gone.
 */

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'))
  })
}

/** Resolves when the transaction has committed (durable), rejects if it aborts. */
export function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'))
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'))
  })
}

export function openDatabase(
  name: string,
  version: number,
  upgrade: (db: IDBDatabase, oldVersion: number, tx: IDBTransaction) => void,
  factory: IDBFactory = indexedDB,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, version)
    req.onupgradeneeded = (event) => upgrade(req.result, event.oldVersion, req.transaction!)
    req.onsuccess = () => {
      const db = req.result
      // Another tab wants to delete or upgrade: let it, rather than block it forever.
      db.onversionchange = () => db.close()
      resolve(db)
    }
    req.onerror = () => reject(req.error ?? new Error(`Cannot open ${name}`))
    req.onblocked = () => reject(new Error(`Opening ${name} is blocked by another tab`))
  })
}

/**
 * Deletes a database and resolves only once it is gone. Open connections in this
 * realm must be closed first; connections in other tabs close themselves on
 * `versionchange` (see openDatabase), so a blocked delete completes once they do.
 */
export function deleteDatabase(name: string, factory: IDBFactory = indexedDB): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = factory.deleteDatabase(name)
    req.onsuccess = () => resolve()
    req.onerror = () => reject(req.error ?? new Error(`Cannot delete ${name}`))
  })
}
