/**
 * A large update judged in slices (`judgeUpdateInSlices`) gets the very
 * verdict the judgement in one go gives — accepted, refused for its first
 * forbidden struct however far into the update it lies, or waiting on a
 * struct not here yet — while the page is let run every few thousand
 * structs. Its columns are its own: another judgement made while it waits
 * (another board, a compaction) must not change what it reads.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { JUDGE_STEP_STRUCTS, judgeUpdate, judgeUpdateInSlices, type Author, type Judgement } from '../../src/sealed/authority.ts'
import { borrowColumns, returnColumns } from '../../src/sealed/update-reader.ts'
import { alice, Board, eve, items, mo, post } from './judge-fixture.ts'

/** Alice's `n` posts of a few fields each, in one update (about 9 structs a post). */
const alicesPosts = (n: number, from = 0) => (d: Y.Doc) => {
  for (let i = from; i < from + n; i++) items(d).set(`alice/${i}`, post({ title: `notice ${i}`, body: 'the usual place, bring blankets', pinned: false, createdAt: 1000 + i }))
}

/** The sliced judgement, with how many times it let the page run; `between` runs at each breath. */
async function sliced(board: Board, who: Author, update: Uint8Array, between: () => void = () => {}): Promise<{ verdict: Judgement; breaths: number }> {
  let breaths = 0
  const verdict = await judgeUpdateInSlices(board.ctx, who, update, {
    breathe: async () => {
      breaths++
      between()
      await Promise.resolve()
    },
  })
  return { verdict, breaths }
}

describe('a large update judged in slices', () => {
  it('Alice’s 2,000 posts in one update: accepted as in one go, with the page let run every few thousand structs', async () => {
    const board = new Board()
    const update = board.write(alice, alicesPosts(2000))
    const whole = judgeUpdate(board.ctx, alice, update)
    expect(whole).toMatchObject({ kind: 'accept', range: { from: 0 } })

    const { verdict, breaths } = await sliced(board, alice, update)
    expect(verdict).toEqual(whole)
    // Read, then placed, a step of structs at a time.
    const structs = (whole as { range: { to: number } }).range.to
    expect(breaths).toBeGreaterThanOrEqual(2 * Math.floor(structs / JUDGE_STEP_STRUCTS) - 1)
  })

  it('Eve’s 2,000 posts with one edit of Alice’s post at the end: refused for that edit, as in one go', async () => {
    const board = new Board()
    Y.applyUpdate(board.doc, board.write(alice, alicesPosts(1)))
    const update = board.write(eve, (d) => {
      for (let i = 0; i < 2000; i++) items(d).set(`eve/${i}`, post({ title: `notice ${i}`, pinned: false }))
      items(d).get('alice/0')!.set('title', 'Meet at the police station')
    })
    const whole = judgeUpdate(board.ctx, eve, update)
    expect(whole).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
    expect((await sliced(board, eve, update)).verdict).toEqual(whole)
  })

  it('Mo’s large update building on a post not here yet: waits on it, as in one go', async () => {
    const board = new Board()
    const unsent = board.write(alice, alicesPosts(1))
    const update = board.write(
      mo,
      (d) => {
        for (let i = 0; i < 2000; i++) d.getMap('meta').set(`note ${i}`, i)
        items(d).get('alice/0')!.set('pinned', true)
      },
      [unsent],
    )
    const whole = judgeUpdate(board.ctx, mo, update)
    expect(whole).toMatchObject({ kind: 'wait', client: alice.client })
    expect((await sliced(board, mo, update)).verdict).toEqual(whole)
  })

  it('a damaged large update is refused as not a Yjs update, as in one go', async () => {
    const board = new Board()
    const update = board.write(alice, alicesPosts(2000))
    const cut = update.slice(0, update.length - 100)
    expect(judgeUpdate(board.ctx, alice, cut)).toMatchObject({ kind: 'refuse', reason: 'bad_payload' })
    expect((await sliced(board, alice, cut)).verdict).toEqual(judgeUpdate(board.ctx, alice, cut))
  })

  it('keeps no post’s key or field name in memory once it is done', async () => {
    const board = new Board()
    await sliced(board, alice, board.write(alice, alicesPosts(2000)))
    // The columns it read into are the ones the next judgement in slices borrows.
    const c = borrowColumns()
    try {
      expect(c.count).toBe(0)
      expect(c.parentSub.filter((k) => k !== null)).toEqual([])
      expect(c.parentName.filter((k) => k !== null)).toEqual([])
    } finally {
      returnColumns(c)
    }
  })

  it('other judgements made while it waits do not change its verdict', async () => {
    const board = new Board()
    const mine = board.write(alice, alicesPosts(2000))
    const whole = judgeUpdate(board.ctx, alice, mine)
    // At each breath, Eve's small update is judged in one go (over the columns one-go judgements share).
    const evesTakeover = board.write(eve, (d) => items(d).set('alice/x', post({ title: 'In Alice’s name' })))
    const others: Judgement[] = []
    const { verdict, breaths } = await sliced(board, alice, mine, () => others.push(judgeUpdate(board.ctx, eve, evesTakeover)))
    expect(breaths).toBeGreaterThan(2)
    expect(verdict).toEqual(whole)
    for (const o of others) expect(o).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit' })
  })
})
