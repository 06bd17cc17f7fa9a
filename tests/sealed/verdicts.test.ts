/**
 * A device keeps the verdicts it reached, so that opening a board again does
 * not judge every update a second time. A kept verdict is believed only on
 * the terms it was reached under; anything else is judged again, and the
 * board that opens is the same board either way.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems, setPinned, updateItem } from '../../src/core/index.ts'
import { judgeUpdate } from '../../src/sealed/authority.ts'
import type { VerdictStore } from '../../src/sealed/index.ts'
import { decodeVerdicts, encodeVerdicts } from '../../src/sealed/verdicts.ts'
import { circle, device, exchange, settle, type Circle, type Member } from './fixture.ts'

vi.mock('../../src/sealed/authority.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/sealed/authority.ts')>()
  return { ...actual, judgeUpdate: vi.fn(actual.judgeUpdate) }
})
const judged = vi.mocked(judgeUpdate)

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const board = (m: Member) => readItems(m.board.readable).map((i) => ({ title: i.title, pinned: i.pinned, body: i.body }))
const reasons = (m: Member) => m.board.diagnostics.events.map((e) => e.reason)
/** The updates judged (an update waiting for what it builds on is judged more than once), by who signed them. */
const judgedUpdates = () => new Map(judged.mock.calls.map(([, author, update]) => [Buffer.from(update).toString('base64'), author.tag]))

/** The device's own store, in memory. */
function keptIn(): VerdictStore & { bytes: Uint8Array | null } {
  const store = {
    bytes: null as Uint8Array | null,
    load: () => Promise.resolve(store.bytes),
    save: (bytes: Uint8Array) => {
      store.bytes = bytes
      return Promise.resolve()
    },
  }
  return store
}

const opened: Member[] = []
afterEach(() => {
  for (const m of opened.splice(0)) m.board.destroy()
  judged.mockClear()
})

/** The founder's device, started again over a copy of what its sealed doc holds now. */
async function reopen(c: Circle, verdicts: VerdictStore): Promise<Member> {
  const founder = c.founder
  const sealed = new Y.Doc()
  Y.applyUpdate(sealed, Y.encodeStateAsUpdate(founder.board.sealed))
  const m = await device(`${founder.name} again`, { keys: founder.keys, boardId: c.boardId, sealed, verdicts })
  opened.push(m)
  return m
}

async function post(m: Member, title: string): Promise<string> {
  const r = createItem(m.board.readable, notice(title), Date.now(), newItemId(m.board.myTag))
  if (!r.ok) throw new Error('create failed')
  await settle(m)
  return r.value.id
}

/**
 * Ana founds the board; Alice, Bob and Ana post; Eve tries to rewrite Alice's
 * post and is refused. (Nobody builds on another member's post here: the
 * order in which authors' entries are handled cannot matter.)
 */
async function story() {
  const c = await circle('Ana', 'Alice', 'Bob', 'Eve')
  const [ana, alice, bob, eve] = c.members as [Member, Member, Member, Member]
  const meeting = await post(alice, 'Meeting moved to Thursday')
  await post(bob, 'Coats for the winter drive')
  await post(ana, 'Rides to the clinic: ask Ana')
  await exchange(ana, alice, bob, eve)
  updateItem(eve.board.readable, meeting, { body: 'Cancelled, stay home' }, Date.now())
  await settle(eve)
  await exchange(ana, alice, bob, eve)
  return { c, ana, alice, bob, eve }
}

/**
 * Ana (the moderator) pins a member's post, and her device keeps that verdict.
 * Her log is handled before that member's (her tag sorts first), so on the
 * next opening her kept pin reaches the readable doc before the post it pins.
 * Then she posts again, a verdict never kept.
 */
async function pinKeptBeforeItsPost() {
  let c: Circle
  let poster: Member | undefined
  do {
    c = await circle('Ana', 'Alice', 'Bob')
    const founderTag = c.founder.board.myTag
    poster = c.members.slice(1).find((m) => m.board.myTag > founderTag)
  } while (!poster)
  const ana = c.founder
  const pinned = await post(poster, 'Food bank open late on Friday')
  await exchange(...c.members)
  setPinned(ana.board.readable, pinned, true)
  await settle(ana)
  const kept = keptIn()
  const first = await reopen(c, kept)
  await first.board.saveVerdicts()
  first.board.destroy()
  await post(ana, 'Rides to the clinic: ask Ana')
  return { c, ana, poster, kept }
}

