import { boundClientId, deviceTag, legacyBoundClientId, toBase64url } from '../../crypto/index.ts'
import { ControlGraph, type Bitset } from './graph.ts'
import type { Cutoff, Op, Role } from './ops.ts'
import { RANK, type ControlEntry, type ControlVerdict, type Decrease, type DeviceInfo, type EpochInfo, type HistoryEvent, type InviteInfo, type MemberInfo, type RoleChange } from './state.ts'

/**
 * The membership of a board: a pure function of its control entries.
 *
 * 1. Order. Control entries form a graph (each names the entries its author
 *    had seen). They are taken in a topological order; among entries whose
 *    parents are all taken, the most senior author goes first — founder, then
 *    moderator, then member, then by order of admission — and the entry hash
 *    breaks the last tie (it only orders a member's own devices). Never Yjs's
 *    client ids, which a writer chooses.
 * 2. Validity. Each entry takes effect only if its author may make it in the
 *    state reached so far (see `check`).
 * 3. Concurrent removals. A removal names, for each removed device, the last
 *    of its sequence numbers the remover had accepted (its cutoff).
 *    Everything the device signed after its cutoff is void, wherever it
 *    landed in the order; a demotion voids in the same way what the demoted
 *    member did after the cutoff with the rights it lost. Voided entries are
 *    set aside and the order is run again, until nothing more is voided (the
 *    set only grows, so this ends). When Alice removes Eve while Eve removes
 *    Alice, the more senior one's removal is taken first and the other's,
 *    signed after its author's cutoff, is void: the same on every device,
 *    whatever it saw first.
 *
 * Two devices that hold the same control entries reach the same membership.
 */
export interface ReduceInput {
  readonly entries: readonly ControlEntry[]
  /** Whether a genesis entry is the founder's own (its author and nonce hash to the board id). */
  readonly isFounderGenesis: (entry: ControlEntry) => boolean
  /** Entries void from the start (signed by an equivocating device at or after the sequence in dispute). */
  readonly excluded?: (entry: ControlEntry) => boolean
}

/** What an entry by a device may do, judged at its sequence number and from the control entries it had seen. */
export type Rights =
  | { readonly kind: 'ok'; readonly active: boolean; readonly moderator: boolean; readonly relay: boolean }
  /** Its author had seen control entries this device has not (yet). */
  | { readonly kind: 'wait' }

export const ZERO_INVITE = toBase64url(new Uint8Array(16))

export class Membership {
  genesis: { readonly hash: string; readonly founder: string } | null = null
  readonly members = new Map<string, MemberInfo>()
  readonly devices = new Map<string, DeviceInfo>()
  readonly invites = new Map<string, InviteInfo>()
  readonly epochs = new Map<string, EpochInfo>()
  current: EpochInfo | null = null
  readonly refused = new Set<string>()
  /** Request hash → the device its admission let in. */
  readonly admitted = new Map<string, string>()
  membersMayInvite = true
  readonly history: HistoryEvent[] = []
  readonly verdicts = new Map<string, ControlVerdict>()
  readonly decreases = new Map<string, Decrease[]>()
  readonly roleChanges = new Map<string, RoleChange[]>()
  /** Linear order position of each valid entry. */
  readonly position = new Map<string, number>()
  /** Minimum role each valid entry needed (for voiding after a demotion). */
  readonly needed = new Map<string, Role | 'device'>()
  /** Every Yjs client id (both versions) the devices' keys bind: a newcomer's must not collide. */
  readonly clientIds = new Set<number>()
  /** The reduce reached its result in its first round (no entry was voided by a removal or demotion). */
  firstRound = false
  readonly #graph: ControlGraph<ControlEntry>
  readonly #pastCache = new Map<string, Bitset | null>()

  constructor(graph: ControlGraph<ControlEntry>) {
    this.#graph = graph
  }

  get graph(): ControlGraph<ControlEntry> {
    return this.#graph
  }

  /** After the graph grew: heads unknown until now may be known. */
  forgetPasts(): void {
    this.#pastCache.clear()
  }

