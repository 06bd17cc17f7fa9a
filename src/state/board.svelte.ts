import { createSubscriber } from 'svelte/reactivity'
import * as Y from 'yjs'
import { allTags, isExpired, itemComparator, itemMatcher, parseItem, readMeta, type BoardMeta, type Item, type ItemId, type ItemKind, type ItemQuery, type Result } from '../core/index.ts'
import type { BoardRecord, BoardSession, SyncStatus, Member, DiagnosticEvent, Rejection } from '../app/index.ts'

/** Who wrote an item, as the UI shows it. */
export interface Authorship {
  readonly name: string
  /** Set when the author is a verified roster member. */
  readonly fingerprint: string | null
}

/** How many items a list renders before "show more"; keeps long boards smooth on cheap phones. */
export const PAGE_SIZE = 50

/**
 * One open board as the UI sees it. Items are parsed once per change (only
 * the items a transaction touched) and only while something reads them.
 */
export class BoardState {
  readonly session: BoardSession
  record = $state.raw<BoardRecord>() as BoardRecord
  query = $state<ItemQuery>({})
  limit = $state(PAGE_SIZE)
  /** Ticks each 30 s so time-based views (upcoming/past, relative times) stay true. */
  now = $state(Date.now())
  status = $state.raw<SyncStatus>({ state: 'offline', peers: 0, lastExchange: null })
  /** Members and diagnostics, re-read whenever the sealed engine reports a change. */
  members = $state.raw<readonly Member[]>([])
  /** Set when the board engine hit a bug: the board may be incomplete until the app is reloaded. */
  failure = $state<string | null>(null)
  diagnostics = $state.raw<{ counts: readonly [Rejection, number][]; events: readonly DiagnosticEvent[]; pending: number }>({ counts: [], events: [], pending: 0 })

  // Plain (non-reactive) on purpose: reactivity comes from createSubscriber below.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #cache = new Map<string, Item>()
  #list: readonly Item[] = []
  /** Bumped whenever #list changes, to memoise what is computed from it. */
  #version = 0
  /** The current view, kept sorted and updated item by item; fully recomputed only when the query or clock changes, or many items change at once. */
  #view: { query: ItemQuery; now: number; matches: (i: Item) => boolean; compare: (a: Item, b: Item) => number; list: Item[] } | null = null
  #countsMemo: { version: number; now: number; counts: Record<ItemKind | 'all', number>; tags: string[] } | null = null
  #meta: BoardMeta = { name: '', description: '' }
  readonly #subscribeItems: () => void
  readonly #subscribeMeta: () => void
  readonly #cleanups: (() => void)[] = []

