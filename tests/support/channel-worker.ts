import { inlineCrypto, serveEntryCrypto, type EntryCrypto, type WorkerLike } from '../../src/crypto/index.ts'

/**
 * The crypto worker (worker-crypto.ts) in Node: the worker's own code
 * (serveEntryCrypto) at the other end of a real MessageChannel, which clones
 * and transfers as a Worker's messages do.
 */

const open: MessagePort[] = []

/** Closes every channel opened since the last call (afterEach). */
export function closeChannels(): void {
  for (const p of open.splice(0)) p.close()
}

/** What reached the worker's side, as it arrived there. */
export type Seen = { op: string; bytes: Uint8Array[] }

/** A worker on the other end of a channel; `work` is what it runs (default: the real checks). */
export function channelWorker(work: EntryCrypto = inlineCrypto): { worker: FakeWorker; seen: Seen[] } {
  const { port1, port2 } = new MessageChannel()
  open.push(port1, port2)
  const seen: Seen[] = []
  serveEntryCrypto(
    {
      set onmessage(handler: ((e: MessageEvent) => void) | null) {
        port2.onmessage = (e: MessageEvent) => {
          seen.push({ op: e.data.op, bytes: Object.values(e.data as object).filter((v): v is Uint8Array => v instanceof Uint8Array) })
          handler?.(e)
        }
      },
      get onmessage() {
        return null
      },
      postMessage: (answer, transfer) => port2.postMessage(answer, transfer),
    },
    work,
  )
  return { worker: new FakeWorker((m, t) => port1.postMessage(m, t), port1), seen }
}

/** A Worker's surface over a port, or over nothing (a worker that never answers). */
export class FakeWorker implements WorkerLike {
  onmessage: ((e: MessageEvent) => void) | null = null
  onerror: ((e: Event) => void) | null = null
  onmessageerror: ((e: MessageEvent) => void) | null = null
  terminated = false
  posted = 0
  readonly #post: (m: unknown, t: Transferable[]) => void

  constructor(post: (m: unknown, t: Transferable[]) => void, port?: MessagePort) {
    this.#post = post
    if (port) port.onmessage = (e) => this.onmessage?.(e)
  }

  postMessage(message: unknown, transfer: Transferable[]): void {
    this.posted++
    this.#post(message, transfer)
  }

  terminate(): void {
    this.terminated = true
  }
}