  /** Active member or relay device (not removed). */
  isActive(tag: string): boolean {
    const d = this.devices.get(tag)
    return !!d && !d.removed
  }

  roleOf(tag: string): Role | null {
    const d = this.devices.get(tag)
    return d?.member ? (this.members.get(d.member)?.role ?? null) : null
  }

  /** A removed device in the current epoch's recipients means a removed device still holds the key in use. */
  get needsRekey(): boolean {
    if (!this.current) return false
    for (const d of this.current.recipients) if (this.devices.get(d)?.removed) return true
    return false
  }

  /**
   * What an entry of `device` at `seq`, written after its author had seen
   * `heads` (null: an old entry from before membership, which saw only the
   * genesis), may do. Rights given (admission, promotion) count only once the
   * author had seen them; rights taken (removal, demotion) count from the
   * cutoff on, whether the author had seen them or not.
   */
  rightsAt(device: string, seq: number, heads: readonly string[] | null): Rights {
    const past = this.#past(heads)
    if (past === undefined) return { kind: 'wait' }
    const d = this.devices.get(device)
    const inPast = (hash: string) => (this.genesis && hash === this.genesis.hash) || (past !== null && this.#graph.index.has(hash) && past.has(this.#graph.index.get(hash)!))
    if (!d || !inPast(d.admission)) return { kind: 'ok', active: false, moderator: false, relay: false }
    let role: Role | null = d.as === 'founder' ? 'founder' : d.member ? 'member' : null
    for (const rc of d.member ? (this.roleChanges.get(d.member) ?? []) : []) {
      if (inPast(rc.hash)) role = rc.role
      else if (this.cutoffFor(rc.cutoffs, device) < seq && role && RANK[rc.role] > RANK[role]) role = rc.role
    }
    let active = true
    for (const dec of this.decreases.get(device) ?? []) {
      if (dec.role !== null) continue
      if (inPast(dec.hash) || this.cutoffFor(dec.cutoffs, device) < seq) active = false
    }
    return { kind: 'ok', active, moderator: role === 'founder' || role === 'moderator', relay: d.as === 'relay' }
  }

  /**
   * After which of `device`'s sequence numbers a removal or demotion counts,
   * whatever the device had seen (Infinity: only once it had seen it). Where
   * the change lists the device, its cutoff. A device it does not list, but
   * that one of the member's own devices admitted after that device's own
   * point, counts it from its first entry on (0): until December 2026 a
   * moderator made a member again kept the right through a device she
   * admitted since, its admission and its every post naming the heads she
   * had as a moderator (found by an audit on 2026-12-07). A device admitted
   * before that point was known to whoever made the change, and is listed.
   * (A removal's needs no more: an admission after its cutoff is void.)
   */
  cutoffFor(cutoffs: readonly Cutoff[], device: string): number {
    const listed = cutoffs.find((c) => c.device === device)
    if (listed) return listed.seq
    const by = this.#admitter(device)
    if (by === null) return Number.POSITIVE_INFINITY
    const at = this.#graph.index.get(this.devices.get(device)!.admission)
    const seq = at === undefined ? undefined : this.#graph.nodes[at]!.seq
    return seq !== undefined && seq > this.cutoffFor(cutoffs, by) ? 0 : Number.POSITIVE_INFINITY
  }

  /** The device of the same member that admitted `device` (one of their own devices, with an invitation for it), if any. */
  #admitter(device: string): string | null {
    const d = this.devices.get(device)
    const by = d?.admittedBy
    return d?.member && by && by !== device && this.devices.get(by)?.member === d.member ? by : null
  }

  /** undefined: a head is not known here yet; null: no heads (only the genesis is in the past). */
  #past(heads: readonly string[] | null): Bitset | null | undefined {
    if (heads === null || heads.length === 0) return null
    const key = heads.join(',')
    if (!this.#pastCache.has(key)) this.#pastCache.set(key, this.#graph.past(heads))
    return this.#pastCache.get(key) ?? undefined
  }
}

