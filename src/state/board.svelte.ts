import { untrack } from 'svelte'
import { createSubscriber } from 'svelte/reactivity'
import * as Y from 'yjs'
import { editedBy, isExpired, itemComparator, itemMatcher, itemOwner, parseItem, readMeta, readRemovals, type BoardMeta, type Item, type ItemId, type ItemQuery, type MeetingItem, type Result } from '../core/index.ts'
import { Slices, yieldToEventLoop, type BoardRecord, type BoardSession, type SyncStatus, type MemberView, type DiagnosticEvent, type Rejection, type RequestInfo, type InviteInfo, type HistoryEvent, type Role } from '../app/index.ts'
import type { DraftFields, DraftKey, MeetingTrace, SessionMemory } from './session-memory.ts'
import { BoardTally, type BoardSummary, type KindCounts } from './tally.ts'

/** Who wrote an item, as the UI shows it. */
export interface Authorship {
  readonly name: string
  /** Set when the author is a verified member: their first device's fingerprint (64 bits). */
  readonly fingerprint: string | null
  /** Another member shows the same name. */
  readonly sharesName: boolean
}

/** A post a moderator removed, as every member sees it in its place. */
export interface RemovalTrace {
  readonly id: ItemId
  readonly at: number
  /** The post's owner, when known. */
  readonly owner: MemberView | undefined
  /** The moderator who removed it (verified: the trace's signed writer). */
  readonly by: MemberView | undefined
}

export interface MembershipView {
  readonly standing: 'member' | 'waiting' | 'removed'
  readonly managed: boolean
  readonly me: string
  readonly myMember: string | null
  readonly canModerate: boolean
  readonly myRole: Role | null
  readonly requests: readonly RequestInfo[]
  readonly invites: readonly InviteInfo[]
  readonly history: readonly HistoryEvent[]
  readonly membersMayInvite: boolean
}

/** How long a relay link works: time enough for whoever runs the relay to add it. */
export const RELAY_LINK_MS = 7 * 24 * 60 * 60 * 1000

/** How many items a list renders before "show more"; keeps long boards smooth on cheap phones. */
export const PAGE_SIZE = 50

/**
 * How many a board's first render shows (more than a tall screen holds):
 * the list grows to PAGE_SIZE in the tasks after it (`fillPage`), so the
 * first render is short on a large board.
 */
export const FIRST_PAGE = 12

/**
 * Cards the list adds in one task when it grows by itself (`fillPage`,
 * `showMore`): creating a card costs about 1–2 ms on the benchmark's
 * machine, so the 38 after a first page were one task of 69 ms there; a
 * dozen at a time keeps each well under 50 ms on a slower phone too.
 */
export const FILL_STEP = 12

/**
 * What one step of the list's growth may cost in rendering, ms. A card costs
 * 1–2 ms on the benchmark's fast machine (FILL_STEP then), about 4 ms on a
 * slower one, where steps of twelve were tasks of 52–62 ms, and six times
 * that on a cheap phone: the step is as many cards as this budget holds by
 * what the last steps cost (`fillStep`), never more than FILL_STEP.
 */
export const FILL_BUDGET_MS = 30

/** Cards the next step adds, given what a card cost to render so far (0: not measured yet). */
export function fillStep(cardMs: number): number {
  if (!(cardMs > 0)) return FILL_STEP
  return Math.max(1, Math.min(FILL_STEP, Math.floor(FILL_BUDGET_MS / cardMs)))
}

/** What a card costs, after a step that rendered `cards` in `ms` (the last steps count most). */
export function cardCost(before: number, cards: number, ms: number): number {
  const now = ms / Math.max(1, cards)
  return before > 0 ? (before + now) / 2 : now
}

/**
 * How many cards the list shows in the render that lets a joining device in:
 * the whole board view appears in that render (filter bar, counts over every
 * item the sync brought, the list), with the card's code run for the first
 * time, while the sync goes on. Twelve cards took 13–29 ms of tasks of
 * 67–113 ms there (profiled); the rest follow FILL_STEP a task.
 */
export const LET_IN_FIRST = 4

/** Items read again at once, and rounds of it, for what a sync changed while a board was being read (prime). */
export const CATCH_UP_CHUNK = 250
/** Items read at once between two looks at the engine's slice, before a device that waited is let in (`#readAhead`). */
const READ_AHEAD_CHUNK = 25
/**
 * The most items read before a device that waited is let in (`#readAhead`):
 * a bound on how much later it is let in, whatever the size of the board;
 * what came beyond it is read after, as any sync's changes are (`#catchUp`).
 */
export const READ_AHEAD_MOST = 2_000
const CATCH_UP_ROUNDS = 3
/**
 * While others' changes keep coming, what they change is rendered at most
 * this often (a large board's first sync applies it in hundreds of slices).
 */
export const SHOW_EVERY_MS = 100

/**
 * Others' change that touches at most this many items, after a quiet spell
 * of SHOW_EVERY_MS, shows at once (a post or an edit arriving alone); a
 * larger one (a sync's slice, even the first after a pause) renders in a
 * task of its own.
 */
export const AT_ONCE_ITEMS = 3

