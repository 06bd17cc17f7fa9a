/**
 * Bob's entries, as one device keeps them (author-log.ts): waiting, then
 * handled strictly in sequence order. These stories hand an `AuthorLog`
 * entries written by hand (only their headers matter here) to see which
 * comes next, what a snapshot stands for, and which entries could be in
 * conflict with a new one — the questions replays, gaps and equivocation
 * are decided by.
 */
import { describe, expect, it } from 'vitest'
import type { EntryKind, ParsedEntry } from '../../src/crypto/index.ts'
import { AuthorLog, AuthorLogs, EntrySet, type Done, type Verified } from '../../src/sealed/author-log.ts'

function entry(kind: EntryKind, from: number, seq = from): Verified {
  const header = { kind, version: 2, from, seq, boardId: new Uint8Array(16), keyId: new Uint8Array(8), author: new Uint8Array(32) }
  return { key: `bob ${kind} ${from}-${seq}`, bytes: new Uint8Array(1), entry: { header } as unknown as ParsedEntry, hash: `${kind} ${from}-${seq}`, via: null }
}
const post = (seq: number) => entry('update', seq)
const snapshot = (from: number, seq: number) => entry('snapshot', from, seq)
const handled = (v: Verified, outcome: Done['outcome'] = 'applied'): Done => ({ ...v, outcome })
const keys = (vs: readonly Verified[]) => vs.map((v) => v.key).sort()

/** Bob's log with these entries handled (frontier at the last one) and these waiting. */
function log(done: Verified[], pending: Verified[] = []): AuthorLog {
  const l = new AuthorLog()
  for (const d of done) {
    l.done.set(d.key, handled(d))
    l.frontier = Math.max(l.frontier, d.entry.header.seq)
  }
  for (const v of pending) l.pending.set(v.key, v)
  return l
}

describe('an entry set, indexed the ways the engine asks', () => {
  it('counts plain updates, and keeps snapshots and entries that are not content apart', () => {
    const set = new EntrySet<Verified>()
    for (const v of [post(1), post(2), snapshot(1, 2), entry('legacy', 3), entry('control', 4), entry('join', 5), entry('rotate', 6)]) set.set(v.key, v)
    expect(set.size).toBe(7)
    expect(set.updates).toBe(2)
    expect(keys(set.snapshots())).toEqual([snapshot(1, 2).key])
    expect(keys(set.others())).toEqual(keys([entry('control', 4), entry('join', 5), entry('rotate', 6)]))
    expect(keys(set.startingAt(1))).toEqual(keys([post(1), snapshot(1, 2)]))
    expect(set.has(post(2).key)).toBe(true)
    expect(set.get(post(2).key)).toBe(set.get(post(2).key))
  })

  it('an entry set again under its key replaces the old one everywhere: nothing is counted twice', () => {
    const set = new EntrySet<Verified>()
    set.set('k', post(1))
    set.set('k', post(1))
    expect(set.updates).toBe(1)
    set.set('k', snapshot(3, 4))
    expect(set.updates).toBe(0)
    expect(set.startingAt(1)).toEqual([])
    expect(keys(set.startingAt(3))).toEqual([snapshot(3, 4).key])
    set.set('k', entry('control', 5))
    expect(set.snapshots()).toEqual([])
    expect(set.others()).toHaveLength(1)
    set.set('k', post(6))
    expect(set.others()).toEqual([])
    expect(set.size).toBe(1)
  })

  it('deleting takes an entry out of every index; deleting what is not there says so', () => {
    const set = new EntrySet<Verified>()
    for (const v of [post(1), snapshot(1, 3), entry('control', 1), post(2)]) set.set(v.key, v)
    expect(set.delete(post(1).key)).toBe(true)
    expect(set.delete(post(1).key)).toBe(false)
    expect(set.updates).toBe(1)
    expect(keys(set.startingAt(1))).toEqual(keys([snapshot(1, 3), entry('control', 1)]))
    set.delete(snapshot(1, 3).key)
    set.delete(entry('control', 1).key)
    expect(set.snapshots()).toEqual([])
    expect(set.others()).toEqual([])
    expect(set.startingAt(1)).toEqual([])
    set.clear()
    expect([set.size, set.updates, [...set.values()].length, [...set].length]).toEqual([0, 0, 0, 0])
  })
})

