/**
 * Lock and wipe preferences, kept inside the encrypted keyring. While the
 * keyring is locked the defaults apply (the safe ones: the wipe asks first).
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

/** New installs lock when hidden: a phone is most often taken from a pocket, screen off. */
export const DEFAULT_LOCK_SETTINGS: LockSettings = { autoLockMinutes: 5, lockWhenHidden: true, confirmWipe: true }

/** Parses stored preferences defensively; what is missing or damaged takes the default. */
export function parseLockSettings(data: unknown): LockSettings {
  const o = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {}
  const minutes = AUTO_LOCK_CHOICES.find((m) => m === o.autoLockMinutes)
  return {
    autoLockMinutes: minutes ?? DEFAULT_LOCK_SETTINGS.autoLockMinutes,
    lockWhenHidden: typeof o.lockWhenHidden === 'boolean' ? o.lockWhenHidden : DEFAULT_LOCK_SETTINGS.lockWhenHidden,
    confirmWipe: typeof o.confirmWipe === 'boolean' ? o.confirmWipe : DEFAULT_LOCK_SETTINGS.confirmWipe,
  }
}
