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
  readonly #nodes: N[]
  readonly index = new Map<string, number>()
  /** Nodes with a parent that is missing (or waits itself). */
  readonly waiting = new Set<string>()
  /** Each node's distinct parents, as indexes (only for nodes that do not wait). */
  readonly parentsOf: (readonly number[])[] = []
  /** Each node's children, as indexes. */
  readonly childrenOf: number[][]
  readonly #ancestors: (Bitset | null)[] = []
  /** Nodes that do not wait and that no node names as a parent. */
  readonly #heads = new Set<number>()

  constructor(nodes: readonly N[]) {
    this.#nodes = [...nodes]
    this.#nodes.forEach((n, i) => this.index.set(n.hash, i))
    this.childrenOf = this.#nodes.map(() => [])
    for (let i = 0; i < this.#nodes.length; i++) this.#ancestorsOf(i)
    for (let i = 0; i < this.#nodes.length; i++) if (this.#ancestors[i] && this.childrenOf[i]!.length === 0) this.#heads.add(i)
  }

  get nodes(): readonly N[] {
    return this.#nodes
  }

  /**
   * Whether `node` comes after every node of the graph: nothing waits, and
   * every head is among its parents (so every node is among its ancestors),
   * and it names no parent the graph lacks.
   */
  follows(node: N): boolean {
    if (this.waiting.size > 0 || this.index.has(node.hash)) return false
    const parents = new Set<number>()
    for (const p of node.parents) {
      const j = this.index.get(p)
      if (j === undefined) return false
      parents.add(j)
    }
    for (const h of this.#heads) if (!parents.has(h)) return false
    return true
  }

  /** Adds a node that `follows` the graph: its ancestors are every node before it. */
  append(node: N): void {
    if (!this.follows(node)) throw new Error('Only a node that follows every other is appended')
    const i = this.#nodes.length
    this.#nodes.push(node)
    this.index.set(node.hash, i)
    this.childrenOf.push([])
    const parents = [...new Set(node.parents.map((p) => this.index.get(p)!))]
    const set = new Bitset(i + 1)
    for (const j of parents) {
      set.or(this.#ancestors[j]!)
      set.add(j)
      this.childrenOf[j]!.push(i)
      this.#heads.delete(j)
    }
    this.#ancestors[i] = set
    this.parentsOf[i] = parents
    this.#heads.add(i)
  }

  /** Ancestors of a node (not the node itself), or null if it waits for a missing parent or sits in a cycle. */
  ancestors(hash: string): Bitset | null {
    const i = this.index.get(hash)
    return i === undefined ? null : (this.#ancestors[i] ?? null)
  }

  /** The past of a set of heads: the heads and all their ancestors; null if any head is unknown or waiting. */
  past(heads: readonly string[]): Bitset | null {
    const out = new Bitset(this.#nodes.length)
    for (const h of heads) {
      const i = this.index.get(h)
      const anc = i === undefined ? null : this.#ancestors[i]
      if (i === undefined || !anc) return null
      out.or(anc)
      out.add(i)
    }
    return out
  }

  /**
   * Depth first without recursion: a long chain of entries (a member can
   * write thousands) must not overflow the stack.
   */
  #ancestorsOf(root: number): void {
    if (this.#ancestors[root] !== undefined) return
    const onStack = new Set<number>([root])
    const stack = [root]
    while (stack.length > 0) {
      const i = stack[stack.length - 1]!
      const parents: number[] = []
      let waits = false
      let descend: number | null = null
      for (const p of this.#nodes[i]!.parents) {
        const j = this.index.get(p)
        // A missing parent, or a cycle (impossible with hashes, but crafted input must not loop).
        if (j === undefined || (onStack.has(j) && this.#ancestors[j] === undefined)) {
          waits = true
          break
        }
        if (this.#ancestors[j] === undefined) {
          descend = j
          break
        }
        if (this.#ancestors[j] === null) {
          waits = true
          break
        }
        if (!parents.includes(j)) parents.push(j)
      }
      if (descend !== null) {
        onStack.add(descend)
        stack.push(descend)
        continue
      }
      stack.pop()
      onStack.delete(i)
      if (waits) {
        this.#ancestors[i] = null
        this.parentsOf[i] = []
        this.waiting.add(this.#nodes[i]!.hash)
        continue
      }
      const set = new Bitset(this.#nodes.length)
      for (const j of parents) {
        set.or(this.#ancestors[j]!)
        set.add(j)
        this.childrenOf[j]!.push(i)
      }
      this.#ancestors[i] = set
      this.parentsOf[i] = parents
    }
  }
}
