import { SvelteMap } from 'svelte/reactivity'
import type { BoardId } from '../app/index.ts'
import type { ItemId, ItemKind } from '../core/index.ts'

/** The fields of a half-written post, as its form holds them. */
export type DraftFields = Readonly<Record<string, string | boolean>>

/**
 * What remains of a safe meeting that expired while this tab was running:
 * enough to keep its place in the feed, none of its details (no title,
 * place, code word or text).
 */
export interface MeetingTrace {
  readonly id: ItemId
  readonly createdAt: number
  readonly pinned: boolean
  readonly start: number
  readonly expiresAt: number
}

/** Which draft: a new post of a kind, or an edit of one item. */
export type DraftKey = { readonly kind: ItemKind; readonly item?: undefined } | { readonly kind: ItemKind; readonly item: ItemId }

/**
 * What this tab remembers about boards only while it runs: half-written posts
 * (so that Escape, ✕ or the back gesture never throw one away) and the traces
 * of safe meetings that expired in front of the person.
 *
 * Memory only, on purpose. sessionStorage and localStorage are written to
 * disk in plain text by browsers (Chromium's "Session Storage" and "Local
 * Storage" LevelDB folders), and nothing of a board may reach disk
 * unencrypted. The cost: a draft is lost when the tab is closed or reloaded.
 * Everything here is forgotten on lock and on wipe.
 */
export class SessionMemory {
  readonly #drafts = new SvelteMap<string, DraftFields>()
  readonly #meetings = new Map<BoardId, Map<ItemId, MeetingTrace>>()

  draft(board: BoardId, key: DraftKey): DraftFields | undefined {
    return this.#drafts.get(draftId(board, key))
  }

  keepDraft(board: BoardId, key: DraftKey, fields: DraftFields): void {
    this.#drafts.set(draftId(board, key), fields)
  }

  dropDraft(board: BoardId, key: DraftKey): void {
    this.#drafts.delete(draftId(board, key))
  }

  /** The meetings of a board seen before they expired, by id. */
  meetings(board: BoardId): Map<ItemId, MeetingTrace> {
    let map = this.#meetings.get(board)
    if (!map) this.#meetings.set(board, (map = new Map()))
    return map
  }

  /** Forgets every draft and trace (lock, wipe). */
  clear(): void {
    this.#drafts.clear()
    this.#meetings.clear()
  }
}

function draftId(board: BoardId, key: DraftKey): string {
  return key.item === undefined ? `${board}/new/${key.kind}` : `${board}/edit/${key.item}`
}
