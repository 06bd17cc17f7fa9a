/**
 * A board to judge updates against, without the engine: Alice and Eve are
 * members, Mo moderates, Olga wrote before keys named their owners. Each
 * update is made on a copy of the board and judged with `judgeUpdate`.
 */
import * as Y from 'yjs'
import { judgeUpdate, type Author, type AuthorityContext } from '../../src/sealed/authority.ts'
import type { ContentRules } from '../../src/sealed/content-rules.ts'

export const rules: ContentRules = {
  owned: 'items',
  moderated: ['meta', 'removed'],
  moderatorFields: ['pinned'],
  ownerOf: (key) => /^(alice|eve|mo)\//.exec(key)?.[1] ?? null,
}
export const alice: Author = { client: 101, tag: 'alice', moderator: false, legacy: false }
export const eve: Author = { client: 202, tag: 'eve', moderator: false, legacy: false }
export const mo: Author = { client: 303, tag: 'mo', moderator: true, legacy: false }
export const olga: Author = { client: 404, tag: 'olga', moderator: false, legacy: true }
export const everyone = [alice, eve, mo, olga]

export type Change = (doc: Y.Doc) => void
export const items = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>('items')
export const post = (fields: Record<string, unknown>) => new Y.Map<unknown>(Object.entries(fields))

export class Board {
  readonly doc = new Y.Doc()
  readonly voided = new Set<number>()
  readonly ctx: AuthorityContext = {
    doc: this.doc,
    rules,
    ownerOfClient: (client) => everyone.find((a) => a.client === client)?.tag ?? null,
    isVoid: (client) => this.voided.has(client),
  }

  /** The update `who` sends after making `change` on a copy of the board as it stands (plus `unsent`, changes not yet here). */
  write(who: Author, change: Change, unsent: Uint8Array[] = []): Uint8Array {
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(this.doc))
    for (const u of unsent) Y.applyUpdate(copy, u)
    // Set after the board's state is in: Yjs picks a new client id when an update brings structs of its own.
    copy.clientID = who.client
    const before = Y.encodeStateVector(copy)
    change(copy)
    return Y.encodeStateAsUpdate(copy, before)
  }

  /** The update `who` sends from a copy made when the board stood at `state` (an older `Y.encodeStateAsUpdate`). */
  writeFrom(state: Uint8Array, who: Author, change: Change): Uint8Array {
    const copy = new Y.Doc()
    Y.applyUpdate(copy, state)
    copy.clientID = who.client
    const before = Y.encodeStateVector(copy)
    change(copy)
    return Y.encodeStateAsUpdate(copy, before)
  }

  judge(who: Author, change: Change, unsent: Uint8Array[] = []) {
    return judgeUpdate(this.ctx, who, this.write(who, change, unsent))
  }

  /** Judged, and applied when accepted (as the engine does). */
  act(who: Author, change: Change) {
    const update = this.write(who, change)
    const verdict = judgeUpdate(this.ctx, who, update)
    if (verdict.kind === 'accept') Y.applyUpdate(this.doc, update)
    return verdict
  }
}

export const refusal = (verdict: ReturnType<typeof judgeUpdate>) => (verdict.kind === 'refuse' ? verdict.reason : verdict.kind)
