/**
 * Membership changes travel as JSON inside signed control entries. Eve is a
 * member and can sign anything: every field she bends out of shape must make
 * the whole change malformed (null), never a half-read one.
 */
import { describe, expect, it } from 'vitest'
import { toBase64url } from '../../src/crypto/index.ts'
import { decodeControl, encodeControl, type ControlPayload, type Op } from '../../src/sealed/membership/ops.ts'

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill)
const TAG = 'AbCdEfGh_-1'
const parents = [bytes(16, 2), bytes(16, 3)]

const OPS: Op[] = [
  { t: 'genesis', nonce: bytes(16), name: 'Circle', agree: bytes(32), key: bytes(8), members: [{ sign: bytes(32, 4), agree: bytes(32, 5), name: 'Bob' }], membersMayInvite: false },
  { t: 'invite', id: bytes(16), pub: bytes(32), requestKey: bytes(32, 6), uses: 3, expiresAt: 1_800_000_000_000, as: 'device', ask: true },
  { t: 'invite', id: bytes(16), pub: bytes(32), requestKey: bytes(32, 6), uses: 1000, expiresAt: null, as: 'relay', ask: false },
  { t: 'revoke', id: bytes(16, 7) },
  { t: 'admit', request: bytes(16, 8), invite: bytes(16, 9), device: { sign: bytes(32, 10), agree: bytes(32, 11) }, name: 'Carol' },
  { t: 'refuse', request: bytes(16, 12) },
  { t: 'remove', cutoffs: [{ device: TAG, seq: 0 }], rekey: null },
  { t: 'remove', cutoffs: [{ device: TAG, seq: 41 }], rekey: { key: bytes(8, 13), parent: bytes(8, 14), to: [TAG] } },
  { t: 'role', member: TAG, role: 'moderator', cutoffs: [{ device: TAG, seq: 5 }] },
  { t: 'settings', membersMayInvite: true },
  { t: 'rekey', rekey: { key: bytes(8, 15), parent: bytes(8, 16), to: [] } },
]

type Edit = readonly [path: string, value: unknown]

/** The wire JSON of a payload with the value at `path` (dotted: `op.cutoffs.0.seq`) replaced, or removed if undefined, decoded. */
function bent(payload: ControlPayload, [path, value]: Edit): ControlPayload | null {
  const wire = JSON.parse(new TextDecoder().decode(encodeControl(payload))) as Record<string, unknown>
  const keys = path.split('.')
  const last = keys.pop()!
  const holder = keys.reduce((o, k) => o[k] as Record<string, unknown>, wire)
  if (value === undefined) delete holder[last]
  else holder[last] = value
  return decodeControl(new TextEncoder().encode(JSON.stringify(wire)))
}
const op = (t: Op['t']) => ({ parents, op: OPS.find((o) => o.t === t)! })

