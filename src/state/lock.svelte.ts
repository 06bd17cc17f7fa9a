import { AUTO_LOCK_CHOICES, DEFAULT_LOCK_SETTINGS, type AutoLockMinutes, type LockSettings } from '../app/index.ts'

export { AUTO_LOCK_CHOICES, type AutoLockMinutes }

/**
 * The panic shortcut: Escape pressed three times within one second. One key,
 * in the same place on every keyboard and layout (Arabic, Russian, …), no
 * chord to remember under stress, and bound to nothing three times over by
 * browsers, operating systems or screen readers; a single Escape still
 * closes dialogs as usual.
 */
export const PANIC_KEY = 'Escape'
export const PANIC_PRESSES = 3
export const PANIC_WINDOW_MS = 1000

/**
 * How long a press must be held on the Wipe button when "Ask before wiping"
 * is off. A missed tap (a finger brushing the button on the way to another)
 * lasts well under 300 ms; holding for 0.8 s takes intent but no reading,
 * so it stays fast for someone who means it.
 */
export const WIPE_HOLD_MS = 800

/** Passphrase length limits, as src/crypto/passphrase.ts checks them (tests/state keeps the two equal). */
export const PASSPHRASE_LIMITS = { min: 8, max: 1024 } as const

/** Any of these counts as the person being there. */
const ACTIVITY = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'scroll', 'input'] as const

export interface LockHooks {
  /** Whether locking applies now: a passphrase is set and the app is unlocked. */
  readonly active: () => boolean
  readonly lock: () => void
  /** The panic shortcut or button; `ask`: ask first whatever the settings (the shortcut's Escapes also closed windows). */
  readonly panic: (ask?: boolean) => void
  /** Keeps changed preferences (in the keyring). */
  readonly save: (settings: LockSettings) => void
}

/**
 * Lock preferences, the idle timer, "lock when hidden", the veil over the app
 * while it is hidden, and the panic shortcut. The timer is not reset on every
 * input: input only records the time, and one timeout checks it when it
 * fires (also when the page becomes visible again, since timers sleep with
 * the phone).
 */
export class LockState {
  /** The person's preferences while unlocked; the defaults while locked (the wipe asks first). */
  settings = $state.raw<LockSettings>(DEFAULT_LOCK_SETTINGS)
  /**
   * True while the app is hidden: nothing is drawn, so the app switcher's
   * thumbnail (taken as the app goes to the background) shows no board.
   */
  veiled = $state(false)
  /** Whether this device has a keyboard worth mentioning shortcuts for (a fine pointer that hovers: not a phone). */
  keyboardHints = $state(false)
  readonly #hooks: LockHooks
  #lastInput = Date.now()
  #timer: ReturnType<typeof setTimeout> | null = null
  /** The Escapes of the shortcut so far, and whether each also closed a window. */
  #escapes: { readonly at: number; readonly closing: boolean }[] = []
  #swallowUntil = -Infinity

  constructor(hooks: LockHooks) {
    this.#hooks = hooks
  }

  /** Listens to the window for input, visibility and the panic shortcut. Returns a function that stops. */
  attach(win: Window): () => void {
    const doc = win.document
    this.keyboardHints = win.matchMedia?.('(any-hover: hover) and (any-pointer: fine)').matches ?? false
    const onActivity = () => {
      this.#lastInput = Date.now()
      if (!this.#timer) this.#schedule()
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== PANIC_KEY) return
      // The third Escape, and any more in the next second, belong to the
      // shortcut: they must not also close the question it opens (a frantic
      // fourth press) or the dialogs underneath, which would leave the focus
      // nowhere.
      if (e.timeStamp < this.#swallowUntil) return e.preventDefault()
      // With a window open, this Escape also closes it: someone backing out of a post's edit form and its view
      // presses it three times quickly, so a shortcut with such a press asks first, even with asking off.
      if (!e.repeat && this.#countPanicKey(e.timeStamp, doc.querySelector('dialog[open]') !== null)) {
        this.#swallowUntil = e.timeStamp + PANIC_WINDOW_MS
        e.preventDefault()
      }
    }
    const onVisibility = () => {
      if (doc.visibilityState === 'hidden') {
        this.veiled = true
        if (this.settings.lockWhenHidden && this.#hooks.active()) this.#hooks.lock()
      } else {
        this.veiled = false
        this.#check()
      }
    }
    const onPageHide = () => (this.veiled = true)
    const onPageShow = () => (this.veiled = doc.visibilityState === 'hidden')
    for (const type of ACTIVITY) win.addEventListener(type, onActivity, { capture: true, passive: true })
    win.addEventListener('keydown', onKey, { capture: true })
    win.addEventListener('pagehide', onPageHide)
    win.addEventListener('pageshow', onPageShow)
    doc.addEventListener('visibilitychange', onVisibility)
    return () => {
      for (const type of ACTIVITY) win.removeEventListener(type, onActivity, { capture: true })
      win.removeEventListener('keydown', onKey, { capture: true })
      win.removeEventListener('pagehide', onPageHide)
      win.removeEventListener('pageshow', onPageShow)
      doc.removeEventListener('visibilitychange', onVisibility)
      this.#clear()
    }
  }

  /** The person's preferences, once the keyring is open. */
  use(settings: LockSettings): void {
    this.settings = settings
    this.restart()
  }

  /** Restarts the idle clock (after unlocking, or when a passphrase is set or removed). */
  restart(): void {
    this.#lastInput = Date.now()
    this.#schedule()
  }

  setAutoLock(minutes: AutoLockMinutes): void {
    this.#save({ ...this.settings, autoLockMinutes: minutes })
    this.restart()
  }

  setLockWhenHidden(on: boolean): void {
    this.#save({ ...this.settings, lockWhenHidden: on })
  }

  setConfirmWipe(on: boolean): void {
    this.#save({ ...this.settings, confirmWipe: on })
  }

  /** Locked, or after a panic wipe: back to the defaults, in memory only. */
  forget(): void {
    this.settings = DEFAULT_LOCK_SETTINGS
    this.#escapes = []
    this.#swallowUntil = -Infinity
    this.#clear()
  }

  #save(settings: LockSettings): void {
    this.settings = settings
    this.#hooks.save(settings)
  }

  /** Counts one Escape; true when it completed the shortcut (and the panic hook ran). */
  #countPanicKey(at: number, closing: boolean): boolean {
    this.#escapes = [...this.#escapes.filter((p) => at - p.at < PANIC_WINDOW_MS), { at, closing }]
    if (this.#escapes.length < PANIC_PRESSES) return false
    const ask = this.#escapes.some((p) => p.closing)
    this.#escapes = []
    this.#hooks.panic(ask)
    return true
  }

  #check(): void {
    this.#clear()
    const minutes = this.settings.autoLockMinutes
    if (minutes === 0 || !this.#hooks.active()) return
    if (Date.now() - this.#lastInput >= minutes * 60_000) this.#hooks.lock()
    else this.#schedule()
  }

  #schedule(): void {
    this.#clear()
    const minutes = this.settings.autoLockMinutes
    if (minutes === 0 || !this.#hooks.active()) return
    const remaining = this.#lastInput + minutes * 60_000 - Date.now()
    this.#timer = setTimeout(() => this.#check(), Math.max(remaining, 0) + 50)
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
  }
}
