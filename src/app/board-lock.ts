import type { BoardId } from '../crypto/index.ts'

export class BoardOpenElsewhereError extends Error {
  constructor() {
    super('This board is open in another tab or window of this browser')
  }
}

/**
 * One session per board per browser: two tabs writing as the same device
 * would reuse each other's sequence numbers. A Web Lock is held while the
 * board is open (skipped where the platform has none, e.g. Node tests).
 */
export async function holdBoardLock(id: BoardId): Promise<() => void> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (!locks) return () => {}
  return new Promise((resolve, reject) => {
    void locks.request(`hearth-board-${id}`, { ifAvailable: true }, (lock) => {
      if (!lock) {
        reject(new BoardOpenElsewhereError())
        return
      }
      return new Promise<void>((released) => resolve(() => released()))
    })
  })
}