describe('verdicts kept across openings', () => {
  it('Ana opens her board again: the same board, and only Eve’s refused change is judged again', async () => {
    const { c, eve } = await story()
    const kept = keptIn()
    const first = await reopen(c, kept)
    // Alice's, Bob's and Ana's posts, Eve's rewrite.
    expect(judgedUpdates().size).toBe(4)
    await first.board.saveVerdicts()
    expect(kept.bytes).not.toBeNull()
    expect(reasons(first)).toContain('forbidden_edit')

    judged.mockClear()
    const second = await reopen(c, kept)
    // A refusal is not kept: it is reached, and reported, again.
    expect([...judgedUpdates().values()]).toEqual([eve.board.myTag])
    expect(board(second)).toEqual(board(first))
    expect(board(second)).toContainEqual({ title: 'Meeting moved to Thursday', pinned: false, body: '' })
    expect(reasons(second)).toEqual(reasons(first))
  })

  it('saves them by itself a little after judging stops', async () => {
    const { c } = await story()
    const kept = keptIn()
    await reopen(c, kept)
    expect(kept.bytes).toBeNull()
    await vi.waitFor(() => expect(kept.bytes).not.toBeNull(), { timeout: 6000, interval: 100 })
    // The three updates applied: Alice's, Bob's and Ana's posts (Eve's was refused).
    expect(decodeVerdicts(kept.bytes!)!.entries.size).toBe(3)
  })

  it('a kept verdict reached with other rights than the author’s at that entry is not believed', async () => {
    const { c } = await story()
    const kept = keptIn()
    const first = await reopen(c, kept)
    await first.board.saveVerdicts()
    const verdicts = decodeVerdicts(kept.bytes!)!
    kept.bytes = encodeVerdicts({ signature: verdicts.signature, entries: new Map([...verdicts.entries].map(([hash, v]) => [hash, { ...v, judgedWith: 'true/true' }])) })

    judged.mockClear()
    const second = await reopen(c, kept)
    // Ana moderates ("true/true"): only her post matches; Alice's and Bob's are judged again (Eve's too: never kept).
    expect(new Set(judgedUpdates().values())).toEqual(new Set(c.members.slice(1).map((m) => m.board.myTag)))
    expect(board(second)).toEqual(board(first))
  })

  it('verdicts kept while other devices were cut off than now: every update is judged again', async () => {
    const { c } = await story()
    const kept = keptIn()
    const first = await reopen(c, kept)
    const everyUpdate = judgedUpdates()
    await first.board.saveVerdicts()
    const verdicts = decodeVerdicts(kept.bytes!)!
    kept.bytes = encodeVerdicts({ signature: `${verdicts.signature}|dsomeone:else`, entries: verdicts.entries })

    judged.mockClear()
    const second = await reopen(c, kept)
    expect(judgedUpdates()).toEqual(everyUpdate)
    expect(board(second)).toEqual(board(first))
    expect(reasons(second)).toEqual(reasons(first))
  })

  it('a kept update that comes before what it builds on does not make the device refuse the honest updates after it', async () => {
    const { c, ana, kept } = await pinKeptBeforeItsPost()

    judged.mockClear()
    const second = await reopen(c, kept)
    expect(board(second)).toEqual(board(ana))
    expect(board(second)).toContainEqual({ title: 'Food bank open late on Friday', pinned: true, body: '' })
    expect(board(second).map((i) => i.title)).toContain('Rides to the clinic: ask Ana')
    expect(second.board.diagnostics.total).toBe(0)
    expect(second.board.readable.store.pendingStructs).toBeNull()
  })

  it('a kept update whose ground is missing when the board opens is judged again once it arrives', async () => {
    const { c, ana, poster, kept } = await pinKeptBeforeItsPost()

    // Ana's device opens without the post she pinned (someone deleted it from the shared doc meanwhile).
    const postKey = [...ana.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(`${poster.board.myTag}.`)).sort((a, b) => Number(b.split('.')[1]) - Number(a.split('.')[1]))[0]!
    const sealed = new Y.Doc()
    Y.applyUpdate(sealed, Y.encodeStateAsUpdate(ana.board.sealed))
    sealed.getMap('entries').delete(postKey)
    const second = await device('Ana again', { keys: ana.keys, boardId: c.boardId, sealed, verdicts: kept })
    opened.push(second)
    expect(board(second).map((i) => i.title)).not.toContain('Food bank open late on Friday')

    // It arrives again: the pin and Ana's later post follow, nothing refused.
    const bytes = ana.board.sealed.getMap('entries').get(postKey) as Uint8Array
    sealed.transact(() => sealed.getMap('entries').set(postKey, bytes), 'remote')
    await settle(second)
    expect(board(second)).toEqual(board(ana))
    expect(board(second).map((i) => i.title)).toContain('Rides to the clinic: ask Ana')
    expect(second.board.diagnostics.total).toBe(0)
  })

  it('verdicts that are not this version’s, or damaged, are not believed', () => {
    const good = encodeVerdicts({ signature: 'g1', entries: new Map([['h1', { judgedWith: 'true/false', range: { from: 3, to: 9 } }], ['h2', { judgedWith: 'true/true', range: null }]]) })
    expect(decodeVerdicts(good)).toEqual({ signature: 'g1', entries: new Map([['h1', { judgedWith: 'true/false', range: { from: 3, to: 9 } }], ['h2', { judgedWith: 'true/true', range: null }]]) })
    expect(decodeVerdicts(good.subarray(0, good.length - 1))).toBeNull()
    expect(decodeVerdicts(Uint8Array.of(...good, 0))).toBeNull()
    expect(decodeVerdicts(Uint8Array.of(2, ...good.subarray(1)))).toBeNull()
    // A range flag that is neither 0 nor 1 (the last byte of one verdict without a range).
    const bad = encodeVerdicts({ signature: 'g1', entries: new Map([['h1', { judgedWith: 'true/false', range: null }]]) })
    expect(bad[bad.length - 1]).toBe(0)
    bad[bad.length - 1] = 2
    expect(decodeVerdicts(bad)).toBeNull()
    expect(decodeVerdicts(new Uint8Array(0))).toBeNull()
  })
})