export function reduceMembership(input: ReduceInput): Membership {
  const graph = new ControlGraph(input.entries)
  const excluded = new Set<string>(input.excluded ? input.entries.filter(input.excluded).map((e) => e.hash) : [])
  for (let round = 0; ; round++) {
    const m = run(graph, excluded, input)
    const more = voided(m, graph)
    if (more.every((h) => excluded.has(h)) || round > input.entries.length) {
      m.firstRound = round === 0
      return m
    }
    for (const h of more) excluded.add(h)
  }
}

/**
 * The membership with one more entry, computed from the last one in place
 * when that gives what `reduceMembership` would: the entry comes after every
 * other (its author had seen them all, as a device's own next change has),
 * so it is placed last whatever the ranks; the last reduce needed no second
 * round; the entry is not excluded; and nothing it brings voids an entry. A
 * board's membership grows this way one admission at a time, instead of
 * being reduced again from the start after each (quadratic for a circle of
 * thousands). Returns false, with `m` no longer to be used, when the entry
 * needs a full reduce.
 */
export function extendMembership(m: Membership, e: ControlEntry, input: ReduceInput): boolean {
  if (!m.firstRound || !m.graph.follows(e) || input.excluded?.(e)) return false
  m.graph.append(e)
  m.forgetPasts()
  const verdict = apply(m, e, input)
  m.verdicts.set(e.hash, verdict)
  if (verdict !== 'ok') return true
  m.position.set(e.hash, m.position.size)
  // A removal or demotion may void entries before it; any other entry can only be void itself.
  const decreases = e.op.t === 'remove' || e.op.t === 'role'
  const isVoid = decreases ? voided(m, m.graph).length > 0 : voidedEntry(m, e)
  if (isVoid) m.firstRound = false
  return !isVoid
}

/** Valid entries signed after a cutoff of a valid removal (or, needing a lost right, of a demotion). */
function voided(m: Membership, graph: ControlGraph<ControlEntry>): string[] {
  return graph.nodes.filter((e) => voidedEntry(m, e)).map((e) => e.hash)
}

function voidedEntry(m: Membership, e: ControlEntry): boolean {
  // Whoever may remove or demote the founder was admitted after the genesis, so had accepted it: a cutoff below it is forged, and would leave the board without a membership.
  if (m.verdicts.get(e.hash) !== 'ok' || e.op.t === 'genesis') return false
  for (const dec of m.decreases.get(e.author) ?? []) {
    const cutoff = m.cutoffFor(dec.cutoffs, e.author)
    if (e.seq <= cutoff) continue
    const needed = m.needed.get(e.hash)
    if (dec.role === null || (needed && needed !== 'device' && RANK[needed] < RANK[dec.role])) return true
  }
  return false
}

function rankOf(m: Membership, tag: string): [number, number] {
  const d = m.devices.get(tag)
  if (!d) return [4, 0]
  if (!d.member) return [3, 0]
  const member = m.members.get(d.member)!
  return [RANK[member.role], member.index]
}

/**
 * Places entries one by one (Kahn's algorithm): of the entries whose parents
 * are all placed, the one whose author ranks highest now goes first (founder,
 * moderators, members, then by seniority, then by hash). Ranks change as
 * entries apply, so the choice is made afresh at each step among the ready
 * entries only.
 */
