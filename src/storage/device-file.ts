/**
 * The device file: the one small place whose destruction erases everything
 * Hearth keeps (see key-file.ts for where it lives and how it is destroyed).
 * 128 bytes, always the same size, so every change rewrites the same bytes in
 * place:
 *
 * ```
 *   0..31   root key, slot 0   ┐ the keyring names the slot its key-encryption key
 *  32..63   root key, slot 1   ┘ comes from; the other is zero except mid-rotation
 *  64..95   duress salt        what the duress verifier is bound to (see keyring-blob.ts)
 *  96       format (1)
 *  97       look: 0 Hearth, 1 Notes          ┐ what the lock screen needs before
 *  98..113  language tag, ASCII, zero-padded ┘ unlocking: not secret
 * 114..127  zero
 * ```
 */
export const DEVICE_FILE_BYTES = 128
export const ROOT_KEY_BYTES = 32
const DURESS_SALT = 64
const FORMAT = 96
const LOOK = 97
const LANGUAGE = 98
const LANGUAGE_BYTES = 16

/** How the app presents itself on this device: its own name, or a neutral one for whoever glances at the phone. */
export type Look = 'hearth' | 'notes'

/** What is readable before unlocking. */
export interface DevicePrefs {
  readonly language: string | null
  readonly look: Look
}

export const DEFAULT_PREFS: DevicePrefs = { language: null, look: 'hearth' }

export interface DeviceFile {
  /** The two root-key slots; a slot of zeros is empty. */
  readonly slots: readonly [Uint8Array, Uint8Array]
  readonly duressSalt: Uint8Array
  readonly prefs: DevicePrefs
}

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))
const isZero = (b: Uint8Array) => b.every((x) => x === 0)

/** A new device: a random root key in slot 0, a random duress salt, default prefs. */
export function newDeviceFile(prefs: DevicePrefs = DEFAULT_PREFS): DeviceFile {
  return { slots: [random(ROOT_KEY_BYTES), new Uint8Array(ROOT_KEY_BYTES)], duressSalt: random(32), prefs }
}

/** The root key in `slot`, or null when that slot is empty. */
export function rootKey(file: DeviceFile, slot: 0 | 1): Uint8Array | null {
  const key = file.slots[slot]
  return isZero(key) ? null : key
}

export function withSlot(file: DeviceFile, slot: 0 | 1, key: Uint8Array): DeviceFile {
  const slots: [Uint8Array, Uint8Array] = [file.slots[0], file.slots[1]]
  slots[slot] = key
  return { ...file, slots }
}

export function encodeDeviceFile(file: DeviceFile): Uint8Array {
  const out = new Uint8Array(DEVICE_FILE_BYTES)
  out.set(file.slots[0], 0)
  out.set(file.slots[1], ROOT_KEY_BYTES)
  out.set(file.duressSalt, DURESS_SALT)
  out[FORMAT] = 1
  out[LOOK] = file.prefs.look === 'notes' ? 1 : 0
  const language = file.prefs.language && /^[A-Za-z0-9-]{1,16}$/.test(file.prefs.language) ? file.prefs.language : ''
  for (let i = 0; i < language.length; i++) out[LANGUAGE + i] = language.charCodeAt(i)
  return out
}

/** Parses the file; null when it is not one (wrong size or format), which the keyring treats as damage, never as a fresh device. */
export function decodeDeviceFile(bytes: Uint8Array): DeviceFile | null {
  if (bytes.length !== DEVICE_FILE_BYTES || bytes[FORMAT] !== 1) return null
  let language = ''
  for (let i = LANGUAGE; i < LANGUAGE + LANGUAGE_BYTES && bytes[i] !== 0; i++) language += String.fromCharCode(bytes[i]!)
  return {
    slots: [bytes.slice(0, ROOT_KEY_BYTES), bytes.slice(ROOT_KEY_BYTES, 2 * ROOT_KEY_BYTES)],
    duressSalt: bytes.slice(DURESS_SALT, DURESS_SALT + 32),
    prefs: { language: language || null, look: bytes[LOOK] === 1 ? 'notes' : 'hearth' },
  }
}
