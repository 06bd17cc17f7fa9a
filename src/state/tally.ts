import { countTags, isExpired, tagsByUse, type Item, type ItemKind } from '../core/index.ts'

export type KindCounts = Readonly<Record<ItemKind | 'all', number>>

/** What the filter bar shows of a board. */
export interface BoardSummary {
  /** Items per kind, not expired. */
  readonly counts: KindCounts
  /** Tags in use on items not expired, most used first. */
  readonly tags: readonly string[]
  /** Items not expired that are new to this person. */
  readonly unread: number
}

/**
 * The board's summary for one clock reading (`now`), kept as items come and
 * go: each change adds and takes out the items it touched, instead of
 * counting the whole board again. On a board of 10,000 items a count over
 * all of them took 2–3 ms of every post, on the poster's device and on each
 * receiver's. A new clock reading, or a new idea of what is new
 * (`isNew`), needs a new tally.
 */
export class BoardTally {
  readonly now: number
  readonly #isNew: (item: Item) => boolean
  readonly #counts: Record<ItemKind | 'all', number> = { all: 0, notice: 0, event: 0, meeting: 0, aid: 0, resource: 0 }
  readonly #tags = new Map<string, number>()
  #unread = 0
  /** The summary as last read; null once something changed since. */
  #summary: BoardSummary | null = null
  /** The tags' order as last read; null once a tag's count changed since. */
  #tagOrder: readonly string[] | null = null

  constructor(items: Iterable<Item>, now: number, isNew: (item: Item) => boolean) {
    this.now = now
    this.#isNew = isNew
    for (const item of items) this.add(item)
  }

  add(item: Item): void {
    this.#count(item, 1)
  }

  remove(item: Item): void {
    this.#count(item, -1)
  }

  /** The summary: the same object until an item counted changes. */
  get summary(): BoardSummary {
    this.#tagOrder ??= tagsByUse(this.#tags)
    return (this.#summary ??= { counts: { ...this.#counts }, tags: this.#tagOrder, unread: this.#unread })
  }

  #count(item: Item, by: 1 | -1): void {
    if (isExpired(item, this.now)) return
    this.#counts.all += by
    this.#counts[item.kind] += by
    if (this.#isNew(item)) this.#unread += by
    if (item.tags.length > 0) {
      countTags(this.#tags, item, by)
      this.#tagOrder = null
    }
    this.#summary = null
  }
}