function run(graph: ControlGraph<ControlEntry>, excluded: Set<string>, input: ReduceInput): Membership {
  const m = new Membership(graph)
  const unplacedParents = graph.nodes.map((_, i) => graph.parentsOf[i]?.length ?? 0)
  const ready: number[] = []
  graph.nodes.forEach((e, i) => {
    if (graph.waiting.has(e.hash)) m.verdicts.set(e.hash, 'waiting')
    else if (unplacedParents[i] === 0) ready.push(i)
  })
  let position = 0
  while (ready.length > 0) {
    let best = 0
    let bestKey: [number, number, string] | null = null
    for (let r = 0; r < ready.length; r++) {
      const e = graph.nodes[ready[r]!]!
      const [rank, index] = rankOf(m, e.author)
      if (!bestKey || rank < bestKey[0] || (rank === bestKey[0] && (index < bestKey[1] || (index === bestKey[1] && e.hash < bestKey[2])))) {
        best = r
        bestKey = [rank, index, e.hash]
      }
    }
    const i = ready[best]!
    ready[best] = ready[ready.length - 1]!
    ready.pop()
    for (const c of graph.childrenOf[i]!) if (--unplacedParents[c]! === 0) ready.push(c)
    const e = graph.nodes[i]!
    if (excluded.has(e.hash)) {
      m.verdicts.set(e.hash, 'void_after_removal')
      continue
    }
    const verdict = apply(m, e, input)
    m.verdicts.set(e.hash, verdict)
    if (verdict === 'ok') m.position.set(e.hash, position++)
  }
  for (const e of graph.nodes) if (!m.verdicts.has(e.hash)) m.verdicts.set(e.hash, 'waiting')
  return m
}

