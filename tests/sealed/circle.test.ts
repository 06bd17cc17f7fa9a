import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems } from '../../src/core/index.ts'
import { circle, exchange } from './fixture.ts'

const notice = (title: string) => ({ kind: 'notice', title, body: '', author: 'x', tags: [], pinned: false, expiresAt: null })
const titles = (doc: Y.Doc) => readItems(doc).map((i) => i.title).sort()

describe('a circle with membership', () => {
  it('Ana founds the board; Bob asks with an invitation, Ana’s device lets him in; Bob reads and posts', async () => {
    const c = await circle('Ana')
    const ana = c.founder
    createItem(ana.board.readable, notice('Welcome'), Date.now(), newItemId(ana.board.myTag))
    await ana.board.flush()
    const bob = await c.admit('Bob')
    expect(titles(bob.board.readable)).toEqual(['Welcome'])
    createItem(bob.board.readable, notice('Hello from Bob'), Date.now(), newItemId(bob.board.myTag))
    await bob.board.flush()
    await exchange(ana, bob)
    expect(titles(ana.board.readable)).toEqual(['Hello from Bob', 'Welcome'])
    const members = ana.board.members()
    expect(members.map((m) => [m.name, m.role])).toEqual([
      ['Ana', 'founder'],
      ['Bob', 'member'],
    ])
    expect(members[1]).toMatchObject({ admittedBy: ana.board.myTag, invitedBy: ana.board.myTag })
    expect(ana.board.diagnostics.total + bob.board.diagnostics.total).toBe(0)
  })
})
