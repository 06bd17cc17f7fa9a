/**
 * The graph of membership changes: each names the changes its author had
 * seen. Devices receive them in any order and must agree on each change's
 * past, which decides what rights its author had.
 */
import { describe, expect, it } from 'vitest'
import { Bitset, ControlGraph } from '../../src/sealed/membership/graph.ts'

const members = (g: ControlGraph<{ hash: string; parents: readonly string[] }>, set: Bitset | null) => (set ? g.nodes.filter((_, i) => set.has(i)).map((n) => n.hash) : null)

describe('the past of a membership change', () => {
  // Ana founds; Ana invites Bob; Bob admits his laptop while Ana, unaware, changes a setting; then Ana sees both.
  const nodes = [
    { hash: 'merge', parents: ['laptop', 'settings'] },
    { hash: 'laptop', parents: ['invite', 'invite'] },
    { hash: 'settings', parents: ['invite'] },
    { hash: 'invite', parents: ['genesis'] },
    { hash: 'genesis', parents: [] },
  ]

  it('holds every change named, directly or not, whatever order they arrive in', () => {
    const g = new ControlGraph(nodes)
    expect(g.waiting.size).toBe(0)
    expect(members(g, g.ancestors('merge'))).toEqual(['laptop', 'settings', 'invite', 'genesis'])
    expect(members(g, g.ancestors('laptop'))).toEqual(['invite', 'genesis'])
    expect(members(g, g.ancestors('genesis'))).toEqual([])
    expect(g.ancestors('nowhere')).toBeNull()
    // A parent named twice counts once, and its child is listed once.
    expect(g.parentsOf[g.index.get('laptop')!]).toEqual([g.index.get('invite')])
    expect(g.childrenOf[g.index.get('invite')!]!.map((i) => nodes[i]!.hash).sort()).toEqual(['laptop', 'settings'])
  })

  it('of several heads is the heads and their pasts; a head not known here, or waiting, leaves it unknown', () => {
    const g = new ControlGraph([...nodes, { hash: 'orphan', parents: ['missing'] }, { hash: 'child of orphan', parents: ['orphan', 'genesis'] }])
    expect(members(g, g.past(['laptop', 'settings']))).toEqual(['laptop', 'settings', 'invite', 'genesis'])
    expect(members(g, g.past(['genesis']))).toEqual(['genesis'])
    expect(members(g, g.past([]))).toEqual([])
    expect(g.past(['laptop', 'nowhere'])).toBeNull()
    expect(g.past(['orphan'])).toBeNull()
    expect([...g.waiting].sort()).toEqual(['child of orphan', 'orphan'])
    expect(g.ancestors('child of orphan')).toBeNull()
    expect(g.parentsOf[g.index.get('child of orphan')!]).toEqual([])
  })
})

describe('bit sets over change indexes', () => {
  it('hold indexes across 32-bit words, and merge', () => {
    const a = new Bitset(70)
    expect(a.words).toHaveLength(3)
    for (const i of [0, 31, 32, 69]) a.add(i)
    expect([...Array(70).keys()].filter((i) => a.has(i))).toEqual([0, 31, 32, 69])
    expect(a.has(100)).toBe(false)
    const b = new Bitset(70)
    b.add(33)
    b.or(a)
    expect([...Array(70).keys()].filter((i) => b.has(i))).toEqual([0, 31, 32, 33, 69])
    expect(new Bitset(0).words).toHaveLength(1)
    expect(new Bitset(32).words).toHaveLength(1)
    expect(new Bitset(33).words).toHaveLength(2)
  })
})
