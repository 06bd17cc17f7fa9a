import { encryptHere } from './aes-gcm.ts'
import { checkAndDecryptWith, checkEntryWith, inlineCrypto, type CheckedEntry, type EntryCheck, type EntryCrypto } from './entry-crypto.ts'

/**
 * Signature checks and decryption in a dedicated worker, so that opening or
 * syncing a board of megabytes leaves the page free (see entry-crypto.ts).
 *
 * - The worker keeps nothing: every request carries what it needs, the
 *   content key included (a non-extractable CryptoKey, which a worker can
 *   use and never read), and the answer is the whole of what it returns.
 *   `close()` (lock, wipe) ends it with whatever it was doing.
 * - Only a view's own bytes go over: a Yjs value is a view into a whole
 *   decoded update, and posting the view would copy all of it.
 * - A worker that fails (it did not load, it crashed, it answered with an
 *   error, it went ANSWER_WITHIN_MS without answering anything while asked)
 *   is never taken as an answer: what it was asked, and everything after,
 *   runs on this thread instead. A signature is never "bad" because a
 *   worker died, and a board never waits for good on one that hangs.
 * - Small requests (`inlineBelowBytes`) are answered on this thread while
 *   few run here at once (INLINE_AT_ONCE): a post's entry of a few hundred
 *   bytes is checked in a fraction of a millisecond, while the trip to the
 *   worker and back costs a posted message each way, and a write waits on
 *   two of them (signature, then decryption) before the other device shows
 *   it. A burst (a sync or an opening starts dozens of checks at once) goes
 *   to the worker: their answers would all come back in one task here (71
 *   ms on the benchmark's joining peer).
 */
export class WorkerCrypto implements EntryCrypto {
  readonly #start: () => WorkerLike
  readonly #answerWithin: number
  readonly #inlineBelow: number
  /** Requests running on this thread now. */
  #here = 0
  #worker: WorkerLike | null = null
  /** Runs while something is asked: each answer starts it again; when it fires, the worker is given up. */
  #watchdog: ReturnType<typeof setTimeout> | null = null
  /** Set once the worker failed or was closed: from then on, everything runs here. */
  #down = false
  #next = 0
  readonly #pending = new Map<number, Pending>()

  /** `start` creates the worker, at the first request. `inlineBelowBytes`: requests on fewer bytes (message, ciphertext) run on this thread (none by default). */
  constructor(start: () => WorkerLike, opts: { readonly answerWithinMs?: number; readonly inlineBelowBytes?: number } = {}) {
    this.#start = start
    this.#answerWithin = opts.answerWithinMs ?? ANSWER_WITHIN_MS
    this.#inlineBelow = opts.inlineBelowBytes ?? 0
  }

  verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
    if (this.#inline(message)) return this.#onPage(() => inlineCrypto.verify(publicKey, signature, message))
    return this.#ask((send) => ({ op: 'verify', publicKey: send(publicKey), signature: send(signature), message: send(message) }), () => inlineCrypto.verify(publicKey, signature, message))
  }

