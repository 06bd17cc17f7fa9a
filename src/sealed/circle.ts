import { boundClientId, deviceTag, fingerprint, legacyBoundClientId } from '../crypto/index.ts'
import type { Role } from './membership/ops.ts'
import { extendMembership, reduceMembership, type Membership, type ReduceInput, type Rights } from './membership/reduce.ts'
import type { ControlEntry, HistoryEvent, InviteInfo } from './membership/state.ts'
import type { JoinPayload } from './profile.ts'

/** A device's latest profile (join entry): its own claims, from its own signed entry. */
export interface Profile {
  readonly seq: number
  readonly name: string
  readonly sign: Uint8Array
  readonly agree: Uint8Array
  readonly at: number
}

/** A newcomer's verified request to be let in. */
export interface RequestInfo {
  readonly hash: string
  readonly tag: string
  readonly sign: Uint8Array
  readonly agree: Uint8Array
  readonly name: string
  readonly invite: string
  /** When this device first saw it (its own clock). */
  readonly seenAt: number
}

export interface DeviceView {
  readonly tag: string
  readonly fingerprint: string
  readonly removed: boolean
  readonly removedBy: string | null
  readonly relay: boolean
}

export interface MemberView {
  readonly id: string
  readonly name: string
  readonly role: Role | 'relay'
  readonly devices: readonly DeviceView[]
  /** Device tags, verified from signed admissions (null on boards from before membership). */
  readonly admittedBy: string | null
  readonly invitedBy: string | null
  readonly removed: boolean
  readonly equivocated: boolean
  /** Another member shows the same name. */
  readonly sharesName: boolean
  /** Order of admission. */
  readonly index: number
}

/**
 * Who is in a board's circle, as this device knows it: the membership reduced
 * from control entries — or, on a board from before membership (no genesis),
 * every device with a join entry, the founder moderating — plus profiles,
 * join requests and equivocators.
 */
export class Circle {
  readonly profiles = new Map<string, Profile>()
  readonly requests = new Map<string, RequestInfo>()
  /** Device tag → first sequence number in dispute: everything from there on is void. */
  readonly equivocators = new Map<string, number>()
  readonly #controls: ControlEntry[] = []
  readonly #hashes = new Set<string>()
  readonly #named = new Set<string>()
  readonly #founder: string | null
  readonly #isFounderGenesis: (e: ControlEntry) => boolean
  #membership: Membership | null = null
  #clientOwners: Map<number, string> | null = null
  /** Changes of equivocators that count all the same (`#ratified`), worked out when first needed. */
  #ratifiedCache: Set<string> | null = null

  constructor(opts: { founder: Uint8Array | null; isFounderGenesis: (e: ControlEntry) => boolean }) {
    this.#founder = opts.founder ? deviceTag(opts.founder) : null
    this.#isFounderGenesis = opts.isFounderGenesis
  }

  hasControl(hash: string): boolean {
    return this.#hashes.has(hash)
  }

  addControl(e: ControlEntry): void {
    if (this.#hashes.has(e.hash)) return
    this.#hashes.add(e.hash)
    this.#controls.push(e)
    this.#ratifiedCache = null
    for (const p of e.parents) this.#named.add(p)
    // Usually the next change after all the others: the membership grows in place rather than being reduced again.
    if (this.#membership && extendMembership(this.#membership, e, this.#reduceInput)) this.#clientOwners = null
    else this.#changed()
  }

  /** Whether another known device has the same bound Yjs client id (either width): a ground key. */
  collides(tag: string, sign: Uint8Array): boolean {
    const ids = [boundClientId(sign), legacyBoundClientId(sign)]
    return ids.some((id) => {
      const owner = this.ownerOfClient(id)
      return owner !== null && owner !== tag
    })
  }

  addProfile(tag: string, sign: Uint8Array, seq: number, join: JoinPayload, agree: Uint8Array): void {
    const previous = this.profiles.get(tag)
    if (previous && previous.seq > seq) return
    this.profiles.set(tag, { seq, name: join.name, sign, agree, at: join.at })
    this.#clientOwners = null
  }

  addEquivocator(tag: string, from: number): boolean {
    const known = this.equivocators.get(tag)
    if (known !== undefined && known <= from) return false
    this.equivocators.set(tag, from)
    this.#changed()
    return true
  }

  #changed(): void {
    this.#ratifiedCache = null
    this.#membership = null
    this.#clientOwners = null
  }

  /** Where a device stands: a member, waiting to be let in, or removed. */
  standingOf(tag: string): 'member' | 'waiting' | 'removed' {
    if (!this.managed) return this.profiles.has(tag) ? 'member' : 'waiting'
    const d = this.membership().devices.get(tag)
    return d ? (d.removed ? 'removed' : 'member') : 'waiting'
  }

  /** Whether a genesis entry is the founder's own (their key and its nonce hash to the board id). */
  isFounderGenesis(e: ControlEntry): boolean {
    return this.#isFounderGenesis(e)
  }

  readonly #reduceInput: ReduceInput = {
    entries: this.#controls,
    isFounderGenesis: (e) => this.#isFounderGenesis(e),
    excluded: (e) => (this.equivocators.get(e.author) ?? Number.POSITIVE_INFINITY) <= e.seq && !this.#ratified().has(e.hash),
  }