function apply(m: Membership, e: ControlEntry, input: ReduceInput): ControlVerdict {
  const op: Op = e.op
  if (op.t === 'genesis') {
    if (m.genesis || !input.isFounderGenesis(e)) return 'invalid'
    m.genesis = { hash: e.hash, founder: e.author }
    addMember(m, { tag: e.author, sign: e.authorKey, agree: op.agree, as: 'founder', admission: e.hash, admittedBy: null, invitedBy: null }, op.name, 'founder')
    for (const listed of op.members) {
      const tag = tagOf(listed.sign)
      if (m.devices.has(tag) || collides(m, listed.sign)) continue
      addMember(m, { tag, sign: listed.sign, agree: listed.agree, as: 'listed', admission: e.hash, admittedBy: e.author, invitedBy: null }, listed.name, 'member')
    }
    m.membersMayInvite = op.membersMayInvite
    const key = toBase64url(op.key)
    const epoch: EpochInfo = { key, parent: null, hash: e.hash, by: e.author, recipients: new Set(m.devices.keys()), effective: true }
    m.epochs.set(key, epoch)
    m.current = epoch
    m.needed.set(e.hash, 'founder')
    m.history.push({ kind: 'founded', hash: e.hash, by: e.author })
    return 'ok'
  }
  const author = m.devices.get(e.author)
  if (!author || author.removed) return 'not_member'
  if (!author.member) return 'not_allowed' // relays only carry the board
  const member = m.members.get(author.member)!
  const moderator = member.role === 'founder' || member.role === 'moderator'
  const need = (role: Role | 'device') => m.needed.set(e.hash, role)
  switch (op.t) {
    case 'invite': {
      const id = toBase64url(op.id)
      if (m.invites.has(id) || !m.current) return 'invalid'
      if (op.as === 'relay' && !moderator) return 'not_allowed'
      if (op.as === 'member' && !moderator && !m.membersMayInvite) return 'not_allowed'
      need(op.as === 'device' ? 'device' : op.as === 'member' && m.membersMayInvite ? 'member' : 'moderator')
      m.invites.set(id, { id, hash: e.hash, createdBy: e.author, pub: op.pub, requestKey: op.requestKey, uses: op.uses, used: 0, expiresAt: op.expiresAt, as: op.as, ask: op.ask, revoked: false, epoch: m.current.key })
      m.history.push({ kind: 'invited', hash: e.hash, by: e.author, invite: id })
      return 'ok'
    }
    case 'revoke': {
      const invite = m.invites.get(toBase64url(op.id))
      if (!invite) return 'invalid'
      const own = m.devices.get(invite.createdBy)?.member === author.member
      if (!own && !moderator) return 'not_allowed'
      need(own ? 'device' : 'moderator')
      invite.revoked = true
      m.history.push({ kind: 'revoked', hash: e.hash, by: e.author, invite: invite.id })
      return 'ok'
    }
    case 'admit': {
      const tag = tagOf(op.device.sign)
      if (m.devices.has(tag) || collides(m, op.device.sign) || !m.current) return 'invalid'
      const inviteId = toBase64url(op.invite)
      if (inviteId === ZERO_INVITE) {
        // A device that joined with an invite from before membership: only while the first key is in use.
        if (!moderator) return 'not_allowed'
        if (m.current.hash !== m.genesis?.hash) return 'invalid'
        need('moderator')
        addMember(m, { tag, sign: op.device.sign, agree: op.device.agree, as: 'member', admission: e.hash, admittedBy: e.author, invitedBy: null }, op.name, 'member')
      } else {
        const invite = m.invites.get(inviteId)
        if (!invite || invite.revoked || invite.used >= invite.uses || invite.epoch !== m.current.key) return 'invalid'
        const inviterMember = m.devices.get(invite.createdBy)?.member ?? null
        const own = inviterMember !== null && inviterMember === author.member
        if (invite.as === 'device' ? !own : !own && !moderator) return 'not_allowed'
        need(own ? 'device' : 'moderator')
        const device = { tag, sign: op.device.sign, agree: op.device.agree, admission: e.hash, admittedBy: e.author, invitedBy: invite.createdBy }
        if (invite.as === 'member') addMember(m, { ...device, as: 'member' }, op.name, 'member')
        else if (invite.as === 'device') addDevice(m, { ...device, as: 'device', member: inviterMember })
        else addDevice(m, { ...device, as: 'relay', member: null })
        invite.used++
      }
      m.current.recipients.add(tag)
      m.admitted.set(toBase64url(op.request), tag)
      m.history.push({ kind: 'admitted', hash: e.hash, by: e.author, device: tag, as: m.devices.get(tag)!.as === 'relay' ? 'relay' : m.devices.get(tag)!.as === 'device' ? 'device' : 'member' })
      return 'ok'
    }
    case 'refuse': {
      need('member')
      m.refused.add(toBase64url(op.request))
      m.history.push({ kind: 'refused', hash: e.hash, by: e.author, request: toBase64url(op.request) })
      return 'ok'
    }
    case 'remove': {
      if (op.cutoffs.length === 0) return 'invalid'
      let needsModerator = false
      for (const c of op.cutoffs) {
        const target = m.devices.get(c.device)
        if (!target || target.removed) return 'invalid'
        const own = target.member !== null && target.member === author.member
        if (own) continue
        if (!moderator) return 'not_allowed'
        const targetRole = target.member ? m.members.get(target.member)!.role : 'member'
        if (RANK[targetRole] < RANK[member.role]) return 'not_allowed'
        needsModerator = true
      }
      need(needsModerator ? 'moderator' : 'device')
      const decrease: Decrease = { hash: e.hash, index: m.position.size, cutoffs: op.cutoffs, role: null }
      for (const c of op.cutoffs) {
        m.devices.get(c.device)!.removed = { cutoff: c.seq, by: e.author, hash: e.hash }
        m.decreases.set(c.device, [...(m.decreases.get(c.device) ?? []), decrease])
      }
      // A rotation that leaves out a device its author knew in the circle is not taken (the removal is): a member's
      // device could otherwise shut someone out of everything posted afterwards. A moderator's device rotates then
      // (`needsRekey`: the removed device is still a recipient).
      if (op.rekey && !leavesOut(m, e, op.rekey.to)) rekey(m, e, op.rekey)
      m.history.push({ kind: 'removed', hash: e.hash, by: e.author, devices: op.cutoffs.map((c) => c.device) })
      return 'ok'
    }
    case 'role': {
      if (member.role !== 'founder') return 'not_allowed'
      const target = m.members.get(op.member)
      if (!target || target.id === member.id || target.devices.every((d) => m.devices.get(d)!.removed)) return 'invalid'
      need('founder')
      const change: RoleChange = { hash: e.hash, role: op.role, cutoffs: op.cutoffs }
      m.roleChanges.set(target.id, [...(m.roleChanges.get(target.id) ?? []), change])
      if (RANK[op.role] > RANK[target.role]) {
        const decrease: Decrease = { hash: e.hash, index: m.position.size, cutoffs: op.cutoffs, role: op.role }
        for (const d of target.devices) m.decreases.set(d, [...(m.decreases.get(d) ?? []), decrease])
      }
      target.role = op.role
      m.history.push({ kind: 'role', hash: e.hash, by: e.author, member: target.id, role: op.role })
      return 'ok'
    }
    case 'settings': {
      if (!moderator) return 'not_allowed'
      need('moderator')
      m.membersMayInvite = op.membersMayInvite
      m.history.push({ kind: 'settings', hash: e.hash, by: e.author, membersMayInvite: op.membersMayInvite })
      return 'ok'
    }
    case 'rekey': {
      if (!moderator) return 'not_allowed'
      if (leavesOut(m, e, op.rekey.to)) return 'invalid'
      need('moderator')
      rekey(m, e, op.rekey)
      m.history.push({ kind: 'rekeyed', hash: e.hash, by: e.author })
      return 'ok'
    }
  }
}

