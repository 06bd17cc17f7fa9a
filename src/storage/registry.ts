/**
 * The list of boards on this device. Since sealed boards it lives in the
 * encrypted keyring (see keyring.ts): `BoardRegistry` is the keyring under the
 * name the app has always used, with the same list/get/put/update/remove/close.
 */
export { Keyring as BoardRegistry } from './keyring.ts'
export type { BoardRecord } from './keyring-types.ts'
