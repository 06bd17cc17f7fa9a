/**
 * The graph of membership changes grown in place: Alice's device appends
 * each change that follows all it knows, instead of rebuilding the graph.
 * What it appends must read back as a graph built from scratch would.
 */
import { describe, expect, it } from 'vitest'
import { ControlGraph } from '../../src/sealed/membership/graph.ts'

type Node = { hash: string; parents: readonly string[] }
const chain = (n: number): Node[] => Array.from({ length: n }, (_, i) => ({ hash: `c${i}`, parents: i === 0 ? [] : [`c${i - 1}`] }))
const indexes = (g: ControlGraph<Node>, hash: string) => g.nodes.flatMap((_, i) => (g.ancestors(hash)?.has(i) ? [i] : []))

describe('a graph grown change by change', () => {
  it('a change naming every head and one change not received here does not follow: it is not appended', () => {
    const g = new ControlGraph(chain(3))
    expect(g.follows({ hash: 'next', parents: ['c2'] })).toBe(true)
    expect(g.follows({ hash: 'next', parents: ['c2', 'not received'] })).toBe(false)
    expect(() => g.append({ hash: 'next', parents: ['c2', 'not received'] })).toThrow('Only a node that follows every other is appended')
    expect(g.nodes).toHaveLength(3)
  })

  it('the 34th change, appended across a 32-bit word, has all 33 before it in its past, as if the graph were built with it', () => {
    const g = new ControlGraph(chain(33))
    const [next, after] = chain(35).slice(33)
    g.append(next!)
    g.append(after!)
    const built = new ControlGraph(chain(35))
    expect(indexes(g, 'c33')).toEqual(indexes(built, 'c33'))
    expect(indexes(g, 'c33')).toHaveLength(33)
    expect(indexes(g, 'c34')).toHaveLength(34)
    expect(g.childrenOf[33]).toEqual([34])
    expect(g.childrenOf[34]).toEqual([])
    expect(g.parentsOf[34]).toEqual([33])
  })
})
