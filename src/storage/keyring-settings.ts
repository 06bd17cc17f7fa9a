/**
 * Lock and wipe preferences. Not secret, and needed before unlocking (the
 * lock screen offers the panic wipe), so they live in localStorage beside the
 * other device settings — and go with everything else in a panic wipe.
 */
export interface LockSettings {
  /** Lock after this many minutes without input; 0 = never. Only with a passphrase. */
  readonly autoLockMinutes: AutoLockMinutes
  /** Lock as soon as the app is hidden (another app, screen off). Only with a passphrase. */
  readonly lockWhenHidden: boolean
  /** Ask before the panic wipe. When false, the panic button and shortcut wipe at once. */
  readonly confirmWipe: boolean
}

export const AUTO_LOCK_CHOICES = [0, 1, 5, 15, 60] as const
export type AutoLockMinutes = (typeof AUTO_LOCK_CHOICES)[number]

export const DEFAULT_LOCK_SETTINGS: LockSettings = { autoLockMinutes: 5, lockWhenHidden: false, confirmWipe: true }

const KEY = 'hearth.lock'

export function parseLockSettings(raw: string | null): LockSettings {
  let o: Record<string, unknown> = {}
  try {
    const data: unknown = raw ? JSON.parse(raw) : null
    if (typeof data === 'object' && data !== null) o = data as Record<string, unknown>
  } catch {
    // damaged: defaults
  }
  const minutes = AUTO_LOCK_CHOICES.find((m) => m === o.autoLockMinutes)
  return {
    autoLockMinutes: minutes ?? DEFAULT_LOCK_SETTINGS.autoLockMinutes,
    lockWhenHidden: typeof o.lockWhenHidden === 'boolean' ? o.lockWhenHidden : DEFAULT_LOCK_SETTINGS.lockWhenHidden,
    confirmWipe: typeof o.confirmWipe === 'boolean' ? o.confirmWipe : DEFAULT_LOCK_SETTINGS.confirmWipe,
  }
}

export function loadLockSettings(storage: Storage = localStorage): LockSettings {
  return parseLockSettings(storage.getItem(KEY))
}

export function saveLockSettings(settings: LockSettings, storage: Storage = localStorage): void {
  storage.setItem(KEY, JSON.stringify(settings))
}