describe('control payloads', () => {
  it('every kind of change reads back exactly as written', () => {
    for (const o of OPS) expect(decodeControl(encodeControl({ parents, op: o })), o.t).toEqual({ parents, op: o })
    expect(decodeControl(encodeControl({ parents: [], op: OPS[0]! }))).toEqual({ parents: [], op: OPS[0]! })
  })

  it('names are trimmed, never empty, at most 60 characters (an emoji is one)', () => {
    const named = (name: unknown) => bent(op('admit'), ['op.name', name])
    expect(named('  Carol  ')?.op).toMatchObject({ name: 'Carol' })
    expect(named('🌿'.repeat(60))?.op).toMatchObject({ name: '🌿'.repeat(60) })
    for (const name of ['', '   ', 'x'.repeat(61), 42, null]) expect(named(name), String(name)).toBeNull()
    expect(bent(op('genesis'), ['op.members.0.name', ''])).toBeNull()
    expect(bent(op('genesis'), ['op.name', ' '])).toBeNull()
  })

  it('a change that is not version 1, not JSON, not UTF-8 or not an object is malformed', () => {
    expect(bent(op('refuse'), ['v', 2])).toBeNull()
    expect(bent(op('refuse'), ['v', undefined])).toBeNull()
    for (const raw of ['{', '[]', 'null', '"refuse"', '{"v":1,"parents":[],"op":[]}', '{"v":1,"parents":{},"op":{"t":"settings","membersMayInvite":true}}']) {
      expect(decodeControl(new TextEncoder().encode(raw)), raw).toBeNull()
    }
    expect(decodeControl(new Uint8Array([0x7b, 0xff, 0x7d]))).toBeNull()
    // Bytes that are not UTF-8 inside a name: not read as a replacement character.
    const raw = encodeControl(op('admit'))
    const at = new TextDecoder().decode(raw).indexOf('Carol')
    const broken = new Uint8Array(raw)
    broken[at] = 0xff
    expect(decodeControl(broken)).toBeNull()
    expect(bent(op('refuse'), ['op.t', 'promote'])).toBeNull()
  })

  it('names at most 64 parents, each a 16-byte hash', () => {
    const withParents = (n: number) => decodeControl(encodeControl({ parents: Array.from({ length: n }, (_, i) => bytes(16, i)), op: OPS[9]! }))
    expect(withParents(64)?.parents).toHaveLength(64)
    expect(withParents(65)).toBeNull()
    expect(bent(op('refuse'), ['parents.0', toBase64url(bytes(15))])).toBeNull()
    expect(bent(op('refuse'), ['parents.0', 'not base64url!'])).toBeNull()
    expect(bent(op('refuse'), ['parents.0', 16])).toBeNull()
  })

  it('every byte string has its exact length', () => {
    const cases: [Op['t'], Edit][] = [
      ['genesis', ['op.nonce', toBase64url(bytes(15))]],
      ['genesis', ['op.agree', toBase64url(bytes(31))]],
      ['genesis', ['op.key', toBase64url(bytes(9))]],
      ['genesis', ['op.members.0.sign', toBase64url(bytes(33))]],
      ['genesis', ['op.members.0.agree', toBase64url(bytes(31))]],
      ['invite', ['op.id', toBase64url(bytes(17))]],
      ['invite', ['op.pub', toBase64url(bytes(31))]],
      ['invite', ['op.requestKey', toBase64url(bytes(31))]],
      ['revoke', ['op.id', toBase64url(bytes(15))]],
      ['admit', ['op.request', toBase64url(bytes(15))]],
      ['admit', ['op.invite', toBase64url(bytes(15))]],
      ['admit', ['op.device.sign', toBase64url(bytes(31))]],
      ['admit', ['op.device.agree', toBase64url(bytes(31))]],
      ['admit', ['op.device', [toBase64url(bytes(32)), toBase64url(bytes(32))]]],
      ['refuse', ['op.request', toBase64url(bytes(17))]],
      ['rekey', ['op.rekey.key', toBase64url(bytes(7))]],
      ['rekey', ['op.rekey.parent', toBase64url(bytes(9))]],
      ['rekey', ['op.rekey', null]],
    ]
    for (const [t, edit] of cases) expect(bent(op(t), edit), `${t} ${edit[0]}`).toBeNull()
  })

  it('numbers are whole, not negative, and an invitation has at most 1,000 uses', () => {
    const uses = (n: unknown) => bent(op('invite'), ['op.uses', n])
    expect(uses(0)?.op).toMatchObject({ uses: 0 })
    expect(uses(1000)?.op).toMatchObject({ uses: 1000 })
    for (const n of [1001, -1, 1.5, '3', null]) expect(uses(n), String(n)).toBeNull()
    expect(bent(op('invite'), ['op.expiresAt', -5])).toBeNull()
    expect(bent(op('invite'), ['op.expiresAt', 2 ** 53])).toBeNull()
    expect(bent(op('invite'), ['op.expiresAt', Number.MAX_SAFE_INTEGER])?.op).toMatchObject({ expiresAt: Number.MAX_SAFE_INTEGER })
    expect(bent(op('remove'), ['op.cutoffs.0.seq', 2.5])).toBeNull()
  })

  it('flags are booleans, choices come from their list, devices are 11-character tags', () => {
    const cases: [Op['t'], Edit][] = [
      ['invite', ['op.ask', 'yes']],
      ['invite', ['op.as', 'admin']],
      ['settings', ['op.membersMayInvite', 1]],
      ['genesis', ['op.membersMayInvite', null]],
      ['role', ['op.role', 'owner']],
      ['role', ['op.member', TAG.slice(1)]],
      ['role', ['op.member', `${TAG}x`]],
      ['role', ['op.member', `x${TAG}`]],
      ['role', ['op.member', 'AbCdEfGh+/1']],
      ['role', ['op.member', 12345678901]],
      ['remove', ['op.cutoffs.0.device', 'short']],
      ['remove', ['op.rekey', { key: toBase64url(bytes(8)), parent: toBase64url(bytes(8)), to: ['short'] }]],
      ['remove', ['op.cutoffs', {}]],
    ]
    for (const [t, edit] of cases) expect(bent(op(t), edit), `${t} ${edit[0]}`).toBeNull()
    for (const role of ['founder', 'moderator', 'member']) expect(bent(op('role'), ['op.role', role])?.op, role).toMatchObject({ role })
  })

  it('lists hold at most 10,000 items', () => {
    const cutoffs = (n: number) => bent(op('remove'), ['op.cutoffs', Array.from({ length: n }, () => ({ device: TAG, seq: 1 }))])
    expect(cutoffs(10_000)?.op).toMatchObject({ t: 'remove' })
    expect(cutoffs(10_001)).toBeNull()
  })
})
