/**
 * Parts of the app that load when first needed (the board engine, a board's
 * state and screens, each language): on a first visit over a slow link the
 * first script carries only what the first screen needs. Such a load fails
 * when the device is offline before the app was ever cached; that failure
 * has a name of its own, so the person is told to connect rather than that
 * something is missing.
 */
export class ChunkUnavailableError extends Error {
  constructor(cause: unknown) {
    super('Part of Hearth could not be loaded: the device may be offline', { cause })
    this.name = 'ChunkUnavailableError'
  }
}

/** Runs a dynamic import, naming its failure (`ChunkUnavailableError`). */
export function loadChunk<T>(load: () => Promise<T>): Promise<T> {
  return load().catch((err: unknown) => {
    throw new ChunkUnavailableError(err)
  })
}
