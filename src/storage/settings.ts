/**
 * The person's network settings. They live in the encrypted keyring (see
 * keyring-types.ts): which servers someone uses says something about them.
 * The language is a device pref (device-file.ts), readable before unlocking.
 */
export interface NetworkSettings {
  /** Signaling servers the person added. Empty = the app's own origin (and the operator's extras). */
  readonly signaling: readonly string[]
  /** When true, the app's own origin is not used for signaling (only `signaling`). */
  readonly replaceSignaling: boolean
  /** STUN/TURN servers the person added, on top of the operator's. */
  readonly iceServers: readonly IceServer[]
  /** Connect only through TURN relays, so peers never see this device's IP address. */
  readonly relayOnly: boolean
}

/** Everything the app bar's settings screen shows: the network settings and the language. */
export interface DeviceSettings extends NetworkSettings {
  readonly language: string | null
}

export interface IceServer {
  readonly urls: string
  readonly username?: string
  readonly credential?: string
}

export const DEFAULT_NETWORK: NetworkSettings = {
  signaling: [],
  replaceSignaling: false,
  iceServers: [],
  relayOnly: false,
}

export const DEFAULT_SETTINGS: DeviceSettings = { language: null, ...DEFAULT_NETWORK }

function isIceServer(v: unknown): v is IceServer {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return (
    typeof o.urls === 'string' &&
    (o.username === undefined || typeof o.username === 'string') &&
    (o.credential === undefined || typeof o.credential === 'string')
  )
}

/** Parses stored settings defensively: anything unexpected falls back to the default. */
export function parseSettings(raw: string | null): DeviceSettings {
  if (!raw) return DEFAULT_SETTINGS
  let data: unknown
  try {
    data = JSON.parse(raw)
  } catch {
    return DEFAULT_SETTINGS
  }
  return { language: typeof (data as { language?: unknown })?.language === 'string' ? (data as { language: string }).language : null, ...parseNetwork(data) }
}

/** The network part of anything stored, defensively. */
export function parseNetwork(data: unknown): NetworkSettings {
  if (typeof data !== 'object' || data === null) return DEFAULT_NETWORK
  const o = data as Record<string, unknown>
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [])
  return {
    signaling: strings(o.signaling),
    replaceSignaling: o.replaceSignaling === true,
    iceServers: Array.isArray(o.iceServers) ? o.iceServers.filter(isIceServer) : [],
    relayOnly: o.relayOnly === true,
  }
}
