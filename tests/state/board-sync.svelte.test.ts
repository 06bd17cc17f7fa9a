/**
 * What a board shows while a sync brings it many items at once, with the
 * reactive graph the app renders from ($effect), not read by hand: a nearly
 * empty board that receives a large board's first sync shows a few cards in
 * that render and the rest of the page FILL_STEP a task after it (a large
 * board's first sync rendered 50 cards in one task: 175 ms on the
 * benchmark's peer; then the 38 after the first 12, 69 ms). A board that
 * shows a page already gets a joining device's sync author by author, each
 * into the middle of the page: no render makes more than FILL_STEP new cards
 * there either (25–50 in one render were tasks of 55–220 ms).
 */
import { flushSync } from 'svelte'
import { describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId } from '../../src/core/index.ts'
import { AT_ONCE_ITEMS, BoardState, CATCH_UP_CHUNK, cardCost, FILL_BUDGET_MS, FILL_STEP, fillStep, FIRST_PAGE, LET_IN_FIRST, PAGE_SIZE, READ_AHEAD_MOST, SHOW_EVERY_MS } from '../../src/state/board.svelte.ts'
import { SessionMemory } from '../../src/state/session-memory.ts'
import { postNotices, record, session } from './fake-session.ts'
import { yieldToEventLoop } from '../../src/sealed/yield.ts'

/** A board as the app shows it: its cards read in an effect. Returns how many cards each render showed, and a way to stop. */
async function shown(s: ReturnType<typeof session>): Promise<{ board: BoardState; renders: number[]; stop: () => void }> {
  const board = new BoardState(s, record, new SessionMemory())
  await board.prime()
  board.fillPage()
  await until(() => board.limit === PAGE_SIZE)
  const renders: number[] = []
  const stop = $effect.root(() => {
    $effect(() => {
      renders.push(board.visible.length)
    })
  })
  flushSync()
  return { board, renders, stop }
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0))

/** Lets tasks run (each renders what it changed) until `done()`, or fails after many. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await nextTask()
  flushSync()
  expect(done()).toBe(true)
}

/**
 * A device waiting to be let in, whose board a sync fills with `n` items
 * meanwhile. `standing(to)` changes what its engine says and tells the
 * board, as a change of the circle does.
 */
async function waiting(n: number, before?: (board: BoardState) => Promise<void>): Promise<{ board: BoardState; standing: (to: string) => void }> {
  const listeners = new Set<() => void>()
  const s = session(0, listeners)
  const sealed = s.sealed as unknown as { standing: string }
  sealed.standing = 'waiting'
  const board = new BoardState(s, record, new SessionMemory())
  await board.prime()
  await before?.(board)
  s.doc.transact(() => postNotices(s.doc, n))
  const standing = (to: string) => {
    sealed.standing = to
    for (const f of listeners) f()
  }
  return { board, standing }
}

/** The board's cards rendered in an effect (while `showing()`), each new card costing `cardMs` (a slow phone). Returns how many each render showed. */
function slowCards(board: BoardState, cardMs: number, showing = () => true): { renders: number[]; stop: () => void } {
  const renders: number[] = []
  const stop = $effect.root(() => {
    $effect(() => {
      if (!showing()) return
      const n = board.visible.length
      const busy = cardMs * Math.max(0, n - (renders.at(-1) ?? 0))
      for (const t = performance.now(); performance.now() - t < busy; );
      renders.push(n)
    })
  })
  return { renders, stop }
}

