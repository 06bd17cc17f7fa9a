/**
 * One change too large for an update entry: Bob's script posts 250 notices
 * of 5,000 Arabic letters in one task, over 2 MB of Yjs update. Entries are
 * split only between changes (local-writes.ts), and an update entry may not
 * pass 1 MiB: before the fix, sealing it threw, Bob's engine stopped, and
 * his posts stayed on his device only, never sealed (the benchmark's
 * 100,000-item board, whose members each write their share at once, showed
 * it). Now it is sealed as a snapshot of itself, and his log goes on.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { MAX_ENTRY_BYTES } from '../../src/crypto/index.ts'
import { circle, exchange, settle, type Member } from './fixture.ts'

const notice = (title: string, body: string) => ({ kind: 'notice', title, body, author: 'Bob', tags: [], pinned: false, expiresAt: null })
const titles = (m: Member) => readItems(m.board.readable).map((i) => i.title).sort()
const bobsKeys = (bob: Member) => [...bob.board.sealed.getMap('entries').keys()].filter((k) => k.startsWith(`${bob.board.myTag}.`))

describe('one change larger than an update entry', () => {
  it('Bob posts over 2 MB in one task: sealed as one snapshot of itself, Ana reads every post, and his next post follows it', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    const bob = await c.admit('Bob', ana)
    const before = new Set(bobsKeys(bob))
    const posted: string[] = []
    let bytes = 0
    const recount = (u: Uint8Array) => (bytes += u.length)
    bob.board.readable.on('update', recount)
    Y.transact(bob.board.readable, () => {
      for (let i = 0; i < 250; i++) {
        const title = `notice ${i}`
        const r = createItem(bob.board.readable, notice(title, `${i} `.padEnd(5000, 'ا')), 1000 + i, newItemId(bob.board.myTag))
        if (!r.ok) throw new Error(JSON.stringify(r))
        posted.push(title)
      }
    })
    bob.board.readable.off('update', recount)
    expect(bytes).toBeGreaterThan(2 * MAX_ENTRY_BYTES.update)
    await settle(bob)

    const added = bobsKeys(bob).filter((k) => !before.has(k))
    expect(added).toHaveLength(1)
    const seq = Number(added[0]!.split('.')[1]!.split('-')[0])
    expect(added[0]).toBe(`${bob.board.myTag}.${seq}-${seq}`)

    const after = createItem(bob.board.readable, notice('after', 'small'), 5000, newItemId(bob.board.myTag))
    if (!after.ok) throw new Error(JSON.stringify(after))
    await settle(bob)
    expect(bobsKeys(bob)).toContain(`${bob.board.myTag}.${seq + 1}`)

    await exchange(ana, bob)
    const refused = (m: Member) => m.board.diagnostics.events.map((e) => `${e.reason}: ${e.detail}`)
    expect(refused(ana)).toEqual([])
    expect(refused(bob)).toEqual([])
    expect(titles(ana)).toEqual([...posted, 'after'].sort())
    expect(titles(bob)).toEqual([...posted, 'after'].sort())
  }, 60_000)
})