describe('which of Bob’s entries comes next', () => {
  it('the entry continuing his sequence; none while one is missing', () => {
    expect(log([post(1), post(2)], [post(3), post(5)]).next()?.key).toBe(post(3).key)
    expect(log([post(1), post(2)], [post(4), post(5)]).next()).toBeNull()
    expect(new AuthorLog().next()).toBeNull()
  })

  it('of a post and a snapshot both continuing it, the longer: the snapshot', () => {
    expect(log([post(1)], [post(2), snapshot(2, 4)]).next()?.key).toBe(snapshot(2, 4).key)
    expect(log([post(1)], [snapshot(2, 3), snapshot(2, 5), post(2)]).next()?.key).toBe(snapshot(2, 5).key)
  })

  it('of a post and a snapshot over handled entries ending at the same number, the post first: the snapshot then stands for it', () => {
    const l = log([post(1), post(2)], [post(3), snapshot(1, 3)])
    expect(l.next()?.key).toBe(post(3).key)
    l.pending.delete(post(3).key)
    l.done.set(post(3).key, handled(post(3)))
    l.frontier = 3
    expect(l.next()?.key).toBe(snapshot(1, 3).key)
  })

  it('a snapshot over entries already handled joins on: it stands for them', () => {
    expect(log([post(1), post(2), post(3)], [snapshot(1, 3)]).next()?.key).toBe(snapshot(1, 3).key)
    expect(log([post(1), post(2)], [snapshot(2, 4), post(3)]).next()?.key).toBe(snapshot(2, 4).key)
  })

  it('a snapshot that starts past the gap does not: it waits', () => {
    expect(log([post(1)], [snapshot(3, 4)]).next()).toBeNull()
  })

  it('a snapshot waits for the entries it covers that this device holds and can read, to its last: they go first, and it is checked against them in its turn', () => {
    const read = (v: Verified): Verified => ({ ...v, plain: new Uint8Array(0) })
    const turns = (l: AuthorLog): string[] => {
      const out: string[] = []
      for (let v = l.next(); v; v = l.next()) {
        out.push(v.key)
        l.pending.delete(v.key)
        l.done.set(v.key, handled(v))
        l.frontier = Math.max(l.frontier, v.entry.header.seq)
      }
      return out
    }
    // Posts 2 to 4 held and read: they come first, then the snapshot over them (restates, entry-handler.ts).
    expect(turns(log([post(1)], [read(post(2)), read(post(3)), read(post(4)), read(snapshot(2, 4))]))).toEqual([post(2), post(3), post(4), snapshot(2, 4)].map((v) => v.key))
    // An earlier snapshot of his inside the range goes first, and waits in turn for the posts it covers.
    expect(turns(log([post(1)], [read(snapshot(2, 3)), read(post(4)), read(snapshot(2, 4))]))).toEqual([snapshot(2, 3), post(4), snapshot(2, 4)].map((v) => v.key))
    // With its posts held too, those come first; the larger snapshot then stands for the smaller one, checked against all.
    expect(turns(log([post(1)], [read(post(2)), read(post(3)), read(snapshot(2, 3)), read(post(4)), read(snapshot(2, 4))]))).toEqual([post(2), post(3), post(4), snapshot(2, 4)].map((v) => v.key))
    // One it covers is missing, or waits for a key this device lacks: the snapshot does not wait on it.
    expect(log([post(1)], [read(post(2)), read(post(4)), read(snapshot(2, 4))]).next()?.key).toBe(snapshot(2, 4).key)
    expect(log([post(1)], [read(post(2)), post(3), read(post(4)), read(snapshot(2, 4))]).next()?.key).toBe(snapshot(2, 4).key)
    // Another version of the same range is not what it covers.
    expect(log([post(1)], [read(snapshot(2, 4)), { ...read(snapshot(2, 4)), key: 'bob snapshot 2-4, again' }]).next()?.entry.header.kind).toBe('snapshot')
  })

  it('a snapshot that a handled snapshot already covers is never next', () => {
    const l = log([snapshot(1, 6)], [snapshot(2, 4), snapshot(7, 8)])
    expect(l.next()?.key).toBe(snapshot(7, 8).key)
    l.pending.delete(snapshot(7, 8).key)
    expect(l.next()).toBeNull()
    // One starting right after the frontier, covered all the same.
    const m = log([post(1), snapshot(2, 6)], [])
    m.frontier = 1
    m.pending.set(snapshot(2, 3).key, snapshot(2, 3))
    expect(m.next()).toBeNull()
  })
})