describe('a board that a sync fills', () => {
  it('an empty board that receives 300 items at once shows FIRST_PAGE cards, then FILL_STEP more a task up to a whole page', async () => {
    const s = session(0)
    const { renders, stop } = await shown(s)
    s.doc.transact(() => postNotices(s.doc, 300))
    flushSync()
    expect(renders).toEqual([0, FIRST_PAGE])
    await until(() => renders.at(-1) === PAGE_SIZE)
    // 12, 24, 36, 48, then the last 2, each in a task of its own: no render adds more than FILL_STEP cards.
    const steps = renders.slice(1).map((n, i) => n - renders[i]!)
    expect(Math.max(...steps)).toBe(FILL_STEP)
    expect(renders).toEqual([0, 12, 24, 36, 48, 50])
    stop()
  })

  it('where a card is slow to render, the list grows by as many cards as FILL_BUDGET_MS holds, measured as it goes', async () => {
    const s = session(300)
    const board = new BoardState(s, record, new SessionMemory())
    await board.prime()
    // A phone on which each new card costs 6 ms to render.
    const CARD_MS = 6
    const { renders, stop } = slowCards(board, CARD_MS)
    flushSync()
    expect(renders).toEqual([FIRST_PAGE])
    board.fillPage()
    await until(() => renders.at(-1) === PAGE_SIZE)
    const steps = renders.slice(1).map((n, i) => n - renders[i]!)
    // Nothing measured yet: the first step is a whole FILL_STEP; after it, each holds what the budget does.
    expect(steps[0]).toBe(FILL_STEP)
    const most = Math.floor(FILL_BUDGET_MS / CARD_MS)
    expect(steps.length).toBeGreaterThan(1)
    expect(steps.slice(1).every((n) => n >= 1 && n <= most)).toBe(true)

    // A sync brings 30 newer items into the top of the shown page: no render makes more new cards than a step.
    const before = new Set(board.visible.map((i) => i.id))
    const fresh: number[] = []
    const stopFresh = $effect.root(() => {
      $effect(() => {
        fresh.push(board.visible.filter((i) => !before.has(i.id)).length)
      })
    })
    s.doc.transact(() => postNotices(s.doc, 30, 300), 'sync')
    await until(() => fresh.at(-1) === 30)
    const added = fresh.slice(1).map((n, i) => n - fresh[i]!)
    expect(added.length).toBeGreaterThan(1)
    expect(Math.max(...added)).toBeLessThanOrEqual(most)
    stopFresh()
    stop()
  })

  it('where a card is slow to render, the render that lets a device in sizes the first step after it: no step holds more cards than FILL_BUDGET_MS', async () => {
    const { board, standing } = await waiting(300)
    const CARD_MS = 6
    const { renders, stop } = slowCards(board, CARD_MS, () => board.membership?.standing === 'member')
    flushSync()
    standing('member')
    await until(() => renders.at(-1) === PAGE_SIZE)
    expect(renders[0]).toBe(LET_IN_FIRST)
    const steps = renders.slice(1).map((n, i) => n - renders[i]!)
    // Measured before the first step, not after it: that one is no whole FILL_STEP.
    expect(Math.max(...steps)).toBeLessThanOrEqual(Math.floor(FILL_BUDGET_MS / CARD_MS))
    stop()
    board.destroy()
  })

  it('a board opened: what its first render cost (firstShown) sizes the first step of the page after it', async () => {
    const s = session(300)
    const board = new BoardState(s, record, new SessionMemory())
    await board.prime()
    const renders: number[] = []
    const stop = $effect.root(() => {
      $effect(() => {
        renders.push(board.visible.length)
      })
    })
    flushSync()
    expect(renders).toEqual([FIRST_PAGE])
    // Twelve cards and the board view around them took 96 ms: 8 ms a card, as the list counts it.
    board.firstShown(96)
    board.fillPage()
    await until(() => renders.at(-1) === PAGE_SIZE)
    const steps = renders.slice(1).map((n, i) => n - renders[i]!)
    expect(steps[0]).toBe(Math.floor(FILL_BUDGET_MS / 8))
    stop()
    board.destroy()
  })

  it('fillStep: a whole FILL_STEP until a card was measured, then what the budget holds, at least one card', () => {
    expect(fillStep(0)).toBe(FILL_STEP)
    expect(fillStep(1)).toBe(FILL_STEP)
    expect(fillStep(FILL_BUDGET_MS / 4)).toBe(4)
    expect(fillStep(FILL_BUDGET_MS * 3)).toBe(1)
    expect(cardCost(0, 10, 50)).toBe(5)
    expect(cardCost(5, 4, 4)).toBe(3)
  })

  it('show more adds a page FILL_STEP cards a task; a query shows its first page at once and stops the growing', async () => {
    const s = session(300)
    const { board, renders, stop } = await shown(s)
    expect(renders).toEqual([PAGE_SIZE])
    board.showMore()
    flushSync()
    expect(renders.at(-1)).toBe(PAGE_SIZE + FILL_STEP)
    // Asked again while it grows: one more page on top of the one coming.
    board.showMore()
    await until(() => renders.at(-1) === 3 * PAGE_SIZE)
    expect(Math.max(...renders.slice(1).map((n, i) => n - renders[i]!))).toBe(FILL_STEP)

    board.showMore()
    board.setQuery({ text: 'notice' })
    flushSync()
    expect(renders.at(-1)).toBe(PAGE_SIZE)
    // The growing stopped: the query's page stays as it is.
    for (let i = 0; i < 20; i++) await nextTask()
    flushSync()
    expect(renders.at(-1)).toBe(PAGE_SIZE)
    expect(board.limit).toBe(PAGE_SIZE)
    stop()
    board.destroy()
  })

  it('a board already showing a page keeps it when many more arrive, newer than all it shows: the page fills with them FILL_STEP new cards a task; one that grows a little shows them at once', async () => {
    const s = session(30)
    const { board, renders, stop } = await shown(s)
    expect(renders).toEqual([30])
    s.doc.transact(() => postNotices(s.doc, 300, 30))
    flushSync()
    // The 300 are newer than the 30 shown: the page's first 12 of them now, the 30 below them gone from it.
    expect(renders.at(-1)).toBe(FILL_STEP)
    expect(board.limit).toBe(PAGE_SIZE)
    await until(() => renders.at(-1) === PAGE_SIZE)
    expect(renders).toEqual([30, 12, 24, 36, 48, 50])
    expect(board.visible.map((item) => item.title)).toEqual(Array.from({ length: PAGE_SIZE }, (_, i) => `notice ${329 - i}`))
    expect(board.limit).toBe(PAGE_SIZE)
    stop()

    const few = session(0)
    const second = await shown(few)
    few.doc.transact(() => postNotices(few.doc, 5))
    flushSync()
    expect(second.renders).toEqual([0, 5])
    second.stop()
  })

  it('a device let in while a sync filled its board reads what came first, then shows LET_IN_FIRST cards and every item counted in a later task, then FILL_STEP more a task', async () => {
    // While it waits, nothing shows the list (grown to a page before); the sync brings 300 items meanwhile.
    const { board, standing } = await waiting(300, async (b) => {
      b.fillPage()
      await until(() => b.limit === PAGE_SIZE)
    })
    const renders: number[] = []
    const counted: number[] = []
    const stop = $effect.root(() => {
      $effect(() => {
        if (board.membership?.standing !== 'member') return
        renders.push(board.visible.length)
        counted.push(board.counts.all)
      })
    })
    flushSync()
    expect(renders).toEqual([])
    standing('member')
    flushSync()
    // Not in the task that let it in (the engine's, in the app): the 300 items are read first, while it still shows that it waits.
    expect(renders).toEqual([])
    expect(board.membership?.standing).toBe('waiting')
    await until(() => renders.length > 0)
    // All 300 read before that render, not the first CATCH_UP_CHUNK of them in it.
    expect(CATCH_UP_CHUNK).toBeLessThan(300)
    expect(renders[0]).toBe(LET_IN_FIRST)
    expect(counted[0]).toBe(300)
    await until(() => renders.at(-1) === PAGE_SIZE)
    expect(Math.max(...renders.slice(1).map((n, i) => n - renders[i]!))).toBe(FILL_STEP)
    expect(board.visible.map((item) => item.title)).toEqual(Array.from({ length: PAGE_SIZE }, (_, i) => `notice ${299 - i}`))
    stop()
    board.destroy()
  })

  it('a device let in after more items came than it reads first (READ_AHEAD_MOST) is let in with those read, and counts the rest after', async () => {
    const total = READ_AHEAD_MOST + 300
    const { board, standing } = await waiting(total)
    const counted: number[] = []
    const stop = $effect.root(() => {
      $effect(() => {
        if (board.membership?.standing === 'member') counted.push(board.counts.all)
      })
    })
    standing('member')
    await until(() => counted.length > 0)
    expect(counted[0]).toBeGreaterThanOrEqual(READ_AHEAD_MOST)
    expect(counted[0]).toBeLessThan(total)
    await until(() => counted.at(-1) === total)
    stop()
    board.destroy()
  })

  it('a device let in, then removed before what came was read, is not shown the board; let in again, it is', async () => {
    const { board, standing } = await waiting(300)
    standing('member')
    standing('removed')
    expect(board.membership?.standing).toBe('removed')
    for (let i = 0; i < 20; i++) await nextTask()
    expect(board.membership?.standing).toBe('removed')
    standing('member')
    expect(board.membership?.standing).toBe('removed')
    await until(() => board.membership?.standing === 'member')
    expect(board.counts.all).toBe(300)
    board.destroy()
  })

  it('a sync that brings an author’s items into the middle of a shown page, again and again, never makes more than FILL_STEP new cards in one render, and ends on the right page', async () => {
    const s = session(0)
    const items = s.doc.getMap<Y.Map<unknown>>('items')
    // One author's 250 items, spread over the same span of time as the ones already there (as a joining device gets them, one member after another).
    const author = (k: number) => {
      for (let i = 0; i < 250; i++) {
        const r = createItem(s.doc, { kind: 'notice', title: `notice ${k}-${i}`, body: '', author: 'Ana', tags: [], pinned: false, expiresAt: null }, 1_000 + i * 8 + k, newItemId('AAAAAAAAAAA'))
        if (!r.ok) throw new Error(JSON.stringify(r))
      }
    }
    s.doc.transact(() => author(0))
    const { board, renders, stop } = await shown(s)
    expect(renders).toEqual([PAGE_SIZE])
    const onScreen = new Set(board.visible.map((item) => item.id))
    let most = 0
    const watch = $effect.root(() => {
      $effect(() => {
        const ids = board.visible.map((item) => item.id)
        most = Math.max(most, ids.filter((id) => !onScreen.has(id)).length)
        onScreen.clear()
        for (const id of ids) onScreen.add(id)
      })
    })
    for (let k = 1; k < 8; k++) {
      const before = renders.length
      s.doc.transact(() => author(k))
      // Others' changes show within SHOW_EVERY_MS, then the page fills a task at a time.
      for (let i = 0; i < 2000 && !(renders.length > before && renders.at(-1) === PAGE_SIZE); i++) await nextTask()
      flushSync()
      expect(renders.at(-1)).toBe(PAGE_SIZE)
    }
    // The first authors' items took half the page or more from the one before: several renders each, none with more than FILL_STEP new cards.
    expect(most).toBe(FILL_STEP)
    expect(renders.slice(0, 8)).toEqual([50, 24, 36, 48, 50, 36, 48, 50])
    const everything = [...items.keys()].map((id) => board.items.find((item) => item.id === id)!).sort((a, b) => b.createdAt - a.createdAt)
    expect(board.visible.map((item) => item.id)).toEqual(everything.slice(0, PAGE_SIZE).map((item) => item.id))
    expect(board.limit).toBe(PAGE_SIZE)
    watch()
    stop()
  })

  it('what a sync changed after the reading is read a chunk per task from the first render on, not all in that render, and shown once read', async () => {
    const s = session(300)
    const board = new BoardState(s, record, new SessionMemory())
    await board.prime()
    board.fillPage()
    const items = s.doc.getMap<Y.Map<unknown>>('items')
    // The sync goes on between the reading and the render: 1,000 more notices, and one already read is edited.
    s.doc.transact(() => {
      postNotices(s.doc, 1000, 300)
      items.get([...items.keys()][0]!)!.set('title', 'edited after the reading')
    })
    const read = vi.spyOn(items, 'get')
    const renders: number[] = []
    const stop = $effect.root(() => {
      $effect(() => {
        renders.push(board.items.length)
      })
    })
    flushSync()
    // The first render read one chunk of the 1,001 changed items.
    expect(read.mock.calls.length).toBeLessThanOrEqual(CATCH_UP_CHUNK)
    for (let i = 0; i < 10; i++) {
      await nextTask()
      flushSync()
    }
    // The rest showed once all was read (one render, not one per chunk), the edit included.
    expect(renders).toEqual([300 + CATCH_UP_CHUNK, 1300])
    expect(read.mock.calls.length).toBe(1001)
    expect(board.items.filter((i) => i.title === 'edited after the reading')).toHaveLength(1)
    stop()
  })

  it('stops the catch-up when nothing shows the board any more (it was closed): the rest is not read', async () => {
    const s = session(300)
    const board = new BoardState(s, record, new SessionMemory())
    await board.prime()
    board.fillPage()
    s.doc.transact(() => postNotices(s.doc, 1000, 300))
    const read = vi.spyOn(s.doc.getMap<Y.Map<unknown>>('items'), 'get')
    const stop = $effect.root(() => {
      $effect(() => {
        void board.items.length
      })
    })
    flushSync()
    const inRender = read.mock.calls.length
    expect(inRender).toBeLessThanOrEqual(CATCH_UP_CHUNK)
    // Closed before the next chunk's task.
    stop()
    for (let i = 0; i < 10; i++) await nextTask()
    expect(read.mock.calls.length).toBe(inRender)
  })

  it('stops the catch-up when the engine rebuilds the readable doc: nothing of the old doc is read or shown after it', async () => {
    const s = session(300)
    // The engine's reset (a membership change altered a verdict): a new readable doc, and the board told so.
    const resets: (() => void)[] = []
    Object.assign(s.sealed, { onReset: (listener: () => void) => (resets.push(listener), () => {}) })
    const board = new BoardState(s, record, new SessionMemory())
    await board.prime()
    board.fillPage()
    s.doc.transact(() => postNotices(s.doc, 1000, 300))
    const old = s.doc.getMap<Y.Map<unknown>>('items')
    const read = vi.spyOn(old, 'get')
    const stop = $effect.root(() => {
      $effect(() => {
        void board.items.length
      })
    })
    flushSync()
    const inRender = read.mock.calls.length
    expect(inRender).toBeLessThanOrEqual(CATCH_UP_CHUNK)
    // Rebuilt before the next chunk's task: the new doc holds 2 of the notices.
    const rebuilt = new Y.Doc()
    postNotices(rebuilt, 2)
    Object.assign(s, { doc: rebuilt })
    for (const reset of resets) reset()
    for (let i = 0; i < 10; i++) {
      await nextTask()
      flushSync()
    }
    expect(read.mock.calls.length).toBe(inRender)
    expect(board.items.map((i) => i.title).sort()).toEqual(['notice 0', 'notice 1'])
    stop()
  })
})

