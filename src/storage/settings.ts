/**
 * Device preferences that must be readable synchronously at start-up (language,
 * so the first paint is already in the right language and direction) or that
 * are not board content. Kept in localStorage under one key.
 */
export interface DeviceSettings {
  readonly language: string | null
  /** Signaling servers the person added. Empty = the app's own origin (and the operator's extras). */
  readonly signaling: readonly string[]
  /** When true, the app's own origin is not used for signaling (only `signaling`). */
  readonly replaceSignaling: boolean
  /** STUN/TURN servers the person added, on top of the operator's. */
  readonly iceServers: readonly IceServer[]
  /** Connect only through TURN relays, so peers never see this device's IP address. */
  readonly relayOnly: boolean
}

export interface IceServer {
  readonly urls: string
  readonly username?: string
  readonly credential?: string
}

const KEY = 'hearth.settings'

export const DEFAULT_SETTINGS: DeviceSettings = {
  language: null,
  signaling: [],
  replaceSignaling: false,
  iceServers: [],
  relayOnly: false,
}

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
  if (typeof data !== 'object' || data === null) return DEFAULT_SETTINGS
  const o = data as Record<string, unknown>
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [])
  return {
    language: typeof o.language === 'string' ? o.language : null,
    signaling: strings(o.signaling),
    replaceSignaling: o.replaceSignaling === true,
    iceServers: Array.isArray(o.iceServers) ? o.iceServers.filter(isIceServer) : [],
    relayOnly: o.relayOnly === true,
  }
}

export function loadSettings(storage: Storage = localStorage): DeviceSettings {
  return parseSettings(storage.getItem(KEY))
}

export function saveSettings(settings: DeviceSettings, storage: Storage = localStorage): void {
  storage.setItem(KEY, JSON.stringify(settings))
}