/**
 * Whether a rotation's recipients leave out a device in the circle as its
 * author saw it (admitted in the entry's past, not removed there nor by the
 * entry itself). Its lockboxes are sealed to each recipient, which no one
 * else can check; the list can be, and an honest device lists them all.
 */
function leavesOut(m: Membership, e: ControlEntry, to: readonly string[]): boolean {
  const past = m.graph.ancestors(e.hash)
  const seen = (hash: string) => hash === m.genesis?.hash || (past !== null && m.graph.index.has(hash) && past.has(m.graph.index.get(hash)!))
  const recipients = new Set(to)
  for (const d of m.devices.values()) {
    if (recipients.has(d.tag) || !seen(d.admission)) continue
    if (d.removed && (d.removed.hash === e.hash || seen(d.removed.hash))) continue
    return true
  }
  return false
}

function rekey(m: Membership, e: ControlEntry, r: { key: Uint8Array; parent: Uint8Array; to: readonly string[] }): void {
  const key = toBase64url(r.key)
  if (m.epochs.has(key)) return
  const parent = toBase64url(r.parent)
  const effective = m.current?.key === parent
  const epoch: EpochInfo = { key, parent, hash: e.hash, by: e.author, recipients: new Set(r.to), effective }
  m.epochs.set(key, epoch)
  if (effective) m.current = epoch
}

/** Whether a new device's Yjs client ids (either width) equal an existing device's: a ground key. */
/** A device's tag, computed once per key object (the membership is reduced again after every change). */
const tags = new WeakMap<Uint8Array, string>()
function tagOf(sign: Uint8Array): string {
  let tag = tags.get(sign)
  if (tag === undefined) {
    tag = deviceTag(sign)
    tags.set(sign, tag)
  }
  return tag
}

/** Both Yjs client ids a key binds (this version's and version 1's), computed once per key object. */
const clientIdsOf = new WeakMap<Uint8Array, readonly [number, number]>()
function clientIds(sign: Uint8Array): readonly [number, number] {
  let ids = clientIdsOf.get(sign)
  if (!ids) {
    ids = [boundClientId(sign), legacyBoundClientId(sign)]
    clientIdsOf.set(sign, ids)
  }
  return ids
}

function collides(m: Membership, sign: Uint8Array): boolean {
  const [bound, legacy] = clientIds(sign)
  return m.clientIds.has(bound) || m.clientIds.has(legacy)
}

type NewDevice = Omit<DeviceInfo, 'removed' | 'member'>

function addMember(m: Membership, device: NewDevice, name: string, role: Role): void {
  for (const id of clientIds(device.sign)) m.clientIds.add(id)
  m.members.set(device.tag, { id: device.tag, role, name, devices: [device.tag], index: m.members.size, admittedBy: device.admittedBy, invitedBy: device.invitedBy })
  m.devices.set(device.tag, { ...device, member: device.tag, removed: null })
}

function addDevice(m: Membership, device: NewDevice & { member: string | null }): void {
  for (const id of clientIds(device.sign)) m.clientIds.add(id)
  m.devices.set(device.tag, { ...device, removed: null })
  if (device.member) m.members.get(device.member)?.devices.push(device.tag)
}
