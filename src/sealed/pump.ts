import * as Y from 'yjs'
import { openEntry } from '../crypto/index.ts'
import type { AuthorLogs } from './author-log.ts'
import type { Circle } from './circle.ts'
import type { Diagnostics } from './diagnostics.ts'
import type { EntryHandler } from './entry-handler.ts'
import type { BoardKeys } from './keys.ts'
import { SEALED_ORIGIN } from './origins.ts'
import { createReadableDoc } from './readable.ts'
import type { SideEntries } from './side-entries.ts'
import { cutLazily } from './split-update.ts'
import { VerdictCheck } from './verdict-check.ts'
import { holdsBack, type KeptVerdicts } from './verdicts.ts'
import { sliceEnds, Slices, yieldToEventLoop } from './yield.ts'

/**
 * An accepted entry's update larger than this is applied in parts of about
 * this size, in the slices that follow (split-update.ts): a snapshot of a
 * prolific author's whole history (up to 16 MiB) would otherwise be one task
 * of its own. About 2 ms of applying on a laptop, 12 on a phone six times
 * slower.
 */
export const APPLY_PART_BYTES = 32 * 1024

/** What handling entries in turn needs from the engine. */
export interface PumpContext {
  readonly circle: Circle
  readonly logs: AuthorLogs
  readonly keys: BoardKeys
  readonly diagnostics: Diagnostics
  readonly side: SideEntries
  readonly handler: EntryHandler
  readonly kept: KeptVerdicts
  /** The readable doc's listener for this device's own changes, off while the engine writes (local-writes.ts). */
  readonly writes: { detach(doc: Y.Doc): void; attach(doc: Y.Doc): void; engineWrote(tr: Y.Transaction): void }
  notifyCircle(): void
  /** The readable doc was rebuilt: whoever holds the old one must take this one. */
  reset(doc: Y.Doc): void
}

/**
 * The readable doc, and the only way into it from entries: every entry whose
 * turn has come is handled, author by author, until nothing moves.
 * Decrypting happens first, in parallel; judging and applying happen in one
 * transaction on the readable doc, entry by entry (entry-handler.ts), so
 * each entry is judged against everything applied before it. When a
 * verdict already given turns out wrong (verdict-check.ts), the readable doc
 * is rebuilt from the entries, so every device that holds the same entries
 * shows the same board.
 */
export class Pump {
  readonly #ctx: PumpContext
  readonly #verdicts: VerdictCheck
  #readable: Y.Doc
  #rebuildNeeded = false
  /** The parts of the last accepted entry's update not applied yet (each made as it is taken): applied before anything reads the readable doc for the engine. */
  #tail: Iterator<Uint8Array> | null = null
  /** Inside `#write`: a nested one must not give back the listener or the client id before the outer one ends. */
  #writing = false

  constructor(ctx: PumpContext, clientId: number) {
    this.#ctx = ctx
    this.#verdicts = new VerdictCheck(ctx.circle, ctx.logs)
    this.#readable = createReadableDoc(clientId)
  }

  /** The board, readable, in memory only. Replaced by a rebuild. */
  get readable(): Y.Doc {
    return this.#readable
  }

  /**
   * Applies an accepted entry's update to the readable doc: a small one now,
   * a large one in parts before the next entry is handled, in this slice or
   * the next ones (the page shows what came, and runs, between).
   */
  apply(update: Uint8Array): void {
    this.settled()
    // A part's bytes are copied as it is taken: a large entry is copied in the slices that apply it, not all here.
    const parts = cutLazily(update, APPLY_PART_BYTES)
    // An update left whole is its only part. One that was cut waits for its first part too: reading a large
    // update's framing through (to cut it) is a step of its own, 10–25 ms on a joining peer, and its first part
    // went on in the same step, whatever was left of the slice.
    if (Array.isArray(parts)) Y.applyUpdate(this.#readable, parts[0]!, SEALED_ORIGIN)
    else this.#tail = parts[Symbol.iterator]()
  }

  /** The readable doc with every accepted entry wholly applied: what the engine judges against. */
  settled(): Y.Doc {
    if (this.#tail) this.#write(() => this.#drain(Infinity))
    return this.#readable
  }

  /** Applies what is left of the last entry, until `deadline`; returns whether all of it is applied. */
  #drain(deadline: number): boolean {
    while (this.#tail) {
      if (performance.now() > deadline) return false
      const part = this.#tail.next()
      if (part.done) this.#tail = null
      else Y.applyUpdate(this.#readable, part.value, SEALED_ORIGIN)
    }
    return true
  }

  /** Runs `f` in one transaction on the readable doc, as the engine writes to it (within the one already running, if any). */
  #write(f: () => void): void {
    if (this.#writing) return f()
    this.#writing = true
    const own = this.#readable.clientID
    this.#readable.clientID = 0
    // Never sealed: LocalWrites is told of it after (engineWrote), not as its own.
    this.#ctx.writes.detach(this.#readable)
    let written: Y.Transaction | null = null
    try {
      this.#readable.transact((tr) => {
        written = tr
        f()
      }, SEALED_ORIGIN)
    } finally {
      this.#writing = false
      this.#readable.clientID = own
      this.#ctx.writes.attach(this.#readable)
    }
    if (written) this.#ctx.writes.engineWrote(written)
  }

  /** A verdict already given may be wrong now: the readable doc is rebuilt at the end of this round. */
  requestRebuild(): void {
    this.#rebuildNeeded = true
  }

