import { retriable } from '../../chunks/retriable.ts'

/**
 * A screen that is a chunk of its own (the first script carries the first
 * screens only): fetched on first need, with whether its last fetch failed
 * (offline before the service worker had it), so the screen can say so and
 * offer to try again.
 */
export class LazyComponent<T> {
  component = $state.raw<T | null>(null)
  failed = $state(false)
  readonly #load: () => Promise<{ default: T }>

  constructor(load: () => Promise<{ default: T }>) {
    // Tried again under a URL of its own after a failure (chunks/retriable.ts): a browser may keep the failure.
    this.#load = retriable(load)
  }

  /** Fetches it; again after a failure. */
  load(): void {
    this.failed = false
    this.#load().then(
      (m) => (this.component = m.default),
      () => (this.failed = true),
    )
  }
}
