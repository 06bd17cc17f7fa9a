/**
 * An action a person asked for that cannot be done as things stand (a request
 * another device settled meanwhile, keys this device does not hold): thrown
 * before anything is written, and the caller is told. Not a bug: the engine
 * goes on as before.
 */
export class ActionRefused extends Error {}

/**
 * Engine work runs one task at a time. A task that throws anything but
 * ActionRefused is a bug: it is kept as the board's failure (shown to the
 * person, and failing every test), never swallowed, and later tasks still run.
 */
export class TaskQueue {
  #tail: Promise<void> = Promise.resolve()
  #stopped = false
  #failure: Error | null = null
  readonly #listeners = new Set<(error: Error) => void>()

  /** The first error a task threw, or null. The board may be incomplete while it is set. */
  get failure(): Error | null {
    return this.#failure
  }

  /** Called once, when a task first fails. */
  onFailure(listener: (error: Error) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Runs `task` after every task queued before it; once stopped, tasks are skipped (they resolve undefined). */
  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(() => (this.#stopped ? (undefined as T) : task()))
    this.#tail = run.then(
      () => undefined,
      (e: unknown) => (e instanceof ActionRefused ? undefined : this.#fail(e)),
    )
    return run
  }

  /** Resolves when every task queued so far is done, and every task those queued in turn. */
  async idle(): Promise<void> {
    let seen: Promise<void>
    do {
      seen = this.#tail
      await seen
    } while (seen !== this.#tail)
  }

  stop(): void {
    this.#stopped = true
  }

  #fail(e: unknown): void {
    if (this.#failure) return
    this.#failure = e instanceof Error ? e : new Error(String(e))
    for (const l of this.#listeners) l(this.#failure)
  }
}