describe('what a handled snapshot covers', () => {
  it('a range inside it, its edges included, but not exactly its own range, nor past it', () => {
    const l = log([snapshot(3, 6)])
    expect(l.coveredBy(3, 6)).toBeNull()
    expect(l.coveredBy(3, 5)?.key).toBe(snapshot(3, 6).key)
    expect(l.coveredBy(4, 6)?.key).toBe(snapshot(3, 6).key)
    expect(l.coveredBy(2, 5)).toBeNull()
    expect(l.coveredBy(4, 7)).toBeNull()
    expect(l.coveredBy(4, 5, snapshot(3, 6).key), 'not by the snapshot asked about').toBeNull()
  })

  it('a plain post never covers anything', () => {
    expect(log([post(3), post(4)]).coveredBy(3, 3)).toBeNull()
    expect(log([post(3), post(4)]).coveredBy(4, 4)).toBeNull()
  })
})

describe('entries that could conflict with a new one of Bob’s', () => {
  const handledAndWaiting = () => log([post(1), snapshot(2, 4), entry('control', 5), post(6)], [snapshot(7, 9), entry('join', 10), post(11), post(12)])

  it('a post: overlapping snapshots, entries that are not content, and entries starting where it does, handled or waiting', () => {
    const l = handledAndWaiting()
    expect(keys(l.mayConflict(3, 3, false))).toEqual(keys([snapshot(2, 4)]))
    expect(keys(l.mayConflict(5, 5, false))).toEqual(keys([entry('control', 5)]))
    expect(keys(l.mayConflict(6, 6, false))).toEqual(keys([post(6)]))
    expect(keys(l.mayConflict(9, 9, false))).toEqual(keys([snapshot(7, 9)]))
    expect(keys(l.mayConflict(10, 10, false))).toEqual(keys([entry('join', 10)]))
    expect(keys(l.mayConflict(12, 12, false))).toEqual(keys([post(12)]))
    expect(l.mayConflict(13, 13, false)).toEqual([])
  })

  it('a snapshot: the snapshots and other entries it overlaps, its edges included, not the posts inside it', () => {
    const l = handledAndWaiting()
    expect(keys(l.mayConflict(4, 10, true))).toEqual(keys([snapshot(2, 4), entry('control', 5), snapshot(7, 9), entry('join', 10)]))
    expect(keys(l.mayConflict(11, 12, true))).toEqual([])
    expect(keys(l.mayConflict(1, 1, true))).toEqual([])
  })

  it('an entry is named once, even when it is both a snapshot and starts where the post does', () => {
    const l = handledAndWaiting()
    expect(l.mayConflict(2, 2, false).map((v) => v.key)).toEqual([snapshot(2, 4).key])
    expect(l.mayConflict(7, 7, false).map((v) => v.key)).toEqual([snapshot(7, 9).key])
  })
})

describe('starting over (to rebuild the readable doc)', () => {
  it('every handled entry waits again as it arrived, nothing is void, and the sequence starts again', () => {
    const l = log([post(1), post(2)], [post(4)])
    l.done.set(post(2).key, { ...handled(post(2)), range: { from: 0, to: 3 }, judgedWith: 'true/false', heads: ['h'], speculative: true })
    l.pending.set(post(4).key, { ...post(4), speculative: true })
    l.voidFrom.set(77, 3)
    l.reset()
    expect(l.frontier).toBe(0)
    expect(l.done.size).toBe(0)
    expect(l.voidFrom.size).toBe(0)
    expect(keys([...l.pending.values()])).toEqual(keys([post(1), post(2), post(4)]))
    expect(l.pending.get(post(2).key)).toEqual({ ...post(2), speculative: false })
    expect(l.pending.get(post(4).key)?.speculative).toBe(false)
    expect(l.next()?.key).toBe(post(1).key)
  })
})

describe('every author’s log', () => {
  it('a log is made the first time its author is asked for, then the same one; waiting entries are counted in all', () => {
    const logs = new AuthorLogs()
    const bob = logs.of('bob')
    expect(logs.of('bob')).toBe(bob)
    bob.pending.set(post(1).key, post(1))
    bob.pending.set(post(2).key, post(2))
    logs.of('carol').pending.set(post(3).key, post(3))
    expect(logs.size).toBe(2)
    expect(logs.pendingCount()).toBe(3)
  })
})
