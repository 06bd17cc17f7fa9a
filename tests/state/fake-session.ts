import * as Y from 'yjs'
import { createItem, newItemId } from '../../src/core/index.ts'
import type { BoardRecord, BoardSession } from '../../src/app/index.ts'

/** Posts `n` notices by Ana into a readable doc, numbered from `from`. */
export function postNotices(doc: Y.Doc, n: number, from = 0): void {
  for (let i = from; i < from + n; i++) {
    const r = createItem(doc, { kind: 'notice', title: `notice ${i}`, body: 'bring blankets', author: 'Ana', tags: [`t${i % 3}`], pinned: false, expiresAt: null }, 1_000 + i, newItemId('AAAAAAAAAAA'))
    if (!r.ok) throw new Error(JSON.stringify(r))
  }
}

/** What BoardState reads of a session, with a board of `n` notices. */
export function session(n: number, circleListeners?: Set<() => void>): BoardSession {
  const doc = new Y.Doc()
  postNotices(doc, n)
  const off = () => () => {}
  const sealed = {
    onReset: off,
    onFailure: off,
    onCircleChange: (f: () => void) => {
      circleListeners?.add(f)
      return () => circleListeners?.delete(f)
    },
    diagnostics: { counts: new Map(), events: [], onChange: off },
    pendingCount: () => 0,
    failure: null,
    members: () => [],
    standing: 'member',
    circle: { managed: false, membership: () => null, memberOf: () => null, openRequests: () => [], invites: () => [], history: () => [] },
  }
  return { id: 'board', doc, sealed, syncStatus: { state: 'offline', peers: 0, members: 0, relays: 0, unverified: 0, lastExchange: null }, onSyncStatus: off, unsaved: false, onUnsaved: off, me: 'AAAAAAAAAAA', canModerate: false } as unknown as BoardSession
}

export const record = { id: 'board', name: 'Board' } as unknown as BoardRecord
