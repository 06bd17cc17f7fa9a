/** Transaction origin for changes this engine applies (never re-sealed, never re-checked). */
export const SEALED_ORIGIN = Symbol('hearth-sealed')
/** Transaction origin for local-only changes to the readable doc (expired items of others): never sealed. */
export const LOCAL_ORIGIN = Symbol('hearth-local')