/** What a person can do with one item, in the order the detail view offers them. */
export type ItemAction = 'reveal' | 'edit' | 'pin' | 'unpin' | 'calendar' | 'delete'

/** One entry of the feed: an item, or the trace of a safe meeting that expired. */
export type FeedEntry = { readonly item: Item; readonly trace?: undefined } | { readonly trace: MeetingTrace; readonly item?: undefined }

/** Query fields a meeting's trace cannot be matched against (it has no text, tags or aid fields left). */
const DETAIL_FILTERS = ['text', 'tag', 'category', 'status', 'aidType'] as const

/**
 * One open board as the UI sees it. Items are parsed once per change (only
 * the items a transaction touched) and only while something reads them.
 */
export class BoardState {
  readonly session: BoardSession
  record = $state.raw<BoardRecord>() as BoardRecord
  query = $state<ItemQuery>({})
  limit = $state(FIRST_PAGE)
  /** Ticks each 30 s so time-based views (upcoming/past, relative times) stay true. */
  now = $state(Date.now())
  status = $state.raw<SyncStatus>({ state: 'offline', peers: 0, members: 0, relays: 0, unverified: 0, lastExchange: null })
  /** Members and diagnostics, re-read whenever the sealed engine reports a change. */
  members = $state.raw<readonly MemberView[]>([])
  membership = $state.raw<MembershipView | null>(null)
  /** This device could not save the latest changes (a full device): they wait in memory (`saveAgain`). */
  unsaved = $state(false)
  /** Set when the board engine hit a bug: the board may be incomplete until the app is reloaded. */
  failure = $state<string | null>(null)
  diagnostics = $state.raw<{ counts: readonly [Rejection, number][]; events: readonly DiagnosticEvent[]; pending: number }>({ counts: [], events: [], pending: 0 })

  // Plain (non-reactive) on purpose: reactivity comes from createSubscriber below.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #cache = new Map<string, Item>()
  /** Every cached item, made again from the cache when read after a change (null): a sync changes it many times between two reads. */
  #list: readonly Item[] | null = []
  /** Bumped whenever the cache changes, to memoise what is computed from it. */
  #version = 0
  /** The current view, kept sorted as items change (`merged`); fully recomputed only when the query or clock changes. */
  #view: View | null = null
  /** The filter bar's summary, kept as items change (`#apply`); made again for a new clock, last visit or roster (null: not yet). */
  #tally: { tally: BoardTally; seen: number | null; members: readonly MemberView[] } | null = null
  /** The traces of expired meetings as last read (`traces`): a feed reads them on every change. */
  #traces: { version: number; now: number; size: number; list: readonly MeetingTrace[] } | null = null
  #meta: BoardMeta = { name: '', description: '' }
  /** The feed's entries, one per item (or trace) object: see `#entryOf`. */
  #entries = new WeakMap<Item | MeetingTrace, FeedEntry>()
  /** Items read ahead of the first render (prime), and what changed since. */
  #primed: { items: Y.Map<Y.Map<unknown>>; touched: Set<string>; stop: () => void } | null = null
  /** How many cards the list is growing to, FILL_STEP a task (`#growTo`); bumping `#growth` stops a step still to come. */
  #growingTo = 0
  #growth = 0
  /** What rendering a card has cost as the list grew, ms (0: not measured yet): how many the next step adds. */
  #cardMs = 0
  /** The cards last shown (`visible`), and for which list, limit, query and clock: read several times a render, made once. */
  #shown: { from: readonly Item[]; limit: number; query: ItemQuery; now: number; step: number; list: readonly Item[]; ids: ReadonlySet<string> } | null = null
  /** Bumped, a task after a render that held back cards others' changes brought (`visible`), to show the next of them. */
  #paceStep = $state(0)
  #pacing = false
  readonly #subscribeItems: () => void
  readonly #subscribeMeta: () => void
  readonly #cleanups: (() => void)[] = []

  /**
   * When this person last looked at the board before this visit (from the
   * encrypted keyring), or null on a first visit: items others posted since
   * are marked new.
   */
  seenBefore = $state<number | null>(null)
  readonly #memory: SessionMemory

