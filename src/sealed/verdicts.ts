import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { ClockRange } from './authority.ts'

/**
 * Where a device keeps the verdicts it reached (one record, overwritten
 * whole). It must be the device's own authenticated, encrypted store: a
 * verdict read from it is believed without judging the update again.
 */
export interface VerdictStore {
  load(): Promise<Uint8Array | null>
  save(bytes: Uint8Array): Promise<void>
}

/** One content entry this device judged and applied: its hash, the rights it was judged with, the clocks it used. */
export interface KeptVerdict {
  readonly judgedWith: string
  readonly range: ClockRange | null
}

/**
 * The verdicts a device reached, so that reopening a board does not judge
 * again every update it judged before (judging decodes each update a second
 * time: about as costly as applying it).
 *
 * A verdict depends on the update (named by its entry's hash, which covers
 * the signed bytes), on the rights its author had at that entry (kept with
 * it, and compared before it is used), and on which of the circle's devices
 * were cut off or proven to equivocate (the circle's "decreases", kept as
 * one signature: if it differs when the board has opened, every verdict is
 * reached again). Only accepted updates are kept: a refusal is cheap to
 * reach again and must be reported anyway.
 */
export interface Verdicts {
  /** The circle's decreases when these verdicts were kept. */
  readonly signature: string
  readonly entries: ReadonlyMap<string, KeptVerdict>
}

const VERSION = 1

export function encodeVerdicts(v: Verdicts): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, VERSION)
  encoding.writeVarString(e, v.signature)
  encoding.writeVarUint(e, v.entries.size)
  for (const [hash, { judgedWith, range }] of v.entries) {
    encoding.writeVarString(e, hash)
    encoding.writeVarString(e, judgedWith)
    if (range) {
      encoding.writeVarUint(e, 1)
      encoding.writeVarUint(e, range.from)
      encoding.writeVarUint(e, range.to)
    } else encoding.writeVarUint(e, 0)
  }
  return encoding.toUint8Array(e)
}

/** Null when the bytes are not verdicts of this version: the device then judges everything again. */
export function decodeVerdicts(bytes: Uint8Array): Verdicts | null {
  try {
    const d = decoding.createDecoder(bytes)
    if (decoding.readVarUint(d) !== VERSION) return null
    const signature = decoding.readVarString(d)
    const count = decoding.readVarUint(d)
    const entries = new Map<string, KeptVerdict>()
    for (let i = 0; i < count; i++) {
      const hash = decoding.readVarString(d)
      const judgedWith = decoding.readVarString(d)
      const flag = decoding.readVarUint(d)
      if (flag > 1) return null
      const range = flag === 1 ? { from: decoding.readVarUint(d), to: decoding.readVarUint(d) } : null
      entries.set(hash, { judgedWith, range })
    }
    return decoding.hasContent(d) ? null : { signature, entries }
  } catch {
    return null
  }
}
