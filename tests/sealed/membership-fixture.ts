import { deviceTag, toBase64url } from '../../src/crypto/index.ts'
import type { Op, Role } from '../../src/sealed/membership/ops.ts'
import { reduceMembership } from '../../src/sealed/membership/reduce.ts'
import type { ControlEntry } from '../../src/sealed/membership/state.ts'
import { mulberry32 } from '../support/mulberry32.ts'

/** A person's device in membership stories: keys are random bytes (the reducer never checks signatures). */
export class Device {
  readonly sign = crypto.getRandomValues(new Uint8Array(32))
  readonly agree = crypto.getRandomValues(new Uint8Array(32))
  readonly tag = deviceTag(this.sign)
  seq = 0
  constructor(readonly name: string) {}
}

export const FIRST_KEY = new Uint8Array(8).fill(1)

/** Builds control entries the way devices write them: each names the heads its author had seen. */
export class History {
  readonly entries: ControlEntry[] = []

  write(by: Device, op: Op, parents: readonly ControlEntry[] | 'heads' = 'heads'): ControlEntry {
    const ps = parents === 'heads' ? this.heads() : parents
    const entry: ControlEntry = { hash: toBase64url(crypto.getRandomValues(new Uint8Array(16))), author: by.tag, authorKey: by.sign, seq: ++by.seq, parents: ps.map((p) => p.hash), op }
    this.entries.push(entry)
    return entry
  }

  /** Every device let in so far and not removed (a rotation's recipients: an honest device lists them all). */
  circle(): string[] {
    const tags: string[] = []
    const removed = new Set<string>()
    for (const e of this.entries) {
      if (e.op.t === 'genesis') tags.push(e.author, ...e.op.members.map((m) => deviceTag(m.sign)))
      if (e.op.t === 'admit') tags.push(deviceTag(e.op.device.sign))
      if (e.op.t === 'remove') for (const c of e.op.cutoffs) removed.add(c.device)
    }
    return tags.filter((t) => !removed.has(t))
  }

  /** Entries no other entry names as a parent. */
  heads(): ControlEntry[] {
    const named = new Set(this.entries.flatMap((e) => e.parents))
    return this.entries.filter((e) => !named.has(e.hash))
  }

  genesis(founder: Device): ControlEntry {
    return this.write(founder, { t: 'genesis', nonce: new Uint8Array(16), name: founder.name, agree: founder.agree, key: FIRST_KEY, members: [], membersMayInvite: true }, [])
  }

  /** An invitation by `by` and its use by `newcomer`, admitted by `admitter` (default: the inviter). */
  invite(by: Device, newcomer: Device, opts: { admitter?: Device; as?: 'member' | 'device' | 'relay' } = {}): ControlEntry {
    const id = crypto.getRandomValues(new Uint8Array(16))
    this.write(by, { t: 'invite', id, pub: new Uint8Array(32), requestKey: new Uint8Array(32), uses: 1, expiresAt: null, as: opts.as ?? 'member', ask: false })
    return this.write(opts.admitter ?? by, { t: 'admit', request: crypto.getRandomValues(new Uint8Array(16)), invite: id, device: { sign: newcomer.sign, agree: newcomer.agree }, name: newcomer.name })
  }

  role(by: Device, member: Device, role: Role, parents?: readonly ControlEntry[]): ControlEntry {
    return this.write(by, { t: 'role', member: member.tag, role, cutoffs: [{ device: member.tag, seq: member.seq }] }, parents)
  }

  remove(by: Device, target: Device, parents?: readonly ControlEntry[]): ControlEntry {
    return this.write(by, { t: 'remove', cutoffs: [{ device: target.tag, seq: target.seq }], rekey: null }, parents)
  }
}

export function reduce(entries: readonly ControlEntry[], founder: Device) {
  return reduceMembership({ entries, isFounderGenesis: (e) => e.author === founder.tag })
}

/** The same entries in `n` seeded random orders. */
export function shuffles<T>(items: readonly T[], n: number, seed = 7): T[][] {
  let state = seed
  const next = () => {
    const [s, v] = mulberry32(state)
    state = s
    return v
  }
  return Array.from({ length: n }, () => {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
    }
    return copy
  })
}