  constructor(session: BoardSession, record: BoardRecord, memory: SessionMemory, seenBefore: number | null = null) {
    this.session = session
    this.record = record
    this.#memory = memory
    this.seenBefore = seenBefore
    // The engine may rebuild the readable doc (a membership change altered a verdict): follow the new one.
    this.#subscribeItems = createSubscriber((update) => {
      let items = session.doc.getMap<Y.Map<unknown>>('items')
      // Bumped when this subscription ends or follows a new doc: a catch-up in progress stops.
      let attached = 0
      // This device's own changes, and a small change of others' after a quiet spell (a post arriving alone,
      // AT_ONCE_ITEMS), show at once. Others' changes that keep coming, or touch many items, (a sync applies a large board in hundreds of slices, and
      // each render counts and sorts the whole board) are rendered at most every SHOW_EVERY_MS, each time in
      // a task of its own, the next one after the engine's slice that applied them (the two in one task were
      // over 50 ms on a joining peer). That task is a yield's (yieldToEventLoop), as the engine's slices are:
      // with scheduler.yield, a timer's task waits until the engine stops yielding, so a render left to a
      // timer alone came after the whole sync.
      let shownAt = -Infinity
      let changedAt = -Infinity
      let showTimer: ReturnType<typeof setTimeout> | undefined
      let queued = false
      let closed = false
      // A nearly empty board that got many items at once (a large board's first sync) is shown as a board
      // that opens is: a few cards in the render, the rest of the page in the tasks after it.
      let firstPage = false
      const show = (): void => {
        clearTimeout(showTimer)
        showTimer = undefined
        shownAt = performance.now()
        const first = firstPage
        if (firstPage) {
          firstPage = false
          this.#stopGrowing()
          this.limit = FIRST_PAGE
          this.#later(() => this.fillPage())
        }
        update()
        if (first) this.#measure(FIRST_PAGE, shownAt)
      }
      const showNext = (): void => {
        if (queued) return
        queued = true
        void yieldToEventLoop().then(() => {
          queued = false
          if (!closed) show()
        })
      }
      const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
        const few = this.#cache.size < FIRST_PAGE
        const touched = touchedBy(items, events)
        this.#apply(items, touched)
        if (few && this.#cache.size > FIRST_PAGE && this.limit > FIRST_PAGE) firstPage = true
        const now = performance.now()
        const alone = now - changedAt > SHOW_EVERY_MS && touched.size <= AT_ONCE_ITEMS
        changedAt = now
        if (alone || events.some((e) => e.transaction.local)) return show()
        const wait = shownAt + SHOW_EVERY_MS - now
        if (wait <= 0) showNext()
        // When the changes stop coming: what the last of them changed shows then.
        else showTimer ??= setTimeout(showNext, wait)
      }
      const attach = () => {
        items = session.doc.getMap<Y.Map<unknown>>('items')
        const primed = this.#primed
        this.#primed = null
        primed?.stop()
        const generation = ++attached
        if (primed?.items !== items) this.#rebuild(items)
        else if (primed.touched.size > 0) void this.#catchUp(items, [...primed.touched], () => generation === attached, update)
        items.observeDeep(observer)
      }
      attach()
      const off = session.sealed.onReset(() => {
        items.unobserveDeep(observer)
        attach()
        update()
      })
      return () => {
        attached++
        closed = true
        clearTimeout(showTimer)
        off()
        items.unobserveDeep(observer)
      }
    })
    this.#subscribeMeta = createSubscriber((update) => {
      let meta = session.doc.getMap('meta')
      const observer = () => {
        this.#meta = readMeta(session.doc)
        update()
      }
      const attach = () => {
        meta = session.doc.getMap('meta')
        this.#meta = readMeta(session.doc)
        meta.observe(observer)
      }
      attach()
      const off = session.sealed.onReset(() => {
        meta.unobserve(observer)
        attach()
        update()
      })
      return () => {
        off()
        meta.unobserve(observer)
      }
    })
    this.status = session.syncStatus
    this.#cleanups.push(session.onSyncStatus((s) => (this.status = s)))
    this.unsaved = session.unsaved
    this.#cleanups.push(session.onUnsaved((u) => (this.unsaved = u)))
    // A device let in shows it once what the sync brought while it waited is read (`#readAhead`), in a task after
    // that: `letIn` while that goes on, `letInReady` once it is done.
    let letIn: Promise<void> | null = null
    let letInReady = false
    let letInAt: number | null = null
    let rosterClosed = false
    this.#cleanups.push(() => (rosterClosed = true))
    const readRoster = () => {
      // Kept as it is when nothing in it changed: a joining device's sync settles dozens of requests to join
      // as it goes, each a circle change, and a new roster makes the filter bar count the whole board again.
      const members = session.sealed.members()
      if (!sameMembers(this.members, members)) this.members = members
      const circle = session.sealed.circle
      const m = circle.managed ? circle.membership() : null
      const myMember = circle.memberOf(session.me)
      let standing = session.sealed.standing
      const shown = this.membership?.standing
      // Let in: the list appears for the first time, over whatever the sync brought while this device waited
      // (hundreds of items, with the rest of the board still arriving). Those items are read first, in slices,
      // while the device still shows that it waits, and the board view appears in a task of its own: read in
      // its render, in the task of the engine's slice that let the device in, they made one task of 80 ms on
      // the benchmark's joining peer (profiled). The list starts with a few cards in that render, the rest of
      // the page FILL_STEP a task after it (50 cards with the whole board view in one render took 90–190 ms).
      if (standing !== 'member') {
        letIn = null
        letInReady = false
      } else if (shown !== undefined && shown !== 'member') {
        if (!letInReady) {
          standing = shown
          if (!letIn) {
            const reading: Promise<void> = (letIn = this.#readAhead()
              .then(yieldToEventLoop, yieldToEventLoop)
              .then(() => {
                if (letIn !== reading || rosterClosed) return
                letIn = null
                letInReady = true
                readRoster()
              }))
          }
        } else {
          letInReady = false
          this.#stopGrowing()
          letInAt = performance.now()
          this.limit = LET_IN_FIRST
          this.#later(() => this.fillPage())
        }
      }
      this.membership = {
        standing,
        managed: circle.managed,
        me: session.me,
        myMember,
        canModerate: session.canModerate,
        myRole: myMember ? (this.members.find((x) => x.id === myMember)?.role as Role | undefined) ?? null : null,
        requests: circle.openRequests(),
        invites: circle.invites(),
        history: circle.history(),
        membersMayInvite: m?.membersMayInvite ?? true,
      }
      // The render that lets the device in, board view and all: what it costs sizes the list's first steps.
      if (letInAt !== null) this.#measure(Math.min(LET_IN_FIRST, this.#cache.size), letInAt)
      letInAt = null
    }
    const readDiagnostics = () => {
      const d = session.sealed.diagnostics
      this.diagnostics = { counts: [...d.counts.entries()], events: [...d.events].reverse(), pending: session.sealed.pendingCount() }
    }
    // Read once after a run of records, not at each: a joining device records every entry that waits for its
    // author, its key or an earlier one, one after another (48 ms of a profiled join went to reading them again).
    let diagnosticsQueued = false
    const diagnosticsChanged = () => {
      if (diagnosticsQueued) return
      diagnosticsQueued = true
      queueMicrotask(() => {
        diagnosticsQueued = false
        readDiagnostics()
      })
    }
    readRoster()
    readDiagnostics()
    this.failure = session.sealed.failure?.message ?? null
    this.#cleanups.push(session.sealed.onFailure((e) => (this.failure = e.message)))
    this.#cleanups.push(session.sealed.onCircleChange(readRoster), session.sealed.diagnostics.onChange(diagnosticsChanged), session.sealed.onReset(readRoster))
    const tick = setInterval(() => (this.now = Date.now()), 30_000)
    this.#cleanups.push(() => clearInterval(tick))
  }

  #rebuild(items: Y.Map<Y.Map<unknown>>): void {
    this.#cache.clear()
    items.forEach((map, id) => this.#read(id, map))
    this.#listed()
  }

  /** Parses one item into the cache (a map that is not a valid item is left out). */
  #read(id: string, map: unknown): void {
    const item = map instanceof Y.Map ? parseItem(id, map) : null
    if (item) {
      this.#cache.set(id, item)
      this.#noteMeeting(item)
    }
  }

  /** The cache was filled anew: the list, and everything computed from it, follow. */
  #listed(): void {
    this.#list = null
    this.#version++
    this.#view = null
    this.#tally = null
  }

  /**
   * Reads every item before anything shows them, in slices with the page let
   * run between, then sorts the list the board opens on and counts its
   * kinds, in a task of its own: a large board's reading is many short tasks,
   * not part of its first render. What a sync changes meanwhile is read again
   * in slices after that (a joining device's first sync touches thousands of
   * items while it reads), and what changes after is read from the first
   * render on, a chunk per task (#catchUp).
   */
  async prime(): Promise<void> {
    if (this.#primed) return
    const items = this.session.doc.getMap<Y.Map<unknown>>('items')
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plain scratch set, read once
    const touched = new Set<string>()
    const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[]) => {
      for (const key of touchedBy(items, events)) touched.add(key)
    }
    items.observeDeep(observer)
    const primed = { items, touched, stop: () => items.unobserveDeep(observer) }
    this.#primed = primed
    this.#cache.clear()
    const slices = new Slices()
    for (const id of [...items.keys()]) {
      await slices.breathe()
      // Closed, or shown, meanwhile.
      if (this.#primed !== primed) return
      this.#read(id, items.get(id))
    }
    this.#listed()
    await yieldToEventLoop()
    if (this.#primed !== primed) return
    void this.matching
    void this.counts
    for (let round = 0; round < CATCH_UP_ROUNDS && touched.size > 0; round++) {
      // Taken out of `touched`: one changed again since is in it again, and read again.
      const ids = [...touched]
      touched.clear()
      if (!(await this.#reread(items, ids, () => slices.breathe(), () => this.#primed === primed))) return
    }
  }

  /**
   * Before a device that waited is let in: what the sync brought meanwhile
   * (nothing showed the list, so it was only noted, see prime), up to
   * READ_AHEAD_MOST items, read in small chunks in the engine's slices,
   * sorted and counted, so that the render that shows the board reads only
   * what changed since.
   */
  async #readAhead(): Promise<void> {
    const primed = this.#primed
    if (!primed) return
    const ids = [...primed.touched].slice(0, READ_AHEAD_MOST)
    const slices = new Slices()
    for (let at = 0; at < ids.length; at += READ_AHEAD_CHUNK) {
      await slices.breathe()
      // Shown meanwhile: what is not read yet is still in `touched`, read from there (#catchUp).
      if (this.#primed !== primed) return
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plain scratch set, read once
      const chunk = new Set(ids.slice(at, at + READ_AHEAD_CHUNK))
      this.#apply(primed.items, chunk)
      // Taken out of `touched` once read: one changed again after this is in it again, read after the let-in.
      for (const id of chunk) primed.touched.delete(id)
    }
    void this.matching
    void this.counts
  }

  /**
   * What a sync changed between the reading (prime) and the first render:
   * one chunk in the render, the rest in the tasks after it, shown once all
   * are read (with whatever the sync changes meanwhile: a render per chunk
   * would count and sort the whole board again each time). A joining
   * device's sync goes on touching thousands of items meanwhile, and reading
   * them all made the first render a long task (37 ms of its 121 on the
   * benchmark's joining peer). Until its chunk comes, an item shows as it
   * was read, as if that part of the sync were still on its way; one changed
   * again meanwhile is read by the observer at once.
   */
  async #catchUp(items: Y.Map<Y.Map<unknown>>, ids: readonly string[], current: () => boolean, update: () => void): Promise<void> {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plain scratch set, read once
    this.#apply(items, new Set(ids.slice(0, CATCH_UP_CHUNK)))
    const rest = ids.slice(CATCH_UP_CHUNK)
    if (rest.length > 0 && (await this.#reread(items, rest, yieldToEventLoop, current))) update()
  }

  /** Reads `ids` again a chunk at a time, `pause()` before each chunk; false once `current()` is not (closed, shown, or following a new doc). */
  async #reread(items: Y.Map<Y.Map<unknown>>, ids: readonly string[], pause: () => Promise<void>, current: () => boolean): Promise<boolean> {
    for (let at = 0; at < ids.length; at += CATCH_UP_CHUNK) {
      await pause()
      if (!current()) return false
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plain scratch set, read once
      this.#apply(items, new Set(ids.slice(at, at + CATCH_UP_CHUNK)))
    }
    return true
  }

  /** Grows the list to a whole page after a first render of FIRST_PAGE cards: FILL_STEP more now, and as many each task after. */
  fillPage(): void {
    this.#growTo(PAGE_SIZE)
  }

  /** Raises the limit to `target`, a step of cards now (`fillStep`) and one in each task after. */
  #growTo(target: number): void {
    this.#growingTo = Math.max(this.#growingTo, target)
    if (this.limit >= this.#growingTo) return
    const before = this.limit
    const started = performance.now()
    this.limit = Math.min(this.#growingTo, this.limit + fillStep(this.#cardMs))
    this.#measure(this.limit - before, started)
    if (this.limit < this.#growingTo) this.#later(() => this.#growTo(this.#growingTo))
  }

  /**
   * What the render a change just queued costs, counted as the cost of its
   * `cards` new cards (`cardCost`): call it right after the change, begun at
   * `started`. The render runs in the microtask the change queued; this one
   * comes after it. A render that also made the board view (the first of an
   * open, the one that lets a device in) counts the view as cards': a card
   * seems dearer than it is, and the list's first steps are smaller, not
   * larger, than what FILL_BUDGET_MS holds.
   */
  #measure(cards: number, started: number): void {
    if (cards > 0) queueMicrotask(() => (this.#cardMs = cardCost(this.#cardMs, cards, performance.now() - started)))
  }

  /** The board view's first render showed the first cards, in `ms`: the list's first steps follow what they cost (the app opening a board calls it, see `#measure`). */
  firstShown(ms: number): void {
    // The cards that render showed (none if it showed no list: a device still waiting to be let in).
    const cards = this.#shown?.list.length ?? 0
    if (cards > 0) this.#cardMs = cardCost(this.#cardMs, cards, ms)
  }

  /** Runs `step` in the next task (a yield's, not a timer's: see the items' subscription), unless growing stops first; a step still to come is dropped. */
  #later(step: () => void): void {
    const growth = ++this.#growth
    void yieldToEventLoop().then(() => {
      if (growth === this.#growth) step()
    })
  }

  #stopGrowing(): void {
    this.#growth++
    this.#growingTo = 0
  }

  #apply(items: Y.Map<Y.Map<unknown>>, touched: ReadonlySet<string>): void {
    // The sorted view is kept, not sorted again: the changed items' old versions are taken out and their new
    // ones merged in when the view is next read (`merged`), once for all the changes since — a sync applies
    // hundreds of slices between two renders, and merging each into 10,000 items was a pass over them all.
    const view = this.#view
    const tally = this.#tally?.tally
    for (const id of touched) {
      const map = items.get(id)
      const item = map instanceof Y.Map ? parseItem(id, map) : null
      const old = this.#cache.get(id)
      if (item) {
        this.#cache.set(id, item)
        this.#noteMeeting(item)
      } else {
        this.#cache.delete(id)
        if (old) this.#meetingGone(old)
      }
      if (old) view?.gone.add(old)
      if (item && view?.matches(item)) view.added.push(item)
      if (tally) {
        if (old) tally.remove(old)
        if (item) tally.add(item)
      }
    }
    this.#list = null
    this.#version++
  }

  /** Remembers a safe meeting seen before its expiry, so its trace can stay when it expires. */
  #noteMeeting(item: Item): void {
    if (item.kind !== 'meeting') return
    const meetings = this.#memory.meetings(this.session.id)
    if (isExpired(item, Date.now())) return
    meetings.set(item.id, { id: item.id, createdAt: item.createdAt, pinned: item.pinned, start: item.start, expiresAt: item.expiresAt! })
  }

  /** A meeting left the board: a trace stays if it expired, none if a member deleted it. */
  #meetingGone(old: Item): void {
    if (old.kind === 'meeting' && !isExpired(old, Date.now())) this.#memory.meetings(this.session.id).delete(old.id)
  }

  /** Every readable item on the board (expired ones included until swept). */
  get items(): readonly Item[] {
    this.#subscribeItems()
    return (this.#list ??= [...this.#cache.values()])
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
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plain scratch set, emptied at each merge
      this.#view = { query, now, matches, compare, list: items.filter(matches).sort(compare), gone: new Set(), added: [] }
    }
    return merged(this.#view)
  }

  /**
   * The cards the list shows: the first `limit` of `matching`. When others'
   * changes bring more than a step's worth (`fillStep`) of items that were
   * not on screen into that page at once (a joining device's sync applies a
   * large board author by author, each into the middle of the list), the
   * page shows a step of them now and the next ones a task after each
   * other, as `fillPage` grows it: making 25–50 cards in the render after one
   * author's items landed was a task of 55–220 ms on the benchmark's joining
   * peer. A query the person asks for is not held back: it shows its first
   * page at once. A page more (`showMore`, `fillPage`) grows by a step a
   * task already, and is held back only where others' changes brought new
   * items into it meanwhile.
   */
  get visible(): readonly Item[] {
    const matching = this.matching
    const { limit, query, now } = this
    const step = this.#paceStep
    const last = this.#shown
    if (last && last.from === matching && last.limit === limit && last.query === query && last.now === now && last.step === step) return last.list
    const page = matching.slice(0, limit)
    let end = page.length
    if (last && last.query === query && last.now === now) {
      let fresh = 0
      const most = fillStep(this.#cardMs)
      for (let i = 0; i < page.length; i++) {
        if (last.ids.has(page[i]!.id)) continue
        if (++fresh > most) {
          end = i
          break
        }
      }
    }
    const list = end < page.length ? page.slice(0, end) : page
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- plain scratch set, read by the next call only
    this.#shown = { from: matching, limit, query, now, step, list, ids: new Set(list.map((item) => item.id)) }
    if (end < page.length && !this.#pacing) {
      this.#pacing = true
      void yieldToEventLoop().then(() => {
        this.#pacing = false
        this.#paceStep++
      })
    }
    return list
  }

  /**
   * Safe meetings that expired while this tab was running (seen live before).
   * Only their place in the feed is kept, for this session only.
   */
  get traces(): readonly MeetingTrace[] {
    this.#subscribeItems() // read again when items are swept
    const now = this.now
    const meetings = this.#memory.meetings(this.session.id)
    const kept = this.#traces
    if (kept?.version === this.#version && kept.now === now && kept.size === meetings.size) return kept.list
    const list = [...meetings.values()].filter((t) => t.expiresAt <= now)
    this.#traces = { version: this.#version, now, size: meetings.size, list }
    return list
  }

  /**
   * What the feed shows: the visible items with, in the places their
   * meetings had, the traces of meetings that expired. Traces follow the
   * kind filter but not searches or tag/aid filters (nothing of their
   * content is left to match).
   */
  get feed(): readonly FeedEntry[] {
    const visible = this.visible
    const query = this.query
    const shown = (query.kind === undefined || query.kind === 'meeting') && DETAIL_FILTERS.every((f) => query[f] === undefined)
    const traces = shown ? this.traces : []
    if (traces.length === 0) return visible.map((item) => this.#entryOf(item))
    const compare = itemComparator(query)
    const stub = (t: MeetingTrace): MeetingItem =>
      ({ ...t, kind: 'meeting', title: '', body: '', author: '', updatedAt: t.createdAt, tags: [], place: '', end: t.start, access: '' }) as MeetingItem
    const last = visible.length < this.matching.length ? visible.at(-1) : undefined
    const entries: { entry: FeedEntry; key: Item }[] = visible.map((item) => ({ entry: this.#entryOf(item), key: item }))
    for (const trace of traces) {
      const key = stub(trace)
      if (last && compare(key, last) > 0) continue
      entries.push({ entry: this.#entryOf(trace), key })
    }
    return entries.sort((a, b) => compare(a.key, b.key)).map(({ entry }) => entry)
  }

  /**
   * The feed's entry for an item or a trace: the same object for as long as
   * the item is unchanged, so the list leaves the cards of unchanged items
   * alone when one item changes (a new entry object would make every card
   * compute its dates and excerpt again).
   */
  #entryOf(of: Item | MeetingTrace): FeedEntry {
    let entry = this.#entries.get(of)
    if (!entry) this.#entries.set(of, (entry = 'kind' in of ? { item: of } : { trace: of }))
    return entry
  }

  #summary(): BoardSummary {
    this.#subscribeItems()
    const now = this.now
    const seen = this.seenBefore
    const members = this.members // who is "me" (isMine), for what is new
    const kept = this.#tally
    if (kept && kept.tally.now === now && kept.seen === seen && kept.members === members) return kept.tally.summary
    // Untracked: the tally also counts inside the engine's transactions, whatever reaction is running then.
    const tally = new BoardTally(this.#cache.values(), now, (item) => untrack(() => this.#newSince(item, seen)))
    this.#tally = { tally, seen, members }
    return tally.summary
  }

  /** Items per kind (not expired), for the kind buttons. */
  get counts(): KindCounts {
    return this.#summary().counts
  }

  /** Tags in use, most used first. */
  get tags(): readonly string[] {
    return this.#summary().tags
  }

  /** How many items others posted since this person last looked (not expired). */
  get unread(): number {
    return this.#summary().unread
  }

  /**
   * Whether others posted the item since this person last looked. Judged by
   * the author's clock: a post written before the last visit that arrives
   * only now (its author was offline) is not marked.
   */
  isNew(item: Item): boolean {
    return this.#newSince(item, this.seenBefore)
  }

  /** isNew with the last visit read once (it is reactive state: a read per item of a large board adds up). */
  #newSince(item: Item, seen: number | null): boolean {
    return seen !== null && item.createdAt > seen && !this.isMine(item)
  }

  /** Clears the new-post markers of this visit. */
  markAllRead(): void {
    this.seenBefore = Date.now()
  }

  setQuery(patch: Partial<ItemQuery>): void {
    const next: Record<string, unknown> = { ...this.query, ...patch }
    for (const key of Object.keys(next)) if (next[key] === undefined || next[key] === '') delete next[key]
    this.query = next as ItemQuery
    this.#stopGrowing()
    this.limit = PAGE_SIZE
  }

  /** Another page of cards: FILL_STEP now, and as many each task after. */
  showMore(): void {
    this.#growTo(Math.max(this.limit, this.#growingTo) + PAGE_SIZE)
  }

  /**
   * The verified author of an item: the member its id names (or, for items
   * from before ids named owners, whose key-bound Yjs client created it).
   * Items from before sealed boards keep their typed name, without a
   * fingerprint (unverified).
   */
  authorOf(item: Item): Authorship {
    const member = this.ownerOf(item.id)
    return member ? { name: member.name, fingerprint: member.devices[0]?.fingerprint ?? null, sharesName: member.sharesName } : { name: item.author, fingerprint: null, sharesName: false }
  }

  /** Who last edited an item after creating it (verified: the signed writer of the change), or null if it is as posted. */
  editorOf(item: Item): MemberView | null {
    void this.items
    const client = editedBy(this.session.doc, item.id)
    if (client === null) return null
    const memberId = this.session.sealed.authorOfClient(client)
    return (memberId ? this.members.find((m) => m.id === memberId) : undefined) ?? null
  }

  /** The member who owns an item, verified. */
  ownerOf(id: ItemId): MemberView | undefined {
    const owner = itemOwner(id)
    if (owner) return this.member(owner)
    const map = this.session.doc.getMap<Y.Map<unknown>>('items').get(id)
    const client = map instanceof Y.Map ? map._item?.id.client : undefined
    const memberId = client === undefined ? null : this.session.sealed.authorOfClient(client)
    return memberId ? this.members.find((m) => m.id === memberId) : undefined
  }

  /** Whether this device may act on `invite` (revoke it, let in who asks with it): its maker's member, or a moderator. */
  managesInvite(invite: { readonly createdBy: string }): boolean {
    const m = this.membership
    return m !== null && (m.canModerate || (m.myMember !== null && this.member(invite.createdBy)?.id === m.myMember))
  }

  /** A member by any of their devices' tags (or their id). */
  member(tag: string | null): MemberView | undefined {
    return tag ? this.members.find((m) => m.id === tag || m.devices.some((d) => d.tag === tag)) : undefined
  }

  /** This device's fingerprint on this board, to compare in person. */
  get myFingerprint(): string {
    return this.session.fingerprintOf(this.session.signPublic)
  }

  /** The fingerprint people compare for a device's signing key (64 bits, in four groups). */
  fingerprintOf(sign: Uint8Array): string {
    return this.session.fingerprintOf(sign)
  }

  /** Whether this person's member owns the item (verified: by its id or its key-bound creator, never by the typed name). */
  isMine(item: Item): boolean {
    const owner = this.ownerOf(item.id)
    return owner !== undefined && owner.devices.some((d) => d.tag === this.session.me)
  }

  /**
   * What this person may do with an item, in the order the detail view shows
   * them — exactly what every device's engine will accept (the session
   * decides from the board's authority rules): only the owner edits; the
   * owner or a moderator deletes; only moderators pin.
   */
  actionsFor(item: Item): readonly ItemAction[] {
    void this.members
    const can = this.session.actionsFor(item.id)
    const actions: ItemAction[] = []
    if (item.kind === 'meeting' && item.access !== '') actions.push('reveal')
    if (can.edit) actions.push('edit')
    if (can.pin) actions.push(item.pinned ? 'unpin' : 'pin')
    if (item.kind === 'event' || item.kind === 'meeting') actions.push('calendar')
    if (can.delete) actions.push('delete')
    return actions
  }

  /** Whether deleting this item removes someone else's post as a moderator (it leaves a trace). */
  removesAsModerator(item: Item): boolean {
    return this.session.actionsFor(item.id).moderate
  }

  /** A half-written post of this board, kept in memory only (see SessionMemory). */
  draft(key: DraftKey): DraftFields | undefined {
    return this.#memory.draft(this.session.id, key)
  }

  keepDraft(key: DraftKey, fields: DraftFields): void {
    this.#memory.keepDraft(this.session.id, key, fields)
  }

  dropDraft(key: DraftKey): void {
    this.#memory.dropDraft(this.session.id, key)
  }

  /** Posts moderators removed, newest first: a trace where each was, never a silent gap. */
  get removals(): readonly RemovalTrace[] {
    this.#subscribeItems()
    void this.#version
    return readRemovals(this.session.doc).map((r) => ({ id: r.id, at: r.at, owner: this.ownerOf(r.id), by: this.member(this.session.sealed.authorOfClient(r.client)) }))
  }

  /** Creates an invitation; its link carries no content key (see BoardSession.invite). */
  invite(opts: { uses: number; expiresAt: number | null; purpose: 'member' | 'device'; ask: boolean }): Promise<string> {
    return this.session.invite(opts)
  }

  /**
   * A link for whoever runs an always-on relay (moderators only): one use,
   * valid for a week by the admitting device's clock. The relay is admitted
   * with the transport secret alone and never gets a content key.
   */
  async addRelay(now = Date.now()): Promise<{ link: string; expiresAt: number }> {
    const expiresAt = now + RELAY_LINK_MS
    const link = await this.session.invite({ uses: 1, expiresAt, purpose: 'relay', ask: false })
    return { link, expiresAt }
  }

  revokeInvite(id: string): Promise<void> {
    return this.session.revokeInvite(id)
  }

  admit(requestHash: string): Promise<void> {
    return this.session.admit(requestHash)
  }

  refuse(requestHash: string): Promise<void> {
    return this.session.refuse(requestHash)
  }

  removeMember(memberId: string): Promise<void> {
    return this.session.removeMember(memberId)
  }

  removeDevice(tag: string): Promise<void> {
    return this.session.removeDevices([tag])
  }

  setRole(memberId: string, role: Role): Promise<void> {
    return this.session.setRole(memberId, role)
  }

  setMembersMayInvite(value: boolean): Promise<void> {
    return this.session.setMembersMayInvite(value)
  }

  item(id: ItemId): Item | undefined {
    return this.items.find((i) => i.id === id)
  }

  /** Writes what waits to be saved on this device (`unsaved` says whether it could). */
  saveAgain(): Promise<void> {
    return this.session.flush()
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
    this.#stopGrowing()
    this.#primed?.stop()
    this.#primed = null
    for (const cleanup of this.#cleanups.splice(0)) cleanup()
  }
}

/** The current view: the items a query shows, sorted, and what changed since it was last read. */
interface View {
  readonly query: ItemQuery
  readonly now: number
  readonly matches: (i: Item) => boolean
  readonly compare: (a: Item, b: Item) => number
  list: Item[]
  /** Old versions of the items changed since the list was last merged (they may be in `list` or in `added`). */
  readonly gone: Set<Item>
  /** New versions that match, in the order they came. */
  added: Item[]
}

/** The view's list with the changes since its last read merged in: the old versions taken out in one pass, the new ones (sorted among themselves) merged in. */
function merged(view: View): Item[] {
  const { gone, compare } = view
  if (gone.size === 0 && view.added.length === 0) return view.list
  const added = gone.size > 0 ? view.added.filter((i) => !gone.has(i)) : view.added
  view.list = mergeSorted(gone.size > 0 ? view.list.filter((i) => !gone.has(i)) : view.list, added.sort(compare), compare)
  gone.clear()
  view.added = []
  return view.list
}

/** Whether two rosters say the same (every field of every member and device, in order). */
function sameMembers(a: readonly MemberView[], b: readonly MemberView[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b)
}

/** The items a transaction's events touched (read while the observer runs: Yjs computes them only then). */
function touchedBy(items: Y.Map<Y.Map<unknown>>, events: readonly Y.YEvent<Y.AbstractType<unknown>>[]): Set<string> {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local scratch set
  const touched = new Set<string>()
  for (const event of events) {
    // The keys written, not `event.keys`: that one weighs each against the transaction's deletions (a sync's
    // slice brings thousands), 30 ms of a joining peer's task, to drop what was added and deleted again, which
    // the caller finds gone anyway when it reads the key.
    if (event.target === items) for (const key of (event as Y.YMapEvent<unknown>).keysChanged as Set<string>) touched.add(key)
    else if (typeof event.path[0] === 'string') touched.add(event.path[0])
  }
  return touched
}

/** Two lists sorted by `compare`, as one. */
export function mergeSorted<T>(a: readonly T[], b: readonly T[], compare: (x: T, y: T) => number): T[] {
  if (b.length === 0) return a.slice()
  const out = new Array<T>(a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  while (i < a.length && j < b.length) out[k++] = compare(b[j]!, a[i]!) < 0 ? b[j++]! : a[i++]!
  while (i < a.length) out[k++] = a[i++]!
  while (j < b.length) out[k++] = b[j++]!
  return out
}
