import type { BoardId } from '../app/index.ts'

/**
 * This page's names for boards in the address bar: 1, 2, 3… in the order
 * they are first shown. Browsers keep every URL, fragment included, in their
 * history and session files; a board's id is also in its invites, so it must
 * never be in a URL. A handle means nothing after a reload (it leads home).
 */
export class BoardHandles {
  readonly #ids = new Map<string, BoardId>()
  readonly #handles = new Map<BoardId, string>()

  handleOf(id: BoardId): string {
    let handle = this.#handles.get(id)
    if (!handle) {
      handle = String(this.#ids.size + 1)
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