  /**
   * The membership changes of equivocators, from their disputed number on,
   * that count all the same: those another member's change was built on
   * (is a descendant of), where no other version of the same number was,
   * that change counting without any of them (a removed device's later
   * changes, or a stranger's, vouch for nothing). A
   * member an equivocator let in before signing a second version of an
   * older change (after being removed, to take back what they did) stays
   * in; a version nobody else built on, or one of two that others did,
   * counts nowhere.
   */
  #ratified(): Set<string> {
    if (this.#ratifiedCache) return this.#ratifiedCache
    const out = new Set<string>()
    this.#ratifiedCache = out
    if (this.equivocators.size === 0) return out
    const byHash = new Map(this.#controls.map((e) => [e.hash, e]))
    // Built on by a change that counts without any of this (a removed device's later changes, or a stranger's, do not).
    const plain = reduceMembership({ ...this.#reduceInput, excluded: (e) => (this.equivocators.get(e.author) ?? Number.POSITIVE_INFINITY) <= e.seq })
    const builders = this.#controls.filter((e) => !this.equivocators.has(e.author) && plain.verdicts.get(e.hash) === 'ok')
    const built = new Set<string>()
    const stack = builders.flatMap((e) => e.parents)
    while (stack.length > 0) {
      const h = stack.pop()!
      if (built.has(h)) continue
      built.add(h)
      const parent = byHash.get(h)
      if (parent) stack.push(...parent.parents)
    }
    const versions = new Map<string, string[]>()
    for (const h of built) {
      const e = byHash.get(h)
      if (!e || !this.equivocators.has(e.author)) continue
      const at = `${e.author} ${e.seq}`
      versions.set(at, [...(versions.get(at) ?? []), h])
    }
    for (const hashes of versions.values()) if (hashes.length === 1) out.add(hashes[0]!)
    return out
  }

  /**
   * The membership reduced from every control entry known here (reduced
   * again only after a change that does not simply follow the others). The
   * object is live: a following change updates it in place.
   */
  membership(): Membership {
    this.#membership ??= reduceMembership(this.#reduceInput)
    return this.#membership
  }

  /** Whether the board has its founder's genesis (membership), rather than the old join-based roster. */
  get managed(): boolean {
    return this.membership().genesis !== null
  }

  /** Control entries no other known control entry names as a parent: what this device has seen. */
  heads(): string[] {
    return this.#controls.filter((e) => !this.#named.has(e.hash)).map((e) => e.hash).sort()
  }

  /** Whether the device is known at all (admitted, or on an old board, joined). Unknown devices' entries wait. */
  knows(tag: string): boolean {
    return this.managed ? this.membership().devices.has(tag) : this.profiles.has(tag)
  }

  /** What an entry of `tag` at `seq`, written after seeing `heads`, may do. */
  rightsAt(tag: string, seq: number, heads: readonly string[] | null): Rights {
    const disputedFrom = this.equivocators.get(tag)
    const equivocated = disputedFrom !== undefined && seq >= disputedFrom
    if (!this.managed) {
      const active = this.profiles.has(tag) && !equivocated
      return { kind: 'ok', active, moderator: active && tag === this.#founder, relay: false }
    }
    const rights = this.membership().rightsAt(tag, seq, heads)
    return rights.kind === 'ok' && equivocated ? { ...rights, active: false } : rights
  }

  /** The last sequence number of a device that counts (its removal's or equivocation's cutoff), if any. */
  cutoffOf(tag: string): number | null {
    const disputed = this.equivocators.get(tag)
    const removed = this.managed ? this.membership().devices.get(tag)?.removed?.cutoff : undefined
    const cutoffs = [disputed === undefined ? undefined : disputed - 1, removed].filter((c): c is number => c !== undefined)
    return cutoffs.length > 0 ? Math.min(...cutoffs) : null
  }

  /** Signing and agreement keys of a device, from its admission or its profile. */
  keysOf(tag: string): { sign: Uint8Array; agree: Uint8Array } | null {
    const d = this.managed ? this.membership().devices.get(tag) : undefined
    if (d) return { sign: d.sign, agree: d.agree }
    const p = this.profiles.get(tag)
    return p ? { sign: p.sign, agree: p.agree } : null
  }

  /** Bound Yjs client id (both widths) → device tag, for every known device. */
  ownerOfClient(client: number): string | null {
    if (!this.#clientOwners) {
      const owners = new Map<number, string>()
      const add = (tag: string, sign: Uint8Array) => {
        owners.set(boundClientId(sign), tag)
        owners.set(legacyBoundClientId(sign), tag)
      }
      for (const [tag, p] of this.profiles) add(tag, p.sign)
      if (this.managed) for (const d of this.membership().devices.values()) add(d.tag, d.sign)
      this.#clientOwners = owners
    }
    return this.#clientOwners.get(client) ?? null
  }

  /** The member a device belongs to (itself on old boards). */
  memberOf(tag: string): string | null {
    if (!this.managed) return this.profiles.has(tag) ? tag : null
    return this.membership().devices.get(tag)?.member ?? null
  }

  /** Copies: the membership is updated in place, and whoever keeps these (the Members screen) must see a change as a new value. */
  invites(): InviteInfo[] {
    return this.managed ? [...this.membership().invites.values()].map((i) => ({ ...i })) : []
  }

  history(): HistoryEvent[] {
    return this.managed ? [...this.membership().history] : []
  }

  /** Join requests not yet admitted or refused. */
  openRequests(): RequestInfo[] {
    return [...this.requests.values()].filter((r) => !this.requestDecided(r.hash, r.tag))
  }

  /** Whether the membership has admitted or refused the request with this hash, or holds its device already. */
  requestDecided(hash: string, tag: string): boolean {
    const m = this.managed ? this.membership() : null
    return m !== null && (m.admitted.has(hash) || m.refused.has(hash) || m.devices.has(tag))
  }

  /** Everyone in the circle, as the Members screen shows them. */
  members(): MemberView[] {
    const views: MemberView[] = []
    if (!this.managed) {
      // Not by the join's own `at`, which its writer chose: the founder first, then by tag.
      let index = 0
      for (const [tag, p] of [...this.profiles].sort((a, b) => Number(b[0] === this.#founder) - Number(a[0] === this.#founder) || a[0].localeCompare(b[0]))) {
        views.push({
          id: tag,
          name: p.name,
          role: tag === this.#founder ? 'founder' : 'member',
          devices: [{ tag, fingerprint: fingerprint(p.sign), removed: false, removedBy: null, relay: false }],
          admittedBy: null,
          invitedBy: null,
          removed: false,
          equivocated: this.equivocators.has(tag),
          sharesName: false,
          index: index++,
        })
      }
    } else {
      const m = this.membership()
      for (const member of [...m.members.values()].sort((a, b) => a.index - b.index)) {
        const devices = member.devices.map((t) => m.devices.get(t)!)
        const named = [member.id, ...member.devices].map((t) => this.profiles.get(t)).find((p) => p !== undefined)
        views.push({
          id: member.id,
          name: named?.name ?? member.name,
          role: member.role,
          devices: devices.map((d) => ({ tag: d.tag, fingerprint: fingerprint(d.sign), removed: d.removed !== null, removedBy: d.removed?.by ?? null, relay: false })),
          admittedBy: member.admittedBy,
          invitedBy: member.invitedBy,
          removed: devices.every((d) => d.removed !== null),
          equivocated: devices.some((d) => this.equivocators.has(d.tag)),
          sharesName: false,
          index: member.index,
        })
      }
      for (const d of m.devices.values()) {
        if (d.as !== 'relay') continue
        views.push({
          id: d.tag,
          name: this.profiles.get(d.tag)?.name ?? 'relay',
          role: 'relay',
          devices: [{ tag: d.tag, fingerprint: fingerprint(d.sign), removed: d.removed !== null, removedBy: d.removed?.by ?? null, relay: true }],
          admittedBy: d.admittedBy,
          invitedBy: d.invitedBy,
          removed: d.removed !== null,
          equivocated: this.equivocators.has(d.tag),
          sharesName: false,
          index: Number.MAX_SAFE_INTEGER,
        })
      }
    }
    const counts = new Map<string, number>()
    for (const v of views) if (!v.removed) counts.set(v.name.toLocaleLowerCase(), (counts.get(v.name.toLocaleLowerCase()) ?? 0) + 1)
    return views.map((v) => ({ ...v, sharesName: !v.removed && (counts.get(v.name.toLocaleLowerCase()) ?? 0) > 1 }))
  }
}
