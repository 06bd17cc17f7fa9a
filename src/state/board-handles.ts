import type { BoardId } from '../app/index.ts'

/**
 * This page's names for boards in the address bar: a random word per board,
 * made when the page first shows it. Browsers keep every URL, fragment
 * included, in their history and session files; a board's id is also in its
 * invites, so it must never be in a URL. The words mean nothing to another
 * page load: after a reload the app shows the board opened last instead.
 */
export class BoardHandles {
  readonly #ids = new Map<string, BoardId>()
  readonly #handles = new Map<BoardId, string>()

  handleOf(id: BoardId): string {
    let handle = this.#handles.get(id)
    if (!handle) {
      handle = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => 'abcdefghijklmnopqrstuvwxyz234567'[b & 31]).join('')
      this.#ids.set(handle, id)
      this.#handles.set(id, handle)
    }
    return handle
  }

  idOf(handle: string): BoardId | null {
    return this.#ids.get(handle) ?? null
  }

  clear(): void {
    this.#ids.clear()
    this.#handles.clear()
  }
}
