/**
 * The graph of control entries: each names its parents (the entries its
 * author had seen). Ancestor sets are bitsets over the entries' indexes, so
 * "was r in e's past" is one lookup, even for boards with thousands of
 * membership changes.
 */
export class Bitset {
  readonly words: Uint32Array
  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1)
  }
  has(i: number): boolean {
    return ((this.words[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0
  }
  add(i: number): void {
    this.words[i >>> 5]! |= 1 << (i & 31)
  }
  or(other: Bitset): void {
    for (let k = 0; k < other.words.length && k < this.words.length; k++) this.words[k]! |= other.words[k]!
  }
}

export interface GraphNode {
  readonly hash: string
  readonly parents: readonly string[]
}

/** Ancestors of each node whose parents are all present (transitively); others are `waiting`. */
export class ControlGraph<N extends GraphNode> {
  readonly nodes: readonly N[]
  readonly index = new Map<string, number>()
  /** Nodes with a parent that is missing (or waits itself). */
  readonly waiting = new Set<string>()
  readonly #ancestors: (Bitset | null)[] = []

  constructor(nodes: readonly N[]) {
    this.nodes = nodes
    nodes.forEach((n, i) => this.index.set(n.hash, i))
    for (let i = 0; i < nodes.length; i++) this.#ancestorsOf(i, new Set())
  }

  /** Ancestors of a node (not the node itself), or null if it waits for a missing parent or sits in a cycle. */
  ancestors(hash: string): Bitset | null {
    const i = this.index.get(hash)
    return i === undefined ? null : (this.#ancestors[i] ?? null)
  }

  /** The past of a set of heads: the heads and all their ancestors; null if any head is unknown or waiting. */
  past(heads: readonly string[]): Bitset | null {
    const out = new Bitset(this.nodes.length)
    for (const h of heads) {
      const i = this.index.get(h)
      const anc = i === undefined ? null : this.#ancestors[i]
      if (i === undefined || !anc) return null
      out.or(anc)
      out.add(i)
    }
    return out
  }

  #ancestorsOf(i: number, visiting: Set<number>): Bitset | null {
    if (this.#ancestors[i] !== undefined) return this.#ancestors[i]
    if (visiting.has(i)) return null // a cycle: impossible with hashes, but never loop on crafted input
    visiting.add(i)
    const node = this.nodes[i]!
    const set = new Bitset(this.nodes.length)
    let ok = true
    for (const p of node.parents) {
      const j = this.index.get(p)
      const anc = j === undefined ? null : this.#ancestorsOf(j, visiting)
      if (j === undefined || !anc) {
        ok = false
        break
      }
      set.or(anc)
      set.add(j)
    }
    visiting.delete(i)
    this.#ancestors[i] = ok ? set : null
    if (!ok) this.waiting.add(node.hash)
    return this.#ancestors[i]!
  }
}