  checkEntry(publicKey: Uint8Array, context: Uint8Array, entry: Uint8Array): Promise<EntryCheck> {
    const here = () => checkEntryWith(inlineCrypto, publicKey, context, entry)
    if (this.#inline(entry)) return this.#onPage(here)
    return this.#ask((send) => ({ op: 'verify', publicKey: send(publicKey), context: send(context), entry: send(entry) }), here)
  }

  checkAndDecrypt(publicKey: Uint8Array, context: Uint8Array, entry: Uint8Array, key: CryptoKey, headerEnd: number): Promise<CheckedEntry> {
    const here = () => checkAndDecryptWith(inlineCrypto, publicKey, context, entry, key, headerEnd)
    if (this.#inline(entry)) return this.#onPage(here)
    return this.#ask((send) => ({ op: 'open', publicKey: send(publicKey), context: send(context), entry: send(entry), key, headerEnd }), here)
  }

  encrypt(key: CryptoKey, iv: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): Promise<Uint8Array> {
    const here = () => encryptHere(key, iv, plaintext, associatedData)
    if (this.#inline(plaintext)) return this.#onPage(here)
    return this.#ask((send) => ({ op: 'encrypt', key, iv: send(iv), plaintext: send(plaintext), associatedData: send(associatedData) }), here)
  }

  decrypt(key: CryptoKey, nonce: Uint8Array, ciphertext: Uint8Array, associatedData: Uint8Array): Promise<Uint8Array | null> {
    if (this.#inline(ciphertext)) return this.#onPage(() => inlineCrypto.decrypt(key, nonce, ciphertext, associatedData))
    return this.#ask(
      (send) => ({ op: 'decrypt', key, nonce: send(nonce), ciphertext: send(ciphertext), associatedData: send(associatedData) }),
      () => inlineCrypto.decrypt(key, nonce, ciphertext, associatedData),
    )
  }

  #inline(bytes: Uint8Array): boolean {
    return bytes.byteLength < this.#inlineBelow && this.#here < INLINE_AT_ONCE
  }

  async #onPage<T>(run: () => Promise<T>): Promise<T> {
    this.#here++
    try {
      return await run()
    } finally {
      this.#here--
    }
  }

  /** Starts the worker ahead of the first request (it loads and finds its curves meanwhile). */
  warm(): void {
    if (!this.#down) this.#ensure()
  }

  /** Whether requests still go to a worker (false once it failed or was closed). */
  get running(): boolean {
    return !this.#down
  }

  /** Ends the worker and what it was doing; what was still asked is answered on this thread. Later requests run here too. */
  close(): void {
    this.#fail()
  }

  /**
   * Posts a request; `here` answers it on this thread if the worker cannot.
   * `send` gives what goes over for each view: the view itself when it is
   * its whole buffer (cloned, the caller keeps it), else a copy of its own
   * bytes, which is handed over rather than copied again.
   */
  #ask<T extends Value>(build: (send: (b: Uint8Array) => Uint8Array) => Request, here: () => Promise<T>): Promise<T> {
    const worker = this.#down ? null : this.#ensure()
    if (!worker) return here()
    const transfer: ArrayBuffer[] = []
    const request = build((b) => {
      if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return b
      const copy = b.slice()
      transfer.push(copy.buffer)
      return copy
    })
    const id = this.#next++
    return new Promise<T>((resolve, reject) => {
      const retry = () => void here().then(resolve, reject)
      this.#pending.set(id, { resolve: (v) => resolve(v as T), retry })
      this.#watchdog ??= setTimeout(() => this.#fail(), this.#answerWithin)
      try {
        worker.postMessage({ ...request, id }, transfer)
      } catch {
        // The key or the bytes cannot be sent: no request would be, so the worker goes and this one runs here.
        this.#fail()
      }
    })
  }

  #ensure(): WorkerLike | null {
    if (this.#worker) return this.#worker
    let worker: WorkerLike
    try {
      worker = this.#start()
    } catch {
      this.#down = true
      return null
    }
    worker.onmessage = (e) => this.#answer(e.data)
    worker.onerror = () => this.#fail()
    worker.onmessageerror = () => this.#fail()
    this.#worker = worker
    return worker
  }

  #answer(answer: Answer): void {
    const p = this.#pending.get(answer.id)
    if (!p) return
    this.#pending.delete(answer.id)
    this.#stopWatchdog()
    if (this.#pending.size > 0) this.#watchdog = setTimeout(() => this.#fail(), this.#answerWithin)
    if (answer.ok) p.resolve(answer.value)
    else p.retry()
  }

  #stopWatchdog(): void {
    if (this.#watchdog !== null) clearTimeout(this.#watchdog)
    this.#watchdog = null
  }

  #fail(): void {
    this.#stopWatchdog()
    this.#down = true
    this.#worker?.terminate()
    this.#worker = null
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    for (const p of pending) p.retry()
  }
}

/**
 * Longest wait for the worker's next answer while it is asked something.
 * Far above any real check (a 32 MiB snapshot is verified in well under a
 * second on a slow phone): only a worker that hangs reaches it.
 */
export const ANSWER_WITHIN_MS = 30_000

