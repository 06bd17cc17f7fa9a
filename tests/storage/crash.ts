import { IDBFactory } from 'fake-indexeddb'
import { onTestFinished, vi } from 'vitest'

/**
 * A browser profile whose power can be cut. It becomes the page's
 * `indexedDB` for the test, and `crash()` does what a crash does to
 * IndexedDB: every transaction that has not committed yet is lost (aborted,
 * which rolls back its writes), and every open connection is abandoned,
 * never closed (closing would let pending transactions commit).
 *
 * What `crash()` keeps is exactly what had committed when it was called, so
 * calling it the moment a "saved" promise resolves tells whether that
 * promise waited for the commit.
 */
export interface CrashableProfile {
  readonly factory: IDBFactory
  /** Loses every write not yet committed; returns how many transactions were cut short. */
  crash(): number
  /**
   * Crashes as the next transaction that writes is opened, before it can
   * run (a write on its way to the disk); resolves with `crash()`'s count.
   */
  crashAtNextWrite(): Promise<number>
}

export function crashableProfile(): CrashableProfile {
  const factory = new IDBFactory()
  const original = globalThis.indexedDB
  globalThis.indexedDB = factory
  const pending = new Set<IDBTransaction>()
  let atNextWrite: (() => void) | null = null
  const transaction = IDBDatabase.prototype.transaction
  const spy = vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
    const tx = transaction.apply(this, args)
    pending.add(tx)
    const settled = () => pending.delete(tx)
    tx.addEventListener('complete', settled)
    tx.addEventListener('abort', settled)
    if (atNextWrite && tx.mode === 'readwrite') {
      // In a microtask: after the caller has made its requests, before the transaction runs any of them.
      queueMicrotask(atNextWrite)
      atNextWrite = null
    }
    return tx
  })
  onTestFinished(() => {
    spy.mockRestore()
    globalThis.indexedDB = original
  })
  const profile: CrashableProfile = {
    factory,
    crashAtNextWrite: () => new Promise((resolve) => (atNextWrite = () => resolve(profile.crash()))),
    crash() {
      let cut = 0
      for (const tx of pending) {
        // A dead page hears nothing: the requests' error events stop at the transaction.
        tx.addEventListener('error', (event) => event.stopPropagation(), { capture: true })
        try {
          tx.abort()
          cut++
        } catch (e) {
          // Already finished (its abort event is on its way): nothing left to lose.
          if ((e as DOMException).name !== 'InvalidStateError') throw e
        }
      }
      pending.clear()
      return cut
    },
  }
  return profile
}
