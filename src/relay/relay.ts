import type { IceServer } from '../storage/index.ts'
import type { WrtcLike } from '../sync/index.ts'
import { RelayBoard, type RelayEvent } from './relay-board.ts'
import { checkLimits, type RelayLimits } from './relay-limits.ts'
import type { RelayStore } from './relay-store.ts'

/** How often the store is looked at for boards added or removed by `npm run relay -- add/remove`. */
const POLL_MS = 3000

export interface RelayOptions {
  readonly store: RelayStore
  readonly limits: RelayLimits
  readonly wrtc: WrtcLike
  readonly iceServers?: readonly IceServer[]
  readonly now?: () => number
  readonly log: (event: RelayEvent | { readonly event: 'error'; readonly board: string; readonly error: string }) => void
}

/**
 * An always-on relay: one process carrying many boards, each a `RelayBoard`
 * with its own identity, store rows and rooms. Boards added to (or removed
 * from) the store by another process are picked up within a few seconds.
 * Limits hold per board and in all: a write that would pass one is not made
 * and that board is paused (see relay-limits.ts).
 */
export class Relay {
  readonly #opts: RelayOptions
  readonly #boards = new Map<string, Promise<RelayBoard | null>>()
  readonly #open = new Map<string, RelayBoard>()
  #timer: ReturnType<typeof setInterval> | null = null
  #closed = false
  #syncing: Promise<void> = Promise.resolve()

  private constructor(opts: RelayOptions) {
    this.#opts = opts
  }

  static async start(opts: RelayOptions): Promise<Relay> {
    const relay = new Relay(opts)
    await relay.refresh()
    relay.#timer = setInterval(() => void relay.refresh(), POLL_MS)
    return relay
  }

  /** The boards open now. */
  get boards(): readonly RelayBoard[] {
    return [...this.#open.values()]
  }

  /** Opens boards added to the store and closes those removed from it. */
  refresh(): Promise<void> {
    this.#syncing = this.#syncing.then(async () => {
      if (this.#closed) return
      const records = this.#opts.store.boards()
      const ids = new Set(records.map((r) => r.id))
      for (const [id, board] of [...this.#boards]) {
        if (ids.has(id)) continue
        this.#boards.delete(id)
        this.#open.delete(id)
        await (await board)?.close()
      }
      for (const record of records) {
        if (this.#boards.has(record.id)) continue
        const opening = RelayBoard.open(record, {
          store: this.#opts.store,
          wrtc: this.#opts.wrtc,
          iceServers: this.#opts.iceServers ?? [],
          now: this.#opts.now ?? Date.now,
          allow: (board, bytes, entries) => this.#allow(board, bytes, entries),
          log: this.#opts.log,
        }).then(
          (board) => {
            this.#open.set(record.id, board)
            return board
          },
          (e: unknown) => {
            this.#opts.log({ event: 'error', board: record.id, error: e instanceof Error ? e.message : String(e) })
            return null
          },
        )
        this.#boards.set(record.id, opening)
        await opening
      }
    })
    return this.#syncing
  }

  #allow(board: string, bytes: number, entries: number): string | null {
    let totalBytes = bytes
    let totalEntries = entries
    for (const b of this.#open.values()) {
      if (b.id === board) continue
      totalBytes += b.bytes
      totalEntries += b.entries
    }
    return checkLimits({ boardBytes: bytes, boardEntries: entries, totalBytes, totalEntries }, this.#opts.limits)?.message ?? null
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer) clearInterval(this.#timer)
    await this.#syncing
    const boards = [...this.#boards.values()]
    this.#boards.clear()
    this.#open.clear()
    await Promise.all(boards.map(async (b) => (await b)?.close()))
  }
}