/**
 * The page's: requests on fewer bytes run on the page (a few at a time).
 * 16 KiB holds a usual post and every membership entry (only a post near
 * every field's cap passes it). A check of that size keeps the page about
 * 0.3 ms (signature and key checks, measured in the sync's profile), more
 * than posting it would, but a post no longer waits on two trips to the
 * worker. Snapshots and bursts, which would keep the page busy for
 * milliseconds, still go to the worker.
 */
export const PAGE_INLINE_BELOW_BYTES = 16 * 1024

/** Most small requests running on the page at once; more go to the worker (see WorkerCrypto). */
export const INLINE_AT_ONCE = 4

/** What WorkerCrypto needs of a Worker (a MessagePort in tests). */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void
  onmessage: ((e: MessageEvent<Answer>) => void) | null
  onerror: ((e: Event) => void) | null
  onmessageerror: ((e: MessageEvent) => void) | null
  terminate(): void
}

/** The worker's end: answers each request with inlineCrypto (entry-crypto.worker.ts). */
export function serveEntryCrypto(port: { onmessage: ((e: MessageEvent<Request & { id: number }>) => void) | null; postMessage(answer: Answer, transfer: Transferable[]): void }, work: EntryCrypto = inlineCrypto): void {
  port.onmessage = (e) => {
    const { id } = e.data
    run(e.data, work).then(
      (value) => port.postMessage({ id, ok: true, value }, handedOver(value)),
      () => port.postMessage({ id, ok: false }, []),
    )
  }
}

/** Entry crypto with a lifetime: started ahead of need, ended on lock and wipe. */
export type ClosableCrypto = EntryCrypto & { close(): void; warm(): void }

/** The page's: a module worker where the page can start one, else this thread. */
export function pageCrypto(): ClosableCrypto {
  if (typeof Worker !== 'function') return { ...inlineCrypto, close: () => undefined, warm: () => undefined }
  return new WorkerCrypto(() => new Worker(new URL('./entry-crypto.worker.ts', import.meta.url), { type: 'module', name: 'hearth-crypto' }) as unknown as WorkerLike, { inlineBelowBytes: PAGE_INLINE_BELOW_BYTES })
}

type Request =
  | { readonly op: 'verify'; readonly publicKey: Uint8Array; readonly signature: Uint8Array; readonly message: Uint8Array }
  | { readonly op: 'decrypt'; readonly key: CryptoKey; readonly nonce: Uint8Array; readonly ciphertext: Uint8Array; readonly associatedData: Uint8Array }
  | { readonly op: 'encrypt'; readonly key: CryptoKey; readonly iv: Uint8Array; readonly plaintext: Uint8Array; readonly associatedData: Uint8Array }
  // A whole entry's check: its signature over context ‖ its bytes before the signature, and its digest.
  | { readonly op: 'verify'; readonly publicKey: Uint8Array; readonly context: Uint8Array; readonly entry: Uint8Array }
  // The same, and its decryption (checkAndDecrypt).
  | { readonly op: 'open'; readonly publicKey: Uint8Array; readonly context: Uint8Array; readonly entry: Uint8Array; readonly key: CryptoKey; readonly headerEnd: number }

type Value = boolean | Uint8Array | null | EntryCheck | CheckedEntry

/** The buffers an answer hands back rather than copies: a payload (WebCrypto's results are whole buffers of their own). */
function handedOver(value: Value): ArrayBuffer[] {
  const bytes = value instanceof Uint8Array ? value : value !== null && typeof value === 'object' && 'plain' in value ? value.plain : null
  return bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : []
}

type Answer = { readonly id: number; readonly ok: true; readonly value: Value } | { readonly id: number; readonly ok: false }

interface Pending {
  resolve(value: Value): void
  /** Answers the request on this thread. */
  retry(): void
}

function run(r: Request, work: EntryCrypto): Promise<Value> {
  if (r.op === 'decrypt') return work.decrypt(r.key, r.nonce, r.ciphertext, r.associatedData)
  if (r.op === 'encrypt') return encryptHere(r.key, r.iv, r.plaintext, r.associatedData)
  if (r.op === 'open') return checkAndDecryptWith(work, r.publicKey, r.context, r.entry, r.key, r.headerEnd)
  return 'entry' in r ? checkEntryWith(work, r.publicKey, r.context, r.entry) : work.verify(r.publicKey, r.signature, r.message)
}
