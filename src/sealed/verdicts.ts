import type * as Y from 'yjs'
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

/** How long after judging stops the verdicts are saved (a burst of updates is one write). */
const SAVE_AFTER_MS = 2000

/**
 * A device's kept verdicts while a board is open: believed only while the
 * board opens (`start`), then dropped; saved again a little after judging
 * stops. The engine asks `for` before judging an update, and tells `judged`
 * after judging one.
 */
export class KeptVerdicts {
  readonly #store: VerdictStore | undefined
  #kept: Verdicts | null = null
  #used = false
  #judged = 0
  #timer: ReturnType<typeof setTimeout> | null = null
  #stopped = false

  constructor(store: VerdictStore | undefined) {
    this.#store = store
  }

  /** Reads what the store keeps (lost or damaged: nothing is believed, everything is judged). */
  async load(): Promise<void> {
    const bytes = await this.#store?.load().catch(() => null)
    this.#kept = bytes ? decodeVerdicts(bytes) : null
  }

  /** Whether kept verdicts are being believed (the board is opening). */
  get active(): boolean {
    return this.#kept !== null
  }

  /**
   * A kept verdict for this entry, if it was reached with the same rights.
   * Its update had everything it builds on in the readable doc when it was
   * judged; now it may come first (in an earlier author's turn than what it
   * builds on) and Yjs holds it back until the rest arrives. Meanwhile
   * nothing is judged (`holdsBack`); if the rest never arrives, every
   * verdict is reached again (pump.ts).
   */
  for(hash: string, judgedWith: string): KeptVerdict | undefined {
    const kept = this.#kept?.entries.get(hash)
    if (!kept || kept.judgedWith !== judgedWith) return undefined
    this.#used = true
    return kept
  }

  /** An update was judged: there is something new to keep. */
  judged(): void {
    this.#judged++
  }

  /** Stops believing kept verdicts (they no longer match what the doc holds). */
  drop(): void {
    this.#kept = null
  }

  /**
   * The board has opened: kept verdicts are believed no more. Returns
   * whether any was used while the circle's decreases differ from those it
   * was kept under (a removal arrived while the board was closed): then
   * every verdict must be reached again.
   */
  opened(signature: string): boolean {
    const kept = this.#kept
    this.#kept = null
    return kept !== null && this.#used && kept.signature !== signature
  }

  /** Saves a little after judging stops: `save` is queued then as an engine task. */
  schedule(save: () => void): void {
    if (!this.#store || this.#judged === 0 || this.#timer !== null || this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      save()
    }, SAVE_AFTER_MS)
  }

  /** Saves the verdicts `collect` gives now, if any was reached since the last save. */
  async save(collect: () => Verdicts): Promise<void> {
    if (!this.#store || this.#stopped || this.#judged === 0) return
    this.#judged = 0
    await this.#store.save(encodeVerdicts(collect()))
  }

  stop(): void {
    this.#stopped = true
    if (this.#timer !== null) clearTimeout(this.#timer)
  }
}

/** Whether Yjs holds back structs or deletions of a doc's updates (they arrived before what they build on). */
export function holdsBack(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null
}
