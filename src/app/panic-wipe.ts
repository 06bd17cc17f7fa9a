import { wipeDevice, type WipeReport } from '../storage/index.ts'
import type { DeviceLock } from './device-lock.ts'
import type { Hearth } from './hearth.ts'

export { onWipeElsewhere } from '../storage/index.ts'
export type { WipeReport }

/**
 * 'panic': everything goes, the installed app too. 'duress': the data goes
 * but the app stays, so the device looks like a fresh install that was opened
 * once (the caller then starts fresh, as a first start does).
 */
export type WipeKind = 'panic' | 'duress'

/**
 * Wipes the device: destroys the device file first (the erasure itself,
 * started at once, while the boards close), closes every board session and
 * the keyring so no deletion waits for them, then deletes every database,
 * file, cache and setting (storage/wipe.ts). Timings go to the Performance
 * timeline as hearth:wipe:* measures.
 */
export async function panicWipe(opts: { lock: DeviceLock; hearth: Hearth | null; kind: WipeKind; onDataGone?: () => void }): Promise<WipeReport> {
  performance.mark('hearth:wipe')
  const erased = opts.lock.destroyKey().then(
    () => void performance.measure('hearth:wipe:erase', 'hearth:wipe'),
    () => undefined, // wipeDevice tries again and reports it
  )
  // Nothing more is written on the way out: not even the verdicts a session would keep.
  await opts.hearth?.closeAll({ keepVerdicts: false })
  performance.measure('hearth:wipe:close-sessions', 'hearth:wipe')
  await erased
  await opts.lock.close()
  performance.measure('hearth:wipe:close-keyring', 'hearth:wipe')
  const report = await wipeDevice({ keepApp: opts.kind === 'duress', ...(opts.onDataGone ? { onDataGone: opts.onDataGone } : {}) })
  performance.measure('hearth:wipe:delete', 'hearth:wipe')
  return report
}