  constructor(session: BoardSession, record: BoardRecord) {
    this.session = session
    this.record = record
    const items = session.doc.getMap<Y.Map<unknown>>('items')
    this.#subscribeItems = createSubscriber((update) => {
      this.#rebuild(items)
      const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
        this.#apply(items, events)
        update()
      }
      items.observeDeep(observer)
      return () => items.unobserveDeep(observer)
    })
    const meta = session.doc.getMap('meta')
    this.#subscribeMeta = createSubscriber((update) => {
      this.#meta = readMeta(session.doc)
      const observer = () => {
        this.#meta = readMeta(session.doc)
        update()
      }
      meta.observe(observer)
      return () => meta.unobserve(observer)
    })
    this.status = session.syncStatus
    this.#cleanups.push(session.onSyncStatus((s) => (this.status = s)))
    const readRoster = () => (this.members = session.sealed.roster.list())
    const readDiagnostics = () => {
      const d = session.sealed.diagnostics
      this.diagnostics = { counts: [...d.counts.entries()], events: [...d.events].reverse(), pending: session.sealed.pendingCount() }
    }
    readRoster()
    readDiagnostics()
    this.failure = session.sealed.failure?.message ?? null
    this.#cleanups.push(session.sealed.onFailure((e) => (this.failure = e.message)))
    this.#cleanups.push(session.sealed.onRosterChange(readRoster), session.sealed.diagnostics.onChange(readDiagnostics))
    const tick = setInterval(() => (this.now = Date.now()), 30_000)
    this.#cleanups.push(() => clearInterval(tick))
  }

  #rebuild(items: Y.Map<Y.Map<unknown>>): void {
    this.#cache.clear()
    items.forEach((map, id) => {
      const item = map instanceof Y.Map ? parseItem(id, map) : null
      if (item) this.#cache.set(id, item)
    })
    this.#list = [...this.#cache.values()]
    this.#version++
    this.#view = null
  }

  #apply(items: Y.Map<Y.Map<unknown>>, events: Y.YEvent<Y.AbstractType<unknown>>[]): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local scratch set
    const touched = new Set<string>()
    for (const event of events) {
      if (event.target === items) for (const key of event.keys.keys()) touched.add(key)
      else if (typeof event.path[0] === 'string') touched.add(event.path[0])
    }
    // A few changed items (someone posted or edited): move just those in the
    // sorted view. Many (a sync): sort again when next read.
    const view = touched.size <= 64 ? this.#view : null
    if (!view) this.#view = null
    for (const id of touched) {
      const map = items.get(id)
      const item = map instanceof Y.Map ? parseItem(id, map) : null
      const old = this.#cache.get(id)
      if (item) this.#cache.set(id, item)
      else this.#cache.delete(id)
      if (view) {
        if (old) {
          const at = view.list.indexOf(old)
          if (at >= 0) view.list.splice(at, 1)
        }
        if (item && view.matches(item)) view.list.splice(insertionPoint(view.list, item, view.compare), 0, item)
      }
    }
    this.#list = [...this.#cache.values()]
    this.#version++
  }

  /** Every readable item on the board (expired ones included until swept). */
  get items(): readonly Item[] {
    this.#subscribeItems()
    return this.#list
  }

  get meta(): BoardMeta {
    this.#subscribeMeta()
    return this.#meta
  }

  /** The name to show: the replicated name, or the last known one while it arrives. */
  get name(): string {
    return this.meta.name || this.record.name
  }

  /** The items the current query shows, in order. */
  get matching(): readonly Item[] {
    const items = this.items
    const query = this.query
    const now = this.now
    if (!this.#view || this.#view.query !== query || this.#view.now !== now) {
      const matches = itemMatcher(query, now)
      const compare = itemComparator(query)
      this.#view = { query, now, matches, compare, list: items.filter(matches).sort(compare) }
    }
    return this.#view.list
  }

  get visible(): readonly Item[] {
    return this.matching.slice(0, this.limit)
  }

  #summary(): { counts: Record<ItemKind | 'all', number>; tags: string[] } {
    const items = this.items
    const now = this.now
    if (this.#countsMemo?.version === this.#version && this.#countsMemo.now === now) return this.#countsMemo
    const counts: Record<ItemKind | 'all', number> = { all: 0, notice: 0, event: 0, meeting: 0, aid: 0, resource: 0 }
    const live: Item[] = []
    for (const item of items) {
      if (isExpired(item, now)) continue
      live.push(item)
      counts.all++
      counts[item.kind]++
    }
    this.#countsMemo = { version: this.#version, now, counts, tags: allTags(live) }
    return this.#countsMemo
  }

  /** Items per kind (not expired), for the kind buttons. */
  get counts(): Record<ItemKind | 'all', number> {
    return this.#summary().counts
  }

  /** Tags in use, most used first. */
  get tags(): string[] {
    return this.#summary().tags
  }

  setQuery(patch: Partial<ItemQuery>): void {
    const next: Record<string, unknown> = { ...this.query, ...patch }
    for (const key of Object.keys(next)) if (next[key] === undefined || next[key] === '') delete next[key]
    this.query = next as ItemQuery
    this.limit = PAGE_SIZE
  }

  showMore(): void {
    this.limit += PAGE_SIZE
  }

  /**
   * The verified author of an item: the roster member whose key-bound Yjs
   * client created it. Items from before sealed boards keep their typed name,
   * without a fingerprint (unverified).
   */
  authorOf(item: Item): Authorship {
    const map = this.session.doc.getMap<Y.Map<unknown>>('items').get(item.id)
    const client = map instanceof Y.Map ? map._item?.id.client : undefined
    const tag = client === undefined ? null : this.session.sealed.authorOfClient(client)
    const member = tag ? this.members.find((m) => m.tag === tag) : undefined
    return member ? { name: member.name, fingerprint: member.fingerprint } : { name: item.author, fingerprint: null }
  }

  /** A member by device tag, for naming writers in diagnostics. */
  member(tag: string | null): Member | undefined {
    return tag ? this.members.find((m) => m.tag === tag) : undefined
  }

  item(id: ItemId): Item | undefined {
    return this.items.find((i) => i.id === id)
  }

  create(draft: unknown): Promise<Result<Item>> {
    return this.session.createItem(draft)
  }

  update(id: ItemId, patch: unknown): Promise<Result<Item>> {
    return this.session.updateItem(id, patch)
  }

  remove(id: ItemId): Promise<boolean> {
    return this.session.deleteItem(id)
  }

  pin(id: ItemId, pinned: boolean): Promise<boolean> {
    return this.session.setPinned(id, pinned)
  }

  updateMeta(patch: Partial<BoardMeta>): Promise<Result<BoardMeta>> {
    return this.session.updateMeta(patch)
  }

  destroy(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
  }
}

/** Where `item` goes in a list sorted by `compare` (binary search). */
function insertionPoint(list: readonly Item[], item: Item, compare: (a: Item, b: Item) => number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (compare(list[mid]!, item) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
