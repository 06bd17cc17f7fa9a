import { parseLockSettings, type LockSettings } from './keyring-settings.ts'
import { parseNetwork, type NetworkSettings } from './settings.ts'

/** What versions before the one database kept in plain localStorage. */
export interface LegacySettings {
  readonly language: string | null
  readonly network: NetworkSettings
  readonly lock: LockSettings
  readonly operatorSignaling: readonly string[]
}

const KEYS = { settings: 'hearth.settings', lock: 'hearth.lock', operator: 'hearth.operator-signaling' } as const

const json = (raw: string | null): unknown => {
  try {
    return raw ? JSON.parse(raw) : null
  } catch {
    return null
  }
}

/** Reads the plain-text settings of an older version, or null when there are none. */
export function readLegacySettings(storage: Storage | undefined = globalThis.localStorage): LegacySettings | null {
  if (!storage || Object.values(KEYS).every((k) => storage.getItem(k) === null)) return null
  const settings = json(storage.getItem(KEYS.settings)) as Record<string, unknown> | null
  const operator = json(storage.getItem(KEYS.operator))
  return {
    language: typeof settings?.language === 'string' ? settings.language : null,
    network: parseNetwork(settings),
    // Installs from before kept "lock when hidden" off unless the person turned it on.
    lock: parseLockSettings({ lockWhenHidden: false, ...(json(storage.getItem(KEYS.lock)) as object | null) }),
    operatorSignaling: Array.isArray(operator) ? operator.filter((s): s is string => typeof s === 'string') : [],
  }
}

/**
 * Removes them once they are in the keyring. (LevelDB may keep the old values
 * in Local Storage's log file until it compacts: see THREAT_MODEL.md.)
 */
export function clearLegacySettings(storage: Storage | undefined = globalThis.localStorage): void {
  for (const key of Object.values(KEYS)) storage?.removeItem(key)
}
