/**
 * What the sealed engine needs to know of the board's layout to judge who may
 * change what. The engine knows nothing of items or meetings: the app passes
 * these rules, built from core/'s schema.
 *
 * - `owned`: the root map whose entries belong to whoever created them (the
 *   board's items: one nested map per item, its fields as primitives).
 * - `moderated`: root maps only moderators write (the board's name; traces of
 *   removed posts).
 * - `moderatorFields`: fields of an owned entry that only moderators write
 *   (`pinned`); an owner may set them only to `false`, when creating.
 * - `ownerOf(key)`: the device tag an owned entry's key names (keys carry
 *   their creator's tag, so nobody can create an entry under another's key),
 *   or null for keys from before that rule.
 */
export interface ContentRules {
  readonly owned: string
  readonly moderated: readonly string[]
  readonly moderatorFields: readonly string[]
  ownerOf(key: string): string | null
}
