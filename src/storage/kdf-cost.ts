import { derivePassphraseBytes, newScryptParams, type ScryptParams } from '../crypto/index.ts'

/** Never below scrypt N = 2^16 (64 MiB) for a passphrase, however slow the device. */
export const MIN_LOG_N = 16
/** 2^17 needs 128 MiB; more would fail on phones with little memory. */
export const MAX_LOG_N = 17
/** About one second per unlock on this device. */
export const TARGET_MS = 1000
const PROBE_LOG_N = 13

/**
 * Chooses scrypt's cost for a new passphrase on this device: times a cheap
 * probe (N = 2^13, 8 MiB) and takes the largest N whose predicted time (scrypt
 * is linear in N) stays within about one second, between 2^16 and 2^17.
 */
export async function calibratedScrypt(measure: (logN: number) => Promise<number> = timeScrypt): Promise<ScryptParams> {
  const probe = await measure(PROBE_LOG_N)
  let logN = MIN_LOG_N
  while (logN < MAX_LOG_N && probe * 2 ** (logN + 1 - PROBE_LOG_N) <= TARGET_MS * 1.2) logN++
  return newScryptParams(logN)
}

async function timeScrypt(logN: number): Promise<number> {
  const started = performance.now()
  const bytes = await derivePassphraseBytes('calibration', newScryptParams(logN))
  bytes.fill(0)
  return performance.now() - started
}
