import * as Y from 'yjs'
import type { Prng } from './prng.ts'

/**
 * A hostile-weather network between N docs, modelled on Yjs's
 * `tests/testHelper.js` TestConnector: every local update is queued for every
 * other peer, and each `step()` randomly delivers the oldest message of a
 * queue, reorders (delivers a later one first), delays (does nothing) or drops
 * a message. A dropped message leaves the pair out of sync until `resync`
 * models a reconnect: each side sends what the other's state vector lacks.
 */
export class TestNetwork {
  readonly docs: Y.Doc[]
  readonly stats = { delivered: 0, reordered: 0, delayed: 0, dropped: 0, resyncs: 0 }
  /** queues[receiver][sender]: updates in flight, oldest first. */
  readonly #queues: Uint8Array[][][]
  /** Pairs (`a:b`, a < b) that lost a message and have not reconnected since. */
  readonly #broken = new Set<string>()

  constructor(
    size: number,
    readonly prng: Prng,
  ) {
    this.#queues = Array.from({ length: size }, () => Array.from({ length: size }, () => []))
    this.docs = Array.from({ length: size }, (_, i) => {
      const doc = new Y.Doc()
      doc.clientID = i + 1 // deterministic, so a seed replays exactly
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin === this) return // what the network delivered is not re-sent
        for (let receiver = 0; receiver < size; receiver++) {
          if (receiver !== i) this.#queue(receiver, i).push(update)
        }
      })
      return doc
    })
  }

  /** One random network event. */
  step(): void {
    const pending = this.#pendingPairs()
    const roll = this.prng.next()
    if (roll < 0.05 && this.#broken.size > 0) {
      const [a, b] = this.prng.pick([...this.#broken]).split(':').map(Number) as [number, number]
      this.resync(a, b)
    } else if (pending.length === 0 || roll < 0.2) {
      this.stats.delayed++
    } else {
      const [receiver, sender] = this.prng.pick(pending)
      const queue = this.#queue(receiver, sender)
      if (roll < 0.3) {
        queue.shift()
        this.#broken.add(`${Math.min(receiver, sender)}:${Math.max(receiver, sender)}`)
        this.stats.dropped++
      } else if (roll < 0.45 && queue.length > 1) {
        this.#deliver(receiver, queue.splice(1 + this.prng.int(queue.length - 1), 1))
        this.stats.reordered++
      } else {
        this.#deliver(receiver, queue.splice(0, 1))
        this.stats.delivered++
      }
    }
  }

  /** A reconnect between a and b: each sends the other what its state vector lacks. */
  resync(a: number, b: number): void {
    const docA = this.docs[a] as Y.Doc
    const docB = this.docs[b] as Y.Doc
    const missingOnA = Y.encodeStateAsUpdate(docB, Y.encodeStateVector(docA))
    const missingOnB = Y.encodeStateAsUpdate(docA, Y.encodeStateVector(docB))
    Y.applyUpdate(docA, missingOnA, this)
    Y.applyUpdate(docB, missingOnB, this)
    this.#broken.delete(`${Math.min(a, b)}:${Math.max(a, b)}`)
    this.stats.resyncs++
  }

  /** The weather clears: deliver everything still in flight (in random order), then everyone reconnects. */
  flush(): void {
    for (let pending = this.#pendingPairs(); pending.length > 0; pending = this.#pendingPairs()) {
      const [receiver, sender] = this.prng.pick(pending)
      this.#deliver(receiver, this.#queue(receiver, sender).splice(0, 1))
    }
    for (let a = 0; a < this.docs.length; a++) {
      for (let b = a + 1; b < this.docs.length; b++) this.resync(a, b)
    }
  }

  #deliver(receiver: number, messages: Uint8Array[]): void {
    for (const message of messages) Y.applyUpdate(this.docs[receiver] as Y.Doc, message, this)
  }

  #queue(receiver: number, sender: number): Uint8Array[] {
    return this.#queues[receiver]?.[sender] as Uint8Array[]
  }

  #pendingPairs(): [number, number][] {
    const pairs: [number, number][] = []
    this.#queues.forEach((row, receiver) =>
      row.forEach((queue, sender) => {
        if (queue.length > 0) pairs.push([receiver, sender])
      }),
    )
    return pairs
  }
}
