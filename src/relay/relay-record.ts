import { asTransportSecret, fromBase64url, toBase64url, type DeviceKeyMaterial, type TransportSecret } from '../crypto/index.ts'

/** A room the relay carries (no `leftAt`), or one it left after a rotation and keeps pointing stragglers on from. */
export interface RelayEpoch {
  readonly transport: TransportSecret
  /** When the relay followed a rotation out of this room. */
  readonly leftAt?: number
  /** What leads out of this room (the rotation and its signed membership change): all a forwarding presence holds. */
  readonly handoff?: readonly (readonly [string, Uint8Array])[]
}

/**
 * What a relay keeps about one board it carries: its own identity on this
 * board alone (two boards' members cannot tell they share a relay), the
 * rooms it carries or left, and until it is let in the invitation secret of
 * its relay link. Never a content key: the relay is never sent one.
 */
export interface RelayBoardRecord {
  /** The board id (base64url, from the relay link). */
  readonly id: string
  readonly device: DeviceKeyMaterial
  readonly epochs: readonly RelayEpoch[]
  /** Until let in: the invitation secret of the relay link. */
  readonly invitation?: Uint8Array
  /** The board's signaling servers (from the relay link's origin, plus the operator's). */
  readonly signaling: readonly string[]
  /** The name its request shows the moderators. */
  readonly name: string
  readonly addedAt: number
  readonly admittedAt?: number
}

const b = toBase64url
const bytes = (v: unknown): Uint8Array => {
  const out = typeof v === 'string' ? fromBase64url(v) : null
  if (!out) throw new Error('not base64url')
  return out
}

export function encodeRecord(r: RelayBoardRecord): Uint8Array {
  const json = {
    v: 1,
    id: r.id,
    device: { signPkcs8: b(r.device.signPkcs8), signPublic: b(r.device.signPublic), agreePkcs8: b(r.device.agreePkcs8), agreePublic: b(r.device.agreePublic) },
    epochs: r.epochs.map((e) => ({ t: b(e.transport), ...(e.leftAt !== undefined ? { left: e.leftAt } : {}), ...(e.handoff ? { h: e.handoff.map(([k, v]) => [k, b(v)]) } : {}) })),
    ...(r.invitation ? { invitation: b(r.invitation) } : {}),
    signaling: r.signaling,
    name: r.name,
    addedAt: r.addedAt,
    ...(r.admittedAt !== undefined ? { admittedAt: r.admittedAt } : {}),
  }
  return new TextEncoder().encode(JSON.stringify(json))
}

/** The record, or null if it is not one (a newer format, damage). */
export function decodeRecord(raw: Uint8Array): RelayBoardRecord | null {
  try {
    const o = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as Record<string, unknown>
    const device = o.device as Record<string, unknown> | null
    if (o.v !== 1 || typeof o.id !== 'string' || !Array.isArray(o.epochs) || o.epochs.length === 0 || typeof device !== 'object' || !device) return null
    const epochs: RelayEpoch[] = o.epochs.map((e: Record<string, unknown>) => {
      const transport = asTransportSecret(bytes(e.t))
      if (!transport) throw new Error('not a transport secret')
      return {
        transport,
        ...(typeof e.left === 'number' ? { leftAt: e.left } : {}),
        ...(Array.isArray(e.h) ? { handoff: e.h.map((pair: unknown) => [String((pair as unknown[])[0]), bytes((pair as unknown[])[1])] as const) } : {}),
      }
    })
    return {
      id: o.id,
      device: { signPkcs8: bytes(device.signPkcs8), signPublic: bytes(device.signPublic), agreePkcs8: bytes(device.agreePkcs8), agreePublic: bytes(device.agreePublic) },
      epochs,
      ...(typeof o.invitation === 'string' ? { invitation: bytes(o.invitation) } : {}),
      signaling: Array.isArray(o.signaling) ? o.signaling.filter((s: unknown): s is string => typeof s === 'string') : [],
      name: typeof o.name === 'string' ? o.name : 'Relay',
      addedAt: Number(o.addedAt) || 0,
      ...(typeof o.admittedAt === 'number' ? { admittedAt: o.admittedAt } : {}),
    }
  } catch {
    return null
  }
}
