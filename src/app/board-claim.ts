import type { BoardId } from '../crypto/index.ts'

export class BoardOpenElsewhereError extends Error {
  constructor() {
    super('This board is open in another tab or window of this browser')
  }
}

/**
 * One tab per board: two tabs writing as the same device would reuse each
 * other's sequence numbers, so a tab claims a board (a Web Lock, in memory
 * only) while it has it open. Not the device lock (device-lock.ts), which is
 * about the passphrase. Skipped where the platform has no Web Locks (Node tests).
 */
export async function claimBoard(id: BoardId): Promise<() => void> {
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