  /** Handles every entry whose turn has come; tells diagnostics' listeners once it is done. */
  async run(): Promise<void> {
    const waiting = this.#ctx.logs.pendingCount()
    await this.#rounds()
    this.#ctx.diagnostics.announce(this.#ctx.logs.pendingCount() !== waiting)
  }

  async #rounds(): Promise<void> {
    const { logs, handler } = this.#ctx
    let first: string | null = null
    for (let round = 0; ; round++) {
      await this.#prepare()
      // A welcome (this device's keys) is looked at as soon as it can be read, not once a round moves nothing:
      // on a large sync, rounds keep moving for as long as pieces arrive. What it changed (keys taken) is
      // decrypted by a new round: going on with this one would end the run with entries it could now read.
      if (this.#ctx.side.fresh && (await this.#afterCircle(true))) continue
      let moved = false
      let circleChanged = false
      let sliced = false
      // The author whose next entry is to be judged in slices first (handler.judgeAside).
      let judging: string | null = null
      // In slices: a big board opens or syncs without a long task on the main
      // thread, and what is applied shows as it comes (each slice is one transaction).
      // The slice is the task's: what ran before in it (a batch checked, a judgement made aside) spent part of it.
      const deadline = sliceEnds()
      this.#write(() => {
        // What is left of a large entry comes first.
        if (!this.#drain(deadline)) {
          sliced = true
          return
        }
        // Authors with nothing waiting are skipped: a circle of a thousand devices has a thousand logs.
        // The author of an entry judged aside comes first: nothing may change the doc between its judgement and its handling.
        const order = (tag: string) => (tag === first ? '' : tag)
        outer: for (const [tag, log] of [...logs].filter(([, l]) => l.pending.size > 0).sort((a, b) => (order(a[0]) < order(b[0]) ? -1 : 1))) {
          for (let next = log.next(); next; next = log.next()) {
            const step = handler.handle(tag, log, next)
            if (step === 'wait') break
            if (step === 'judge') {
              judging = tag
              break outer
            }
            moved = true
            if (step === 'circle') circleChanged = true
            // Everything is judged again from the start: judging more now is wasted.
            if (this.#rebuildNeeded) break outer
            if (!this.#drain(deadline) || performance.now() > deadline) {
              sliced = true
              break outer
            }
          }
        }
      })
      for (const key of handler.takeRequestKeys()) await this.#ctx.keys.addRequestKey(key)
      if (circleChanged) {
        if (this.#verdicts.changed()) this.#rebuildNeeded = true
        this.#ctx.notifyCircle()
      }
      if (this.#rebuildNeeded) {
        await this.#rebuild()
        return
      }
      first = judging
      if (judging !== null) {
        // What is left of this task's slice, then slices of its own: a chain of rounds and judgements is never one task.
        await handler.judgeAside(new Slices())
        continue
      }
      if (sliced) {
        await yieldToEventLoop()
        continue
      }
      if (moved || (await this.#afterCircle())) continue
      if (this.#ctx.kept.active && holdsBack(this.#readable)) {
        // Kept verdicts applied an update whose ground never came: every verdict is reached again.
        this.#ctx.kept.drop()
        await this.#rebuild()
      }
      return
    }
  }

  /**
   * Decrypts what can be decrypted, in parallel. Requests, welcomes and
   * rotations are looked at as soon as they can be read, not in their
   * author's turn (side-entries.ts).
   */
  async #prepare(): Promise<void> {
    const work: Promise<void>[] = []
    const { keys, side } = this.#ctx
    // Starting a decryption copies its bytes on this thread: a large board's are started in slices.
    const slices = new Slices()
    for (const log of this.#ctx.logs.values()) {
      for (const v of [...log.pending.values()]) {
        await slices.breathe()
        // Handled or dropped while this slice waited.
        if (log.pending.get(v.key) !== v) continue
        if (v.plain !== undefined) {
          side.wait(v)
          continue
        }
        // Begun while its signature was checked (admission.ts), or now.
        const cipher = v.opening ? null : keys.cipherFor(v.entry.header.keyId)
        const opening = v.opening ?? (cipher ? openEntry(v.entry, cipher) : null)
        if (!opening) continue
        work.push(
          opening.then((plain) => {
            v.plain = plain
            v.opening = undefined
            side.wait(v)
          }),
        )
        if (work.length >= 256) await Promise.all(work.splice(0))
      }
    }
    await Promise.all(work)
  }

  /** Work that needs the circle as it now stands: keys to take, requests to check (`keysOnly`: not yet). Returns whether anything changed. */
  async #afterCircle(keysOnly = false): Promise<boolean> {
    const changed = await this.#ctx.side.settle(keysOnly)
    if (changed) this.#ctx.notifyCircle()
    return changed
  }

  /**
   * Builds the readable doc again from every entry this device holds, with
   * today's verdicts: the only way to take back what was applied. Whoever
   * holds the old doc is told (reset).
   */
  async #rebuild(): Promise<void> {
    this.#rebuildNeeded = false
    this.#tail = null
    const old = this.#readable
    this.#ctx.writes.detach(old)
    this.#readable = createReadableDoc(old.clientID)
    this.#verdicts.forget()
    for (const log of this.#ctx.logs.values()) log.reset()
    await this.run()
    this.#ctx.writes.attach(this.#readable)
    this.#ctx.reset(this.#readable)
    old.destroy()
  }
}
