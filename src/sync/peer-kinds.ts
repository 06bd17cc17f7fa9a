import type { Awareness } from 'y-protocols/awareness'
import type { PeerKind, PeerProof } from './peer-proof.ts'

interface Verdict {
  /** The state it was given for (as JSON): a changed state is checked again. */
  readonly state: string
  peer: { readonly peerId: string; readonly kind: PeerKind } | null
}

/**
 * Which connected peers proved to be member devices or relays: follows the
 * room's presence states, checks each one once per change with the proof,
 * and publishes this device's own proof for its current signaling peer id.
 * y-webrtc forwards everyone's presence to everyone, so a connection carries
 * the states of third parties too; each proof says which connection it is for.
 */
export class PeerKinds {
  readonly #awareness: Awareness
  readonly #proof: PeerProof
  readonly #onChange: () => void
  readonly #verdicts = new Map<number, Verdict>()
  #published: string | null = null
  #generation = 0
  #destroyed = false

  constructor(awareness: Awareness, proof: PeerProof, onChange: () => void) {
    this.#awareness = awareness
    this.#proof = proof
    this.#onChange = onChange
    awareness.on('change', this.#onStates)
  }

  /** The kind of device the peer with this signaling id proved to be, or null. */
  kindOf(peerId: string): PeerKind | null {
    for (const v of this.#verdicts.values()) if (v.peer?.peerId === peerId) return v.peer.kind
    return null
  }

  /** Shows this device's proof for its signaling peer id (again, when that id changed or `force`). */
  publish(peerId: string, force = false): void {
    if (this.#destroyed || (!force && peerId === this.#published)) return
    this.#published = peerId
    const generation = ++this.#generation
    void this.#proof.mine(peerId, this.#awareness.clientID).then(
      (state) => {
        if (this.#destroyed || generation !== this.#generation) return
        // An empty object, not null: null would tell the others this device left.
        this.#awareness.setLocalState(state ?? {})
      },
      () => undefined,
    )
  }

  /** What proves what has changed (the circle, this device's keys): check every state again and publish afresh. */
  recheck(): void {
    this.#verdicts.clear()
    this.#check([...this.#awareness.getStates().keys()])
    if (this.#published !== null) this.publish(this.#published, true)
    this.#onChange()
  }

  destroy(): void {
    this.#destroyed = true
    this.#awareness.off('change', this.#onStates)
    this.#verdicts.clear()
  }

  readonly #onStates = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }): void => {
    let changed = false
    for (const client of removed) changed = this.#verdicts.delete(client) || changed
    if (this.#check([...added, ...updated]) || changed) this.#onChange()
  }

  /** Checks the states of these clients that changed. Returns whether a proven peer lost its proof meanwhile. */
  #check(clients: number[]): boolean {
    const states = this.#awareness.getStates()
    let lost = false
    for (const client of clients) {
      if (client === this.#awareness.clientID) continue
      const state = states.get(client)
      const json = JSON.stringify(state ?? null)
      const before = this.#verdicts.get(client)
      if (before?.state === json) continue
      if (before?.peer) lost = true
      const verdict: Verdict = { state: json, peer: null }
      this.#verdicts.set(client, verdict)
      void this.#proof.check(state, client).then(
        (peer) => {
          if (this.#destroyed || this.#verdicts.get(client) !== verdict || !peer) return
          verdict.peer = peer
          this.#onChange()
        },
        () => undefined,
      )
    }
    return lost
  }
}
