import { BOUND_CLIENT_IDS_FROM } from '../crypto/index.ts'
import type { ContentRules } from './content-rules.ts'
import type { Judgement, RefusalReason } from './authority.ts'
import { GC_REF, readColumns, SKIP_REF, type UpdateColumns } from './update-reader.ts'

/**
 * A whole old board: a `legacy` entry, which each device of a board from
 * before sealed boards seals from its old copy when it migrates (accepted
 * only on such boards). Nobody owned anything then, so it is not judged item
 * by item (authority.ts); but it may not touch what anyone has written since
 * under a key-bound client id — no struct under such an id, none built on one
 * or put in a post whose key names its owner, no deletion of one — and Yjs
 * must be able to integrate it (one block per client, no skipped gap, nothing
 * built on a later clock of its own client). Decided from the update alone,
 * so every device reaches the same verdict whatever it has seen.
 */
export function judgeLegacy(rules: ContentRules, update: Uint8Array): Judgement {
  let c: UpdateColumns
  try {
    c = readColumns(update)
  } catch {
    return { kind: 'refuse', reason: 'bad_payload', range: null, detail: 'not a Yjs update' }
  }
  const refuse = (reason: RefusalReason, detail: string): Judgement => ({ kind: 'refuse', reason, range: null, detail })
  const clients = new Set<number>()
  for (let i = 0; i < c.count; i++) {
    const client = c.client[i]!
    clients.add(client)
    if (client >= BOUND_CLIENT_IDS_FROM) return refuse('foreign_changes', 'a struct under a member’s client id')
    if (c.ref[i] === SKIP_REF) return refuse('bad_payload', 'a skipped gap')
    if (c.ref[i] === GC_REF) continue
    // Its left and right neighbours, and the struct holding the type it goes in (none when its parent is a root).
    const refs = [c.originClient[i]!, c.originClock[i]!, c.rightClient[i]!, c.rightClock[i]!, c.parentClient[i]!, c.parentClock[i]!]
    for (let k = 0; k < refs.length; k += 2) {
      const [refClient, refClock] = [refs[k]!, refs[k + 1]!]
      if (refClient < 0) continue
      if (refClient >= BOUND_CLIENT_IDS_FROM) return refuse('forbidden_edit', 'builds on what a member wrote')
      if (refClient === client && refClock >= c.clock[i]!) return refuse('bad_payload', 'builds on a later struct of its own')
    }
    const key = c.parentSub[i]!
    if (c.parentName[i] === rules.owned && key !== null && rules.ownerOf(key) !== null) return refuse('forbidden_edit', 'writes under a key that names a member')
  }
  if (c.blocks !== clients.size) return refuse('bad_payload', 'more than one block of structs for a client')
  for (const client of c.ds.keys()) if (client >= BOUND_CLIENT_IDS_FROM) return refuse('forbidden_delete', 'deletes what a member wrote')
  return { kind: 'accept', range: null, edited: [] }
}
