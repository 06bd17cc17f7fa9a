/**
 * Topic → subscribers, telling the caller when a topic gains its first
 * subscriber or loses its last (the moments a cluster bus must follow).
 * Empty topics are deleted at once so the table holds only live rooms.
 */
export class TopicTable<T> {
  readonly #topics = new Map<string, Set<T>>()

  /** Adds `member` to `topic`; true when it is the topic's first subscriber. */
  add(topic: string, member: T): boolean {
    let members = this.#topics.get(topic)
    const first = !members
    if (!members) this.#topics.set(topic, (members = new Set()))
    members.add(member)
    return first
  }

  /** Removes `member` from `topic`; true when that emptied a topic that existed. */
  remove(topic: string, member: T): boolean {
    const members = this.#topics.get(topic)
    if (!members?.delete(member)) return false
    if (members.size > 0) return false
    this.#topics.delete(topic)
    return true
  }

  members(topic: string): ReadonlySet<T> | undefined {
    return this.#topics.get(topic)
  }

  /** Topics with at least one subscriber. */
  get size(): number {
    return this.#topics.size
  }

  clear(): void {
    this.#topics.clear()
  }
}