describe('others’ changes while they keep coming', () => {
  /** Items written on another device, arriving here as a sync's update does. */
  function fromPeer(s: ReturnType<typeof session>, n: number, from: number): void {
    const other = new Y.Doc()
    Y.applyUpdate(other, Y.encodeStateAsUpdate(s.doc))
    postNotices(other, n, from)
    Y.applyUpdate(s.doc, Y.encodeStateAsUpdate(other, Y.encodeStateVector(s.doc)), 'network')
  }

  it('a sync that adds items and deletes some of them, and some already shown, in one transaction shows exactly what is left, and counts it', async () => {
    const s = session(4)
    const { board, stop } = await shown(s)
    const other = new Y.Doc()
    Y.applyUpdate(other, Y.encodeStateAsUpdate(s.doc))
    const items = other.getMap<Y.Map<unknown>>('items')
    const shownIds = [...items.keys()]
    const before = Y.encodeStateVector(s.doc)
    other.transact(() => {
      postNotices(other, 6, 100)
      const added = [...items.keys()].filter((id) => !shownIds.includes(id))
      // Two of the new ones are gone again in the same change, and one that was shown.
      for (const id of [...added.slice(0, 2), shownIds[0]!]) items.delete(id)
    })
    Y.applyUpdate(s.doc, Y.encodeStateAsUpdate(other, before), 'network')
    const left = [...other.getMap<Y.Map<unknown>>('items').keys()].sort()
    await until(() => board.visible.length === left.length)
    expect(board.visible.map((v) => v.id).sort()).toEqual(left)
    expect(board.counts.all).toBe(7)
    stop()
  })

  it('a small change after a quiet spell shows at once; those that follow within SHOW_EVERY_MS show together once it has passed; this device’s own change shows at once', async () => {
    const s = session(0)
    const { board, renders, stop } = await shown(s)
    fromPeer(s, 2, 0)
    flushSync()
    expect(renders.at(-1)).toBe(2)
    fromPeer(s, 3, 2)
    flushSync()
    expect(renders.at(-1)).toBe(2)
    // Read by hand, the board is never behind: only its renders wait.
    expect(board.items).toHaveLength(5)
    await new Promise((resolve) => setTimeout(resolve, SHOW_EVERY_MS + 30))
    flushSync()
    expect(renders.at(-1)).toBe(5)

    fromPeer(s, 1, 5)
    s.doc.transact(() => postNotices(s.doc, 1, 6))
    flushSync()
    expect(renders.at(-1)).toBe(7)
    const count = renders.length
    stop()
    await new Promise((resolve) => setTimeout(resolve, SHOW_EVERY_MS + 30))
    expect(renders).toHaveLength(count)
  })

  it('shows what a sync brings while it goes on yielding between slices, where a yield outranks every timer (scheduler.yield in Chromium)', async () => {
    // Chromium runs a yield's continuation before other tasks of its priority: timers wait until the engine stops.
    vi.stubGlobal('scheduler', { yield: () => Promise.resolve() })
    let now = 1_000
    vi.spyOn(performance, 'now').mockImplementation(() => now)
    try {
      const s = session(0)
      const { renders, stop } = await shown(s)
      const during: number[] = []
      const inSlice: number[] = []
      // More items a slice than a post arriving alone brings.
      const perSlice = AT_ONCE_ITEMS + 2
      for (let slice = 0; slice < 20; slice++) {
        now += 40
        const before = renders.length
        fromPeer(s, perSlice, slice * perSlice)
        flushSync()
        // No slice renders in the task that applied it, not even the first after the quiet.
        inSlice.push(renders.length - before)
        await yieldToEventLoop()
        // What the task after it rendered (Svelte's own flush, a microtask here, would come after the loop's).
        flushSync()
        during.push(renders.at(-1)!)
      }
      expect(during[0]).toBe(perSlice)
      expect(inSlice.every((n) => n === 0)).toBe(true)
      // Shown as it came, about every SHOW_EVERY_MS of the sync (every third slice here), not once at its end.
      expect(new Set(during).size).toBeGreaterThanOrEqual(6)
      expect(during.at(-1)).toBeGreaterThan(0)
      stop()
    } finally {
      vi.unstubAllGlobals()
      vi.restoreAllMocks()
    }
  })
})
