/**
 * Bob's device compacts its own content entries (compaction.ts): a loose run
 * becomes one snapshot, then neighbouring snapshots of similar size merge
 * while they fit. These stories hand `compactOwn` a log of Bob's entries
 * written by hand, and a device that seals and drops as the engine does, so
 * that which entries merge, and what the merged snapshot holds, can be seen.
 * A snapshot's size here is its parts' size: the rules are about sizes, and
 * real sealed entries would make them hard to choose.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import type { EntryKind, ParsedEntry } from '../../src/crypto/index.ts'
import type { ClockRange } from '../../src/sealed/authority.ts'
import { AuthorLog, type Done, type Outcome } from '../../src/sealed/author-log.ts'
import { compactOwn, type CompactionContext } from '../../src/sealed/compaction.ts'
import { KeptHistory, Refusals } from '../../src/sealed/compaction-memory.ts'
import { conflictAt } from '../../src/sealed/equivocation.ts'
import { encodeContent } from '../../src/sealed/payloads.ts'
import { placeholderUpdate } from '../../src/sealed/placeholder.ts'
import { APPLY_PART_BYTES } from '../../src/sealed/pump.ts'
import { keepTypes } from '../../src/sealed/readable.ts'
import { structsOf } from '../../src/sealed/update-encoder.ts'
import { ticks } from '../support/ticks.ts'

const BOB = 77

/** A doc that writes as Bob, and every update it makes, in order. */
function bobsDoc(): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc()
  doc.clientID = BOB
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  return { doc, updates }
}

/** Bob's device writes notices, one Yjs update (and clock) each. */
function bobWrites(n: number): Uint8Array[] {
  const { doc, updates } = bobsDoc()
  for (let i = 1; i <= n; i++) doc.getMap('items').set(`bob/${i}`, `notice ${i}`)
  return updates
}

interface Opts {
  readonly update?: Uint8Array
  readonly outcome?: Outcome
  readonly plain?: Uint8Array | null
  readonly range?: ClockRange | null
  readonly version?: 1 | 2
  readonly size?: number
}

function entry(kind: EntryKind, from: number, seq: number, o: Opts = {}): Done {
  const version = o.version ?? 2
  const plain = o.plain !== undefined ? o.plain : o.update ? (version === 1 ? o.update : encodeContent([], o.update)) : null
  const header = { kind, version, from, seq, boardId: new Uint8Array(16), keyId: new Uint8Array(8), author: new Uint8Array(32) }
  return {
    key: `bob ${kind} ${from}-${seq}`,
    bytes: new Uint8Array(o.size ?? 100),
    entry: { header } as unknown as ParsedEntry,
    hash: `${kind} ${from}-${seq}`,
    via: null,
    plain,
    outcome: o.outcome ?? 'applied',
    range: o.range ?? null,
  }
}

const post = (seq: number, update: Uint8Array, o: Opts = {}) => entry('update', seq, seq, { update, ...o })
const snapshot = (from: number, seq: number, updates: Uint8Array[], size: number) => entry('snapshot', from, seq, { update: Y.mergeUpdates(updates), size })
/** A membership change: a control entry, never compacted. */
const membership = (seq: number) => entry('control', seq, seq)

/** Bob's device: seals a snapshot into his log and drops what it replaces, as the engine does; `deletions` is what his readable doc holds as deleted of his structs. */
async function compact(entries: Done[], snapshotBytes = 10_000, deletions: (upTo: number) => Uint8Array | null = () => null, admissible: (update: Uint8Array, from: number, seq: number) => boolean = () => true, fold = false, structsOf?: CompactionContext['structsOf'], refusals?: Refusals) {
  const log = new AuthorLog()
  for (const d of entries) log.done.set(d.key, d)
  const sealed: string[] = []
  const merged: Uint8Array[] = []
  const dropped: string[][] = []
  let last = Math.max(0, ...entries.map((d) => d.entry.header.seq))
  await compactOwn({
    log,
    snapshotBytes,
    placeholder: (range) => placeholderUpdate(BOB, range.from, range.to),
    nextSeq: () => last + 1,
    fold,
    seal: async (bytes, from, given) => {
      const seq = given ?? ++last
      const parts = [...log.done.values()].filter((d) => d.entry.header.kind !== 'control' && from <= d.entry.header.from && d.entry.header.seq <= seq)
      const size = parts.reduce((n, d) => n + d.bytes.length, 0)
      const key = `bob snapshot ${from}-${seq}`
      log.done.set(key, entry('snapshot', from, seq, { update: bytes, size }))
      sealed.push(`${from}-${seq}`)
      merged.push(bytes)
      return key
    },
    drop: (keys) => {
      dropped.push([...keys])
      for (const k of keys) log.done.delete(k)
    },
    gcFilter: keepTypes,
    client: BOB,
    deletions,
    admissible,
    ...(structsOf ? { structsOf } : {}),
    ...(refusals ? { refusals } : {}),
  })
  return { log, sealed, merged, dropped }
}

function board(update: Uint8Array) {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, update)
  return doc
}

const notices = (update: Uint8Array) => board(update).getMap('items').toJSON()

describe('Bob’s loose entries become one snapshot', () => {
  it('two loose posts are sealed as one snapshot from 1 to 2 that holds both, and the two entries are dropped', async () => {
    const w = bobWrites(2)
    const r = await compact([post(1, w[0]!), post(2, w[1]!)])
    expect(r.sealed).toEqual(['1-2'])
    expect(r.dropped).toEqual([['bob update 1-1', 'bob update 2-2']])
    expect(notices(r.merged[0]!)).toEqual({ 'bob/1': 'notice 1', 'bob/2': 'notice 2' })
  })

  it('the log hands them over in any order: the run still starts at Bob’s first loose post', async () => {
    const w = bobWrites(3)
    const r = await compact([post(3, w[2]!), post(1, w[0]!), post(2, w[1]!)])
    expect(r.sealed).toEqual(['1-3'])
    expect(Object.keys(notices(r.merged[0]!)).sort()).toEqual(['bob/1', 'bob/2', 'bob/3'])
  })

  it('a membership entry breaks the run: the last run (4–5) is written again first, then the loose run before the membership entry (1–2); the membership entry stays', async () => {
    const w = bobWrites(4)
    const r = await compact([post(1, w[0]!), post(2, w[1]!), membership(3), post(4, w[2]!), post(5, w[3]!)])
    expect(r.sealed).toEqual(['4-5', '1-2'])
    // The last run holds only its own structs: Bob's clocks 2 and 3, after the two of the run before.
    expect(Y.decodeUpdate(r.merged[0]!).structs.map((st) => [st.id.clock, st.length])).toEqual([[2, 1], [3, 1]])
    expect(notices(Y.mergeUpdates([r.merged[1]!, r.merged[0]!]))).toEqual({ 'bob/1': 'notice 1', 'bob/2': 'notice 2', 'bob/3': 'notice 3', 'bob/4': 'notice 4' })
    expect([...r.log.done.values()].map((d) => d.key).sort()).toEqual(['bob control 3-3', 'bob snapshot 1-2', 'bob snapshot 4-5'])
  })

  it('a run of one post is not worth a snapshot, and a log with nothing loose compacts nothing', async () => {
    const w = bobWrites(2)
    expect((await compact([post(1, w[0]!), membership(2), post(3, w[1]!)])).sealed).toEqual([])
    expect((await compact([])).sealed).toEqual([])
    expect((await compact([snapshot(1, 2, w, 100)])).sealed).toEqual([])
  })

  it('with a membership entry between his content entries, the last run (a snapshot and the posts after it) becomes one snapshot', async () => {
    const w = bobWrites(7)
    const r = await compact([snapshot(1, 1, [w[0]!], 100), membership(2), snapshot(3, 6, w.slice(1, 5), 300), post(7, w[5]!), post(8, w[6]!)], 500)
    expect(r.sealed).toEqual(['3-8'])
    // It starts after Bob's first struct, in the snapshot before the membership entry.
    expect(Y.decodeUpdate(r.merged[0]!).structs[0]!.id.clock).toBe(1)
    expect(Object.keys(notices(Y.mergeUpdates([w[0]!, r.merged[0]!]))).sort()).toEqual(['bob/1', 'bob/2', 'bob/3', 'bob/4', 'bob/5', 'bob/6', 'bob/7'])
    expect([...r.log.done.values()].map((d) => d.key).sort()).toEqual(['bob control 2-2', 'bob snapshot 1-1', 'bob snapshot 3-8'])
  })

  it('with a membership entry between his content entries, a single loose post after the last run’s snapshot is written again with it; alone in its run, it stays loose', async () => {
    const w = bobWrites(4)
    const r = await compact([snapshot(1, 2, w.slice(0, 2), 100), membership(3), snapshot(4, 4, [w[2]!], 100), post(5, w[3]!, { size: 100 })])
    expect(r.sealed).toEqual(['4-5'])
    expect(notices(Y.mergeUpdates([...w.slice(0, 2), r.merged[0]!]))).toEqual({ 'bob/1': 'notice 1', 'bob/2': 'notice 2', 'bob/3': 'notice 3', 'bob/4': 'notice 4' })
    expect((await compact([snapshot(1, 2, w.slice(0, 2), 100), membership(3), post(4, w[2]!, { size: 100 })])).sealed).toEqual([])
  })

  it('Bob’s version 1 posts are bare Yjs updates: they are merged as they are', async () => {
    const w = bobWrites(2)
    const r = await compact([post(1, w[0]!, { version: 1 }), post(2, w[1]!)])
    expect(r.sealed).toEqual(['1-2'])
    expect(notices(r.merged[0]!)).toEqual({ 'bob/1': 'notice 1', 'bob/2': 'notice 2' })
  })
})

describe('refused entries inside a snapshot', () => {
  it('Bob’s refused post counts as the placeholder every device filled in: the snapshot covers it, without its content, and his next post still applies', async () => {
    const w = bobWrites(3)
    const r = await compact([post(1, w[0]!), post(2, w[1]!, { outcome: 'refused', range: { from: 1, to: 2 } }), post(3, w[2]!)])
    expect(r.sealed).toEqual(['1-3'])
    const doc = board(r.merged[0]!)
    expect(doc.getMap('items').toJSON()).toEqual({ 'bob/1': 'notice 1', 'bob/3': 'notice 3' })
    expect(Y.getState(doc.store, BOB)).toBe(3)
  })

  it('refused entries that used no clocks leave nothing in the snapshot', async () => {
    const w = bobWrites(2)
    const r = await compact([
      post(1, w[0]!),
      post(2, w[1]!, { outcome: 'refused', range: null }),
      post(3, w[1]!, { outcome: 'refused', range: { from: 1, to: 1 } }),
      post(4, w[1]!),
    ])
    expect(r.sealed).toEqual(['1-4'])
    expect(notices(r.merged[0]!)).toEqual({ 'bob/1': 'notice 1', 'bob/2': 'notice 2' })
  })
})

describe('a run that cannot be replayed stops compaction', () => {
  const cases: [string, (w: Uint8Array[]) => Done[]][] = [
    ['one of its entries is void (written after Bob’s cutoff)', (w) => [post(3, w[2]!), post(4, w[3]!, { outcome: 'void' })]],
    ['one of its entries did not decrypt', (w) => [post(3, w[2]!), post(4, w[3]!, { plain: null })]],
    ['one of its entries does not decode as content', (w) => [post(3, w[2]!), post(4, w[3]!, { plain: Uint8Array.of(200) })]],
  ]
  for (const [what, loose] of cases) {
    it(`when ${what}: nothing is sealed, not even Bob’s two snapshots that could merge`, async () => {
      const w = bobWrites(4)
      const r = await compact([snapshot(1, 1, [w[0]!], 100), snapshot(2, 2, [w[1]!], 100), ...loose(w)])
      expect(r.sealed).toEqual([])
      expect(r.dropped).toEqual([])
    })

    it(`with a membership entry before the snapshots, when ${what}: nothing is sealed either`, async () => {
      const w = bobWrites(5)
      const shifted = loose(w).map((d) => ({ ...d, entry: { header: { ...d.entry.header, from: d.entry.header.from + 2, seq: d.entry.header.seq + 2 } } as unknown as ParsedEntry }))
      const r = await compact([snapshot(1, 1, [w[4]!], 100), membership(2), snapshot(3, 3, [w[0]!], 100), snapshot(4, 4, [w[1]!], 100), ...shifted])
      expect(r.sealed).toEqual([])
      expect(r.dropped).toEqual([])
    })
  }

  it('with a membership entry between his content entries, when all of the loose entries were refused before using any clock: the last run is one snapshot that holds nothing of them', async () => {
    const w = bobWrites(4)
    const r = await compact([snapshot(1, 1, [w[0]!], 100), membership(2), snapshot(3, 3, [w[1]!], 100), snapshot(4, 4, [w[2]!], 100), post(5, w[3]!, { outcome: 'refused' }), post(6, w[3]!, { outcome: 'refused', range: { from: 4, to: 4 } })])
    expect(r.sealed).toEqual(['3-6'])
    expect(notices(Y.mergeUpdates([w[0]!, r.merged[0]!]))).toEqual({ 'bob/1': 'notice 1', 'bob/2': 'notice 2', 'bob/3': 'notice 3' })
  })

  it('with a membership entry between his content entries, when the last run cannot be replayed (an entry did not decrypt): nothing is sealed', async () => {
    const w = bobWrites(4)
    const r = await compact([snapshot(1, 1, [w[0]!], 100), membership(2), snapshot(3, 3, [w[1]!], 100), post(4, w[2]!), post(5, w[3]!, { plain: null })])
    expect(r.sealed).toEqual([])
    expect(r.dropped).toEqual([])
  })
})

describe('neighbouring snapshots merge while they are of similar size and fit', () => {
  const snaps = (sizes: number[]) => {
    const w = bobWrites(sizes.length)
    return sizes.map((size, i) => snapshot(i + 1, i + 1, [w[i]!], size))
  }

  it('four snapshots of 400, 200, 100 and 100 bytes cascade into one, the newest pair first', async () => {
    const r = await compact(snaps([400, 200, 100, 100]))
    expect(r.sealed).toEqual(['3-4', '2-4', '1-4'])
    expect(Object.keys(notices(r.merged[2]!)).sort()).toEqual(['bob/1', 'bob/2', 'bob/3', 'bob/4'])
    expect(r.dropped).toEqual([
      ['bob snapshot 3-3', 'bob snapshot 4-4'],
      ['bob snapshot 2-2', 'bob snapshot 3-4'],
      ['bob snapshot 1-1', 'bob snapshot 2-4'],
    ])
  })

  it('a newest snapshot much smaller than the one before it waits; the older pair merges', async () => {
    expect((await compact(snaps([100, 100, 10]))).sealed).toEqual(['1-2'])
  })

  it('“similar” means at most twice the size of the newer one', async () => {
    expect((await compact(snaps([200, 100]))).sealed).toEqual(['1-2'])
    expect((await compact(snaps([201, 100]))).sealed).toEqual([])
  })

  it('two snapshots merge only if together they fit in the snapshot size', async () => {
    expect((await compact(snaps([100, 100]), 200)).sealed).toEqual(['1-2'])
    expect((await compact(snaps([100, 100]), 199)).sealed).toEqual([])
  })

  it('snapshots with a membership entry between them are not neighbours', async () => {
    const w = bobWrites(2)
    const r = await compact([snapshot(1, 2, [w[0]!], 100), membership(3), snapshot(4, 5, [w[1]!], 100)])
    expect(r.sealed).toEqual([])
  })
})

describe('what a snapshot keeps', () => {
  it('the old text of a notice Bob edited is gone from the snapshot, but the notice he deleted keeps its place', async () => {
    const { doc, updates: w } = bobsDoc()
    const items = doc.getMap<Y.Map<string>>('items')
    const notice = new Y.Map<string>()
    items.set('bob/1', notice)
    notice.set('body', 'meet at the old address')
    notice.set('body', 'moved')
    items.delete('bob/1')
    const r = await compact(w.map((u, i) => post(i + 1, u)))
    expect(r.sealed).toEqual(['1-4'])
    const text = new TextDecoder().decode(r.merged[0]!)
    expect(text).not.toContain('old address')
    const structs = (Y.decodeUpdate(r.merged[0]!) as unknown as { structs: Y.Item[] }).structs
    expect(structs.some((s) => s instanceof Y.Item && s.content instanceof Y.ContentType)).toBe(true)
  })
})

/** Bob's notices bob/1 (with an address) and bob/2 (his three updates `w`), and Ana's taking bob/1 down as his readable doc holds it (`deletions`: its delete set alone). */
function takenDown() {
  const { doc, updates: w } = bobsDoc()
  const first = new Y.Map<string>()
  doc.getMap('items').set('bob/1', first)
  first.set('body', 'meet at 14 Elm Street')
  doc.getMap('items').set('bob/2', new Y.Map<string>())
  return { w, deletions: afterTakedown(w, 'bob/1').deletions }
}

/** Bob's readable doc holding his updates `w` once Ana took `key` down, and what it holds as deleted, as a compaction asks for it. */
function afterTakedown(w: readonly Uint8Array[], key: string) {
  const readable = new Y.Doc()
  Y.applyUpdate(readable, Y.mergeUpdates([...w]))
  const ana = new Y.Doc()
  ana.clientID = 1
  Y.applyUpdate(ana, Y.encodeStateAsUpdate(readable))
  ana.getMap('items').delete(key)
  Y.applyUpdate(readable, Y.encodeStateAsUpdate(ana, Y.encodeStateVector(readable)))
  return { readable, deletions: () => Y.encodeStateAsUpdate(readable, Y.encodeStateVector(readable)) }
}

describe('one run in all: the whole history is written again', () => {
  it('a single loose post, alone, is not worth a snapshot', async () => {
    const w = bobWrites(1)
    expect((await compact([post(1, w[0]!)])).sealed).toEqual([])
  })

  it('a history larger than the snapshot size is not written again whole: the loose run becomes a snapshot of its own', async () => {
    const w = bobWrites(4)
    const r = await compact([snapshot(1, 2, w.slice(0, 2), 900), post(3, w[2]!, { size: 100 }), post(4, w[3]!, { size: 100 })], 1000)
    expect(r.sealed).toEqual(['3-4'])
  })

  it('a post after a snapshot: snapshot and posts become one snapshot from 1, and only it is left', async () => {
    const w = bobWrites(6)
    const r = await compact([snapshot(1, 4, w.slice(0, 4), 300), post(5, w[4]!), post(6, w[5]!)], 500)
    expect(r.sealed).toEqual(['1-6'])
    expect(Object.keys(notices(r.merged[0]!)).sort()).toEqual(['bob/1', 'bob/2', 'bob/3', 'bob/4', 'bob/5', 'bob/6'])
    expect([...r.log.done.values()].map((d) => d.key)).toEqual(['bob snapshot 1-6'])
  })

  it('however small the post and large the snapshot: the text it replaced is gone from the one snapshot left', async () => {
    const { doc, updates: w } = bobsDoc()
    const notice = new Y.Map<string>()
    doc.getMap('items').set('bob/1', notice)
    notice.set('body', 'meet at 9 Oak Lane')
    notice.set('more', 'x'.repeat(5000))
    notice.set('body', 'ask Ana')
    const r = await compact([snapshot(1, 3, w.slice(0, 3), 5000), post(4, w[3]!, { size: 100 })], 20_000)
    expect(r.sealed).toEqual(['1-4'])
    expect(new TextDecoder().decode(r.merged[0]!)).not.toContain('Oak Lane')
    expect((board(r.merged[0]!).getMap('items').get('bob/1') as Y.Map<string>).get('body')).toBe('ask Ana')
  })

  it('what his readable doc holds as deleted by others is folded in: the text goes, the notice keeps its place, and the deletions asked for are below what he wrote', async () => {
    // Ana took bob/1 down: her deletion, as Bob's readable doc holds it.
    const { w, deletions: held } = takenDown()
    const asked: number[] = []
    const deletions = (upTo: number) => {
      asked.push(upTo)
      return held()
    }
    const r = await compact([snapshot(1, 2, w.slice(0, 2), 100), post(3, w[2]!)], 10_000, deletions)
    expect(r.sealed).toEqual(['1-3'])
    expect(asked).toEqual([3])
    expect(new TextDecoder().decode(r.merged[0]!)).not.toContain('Elm Street')
    const merged = board(r.merged[0]!)
    expect([...merged.getMap('items').keys()]).toEqual(['bob/2'])
    const structs = (Y.decodeUpdate(r.merged[0]!) as unknown as { structs: Y.Item[] }).structs
    expect(structs.filter((s) => s instanceof Y.Item && s.content instanceof Y.ContentType)).toHaveLength(2)
  })

  it('with nothing loose, a fold (Ana took his post down) rewrites his snapshot 1-2 as 1-3: a sequence number of its own, never a second entry for 1-2, without the text', async () => {
    const { w, deletions } = takenDown()
    const snap = snapshot(1, 2, w, 100)
    const r = await compact([snap], 10_000, deletions, () => true, true)
    expect(r.sealed).toEqual(['1-3'])
    expect(r.dropped).toEqual([[snap.key]])
    expect(new TextDecoder().decode(r.merged[0]!)).not.toContain('Elm Street')
    expect([...board(r.merged[0]!).getMap('items').keys()]).toEqual(['bob/2'])
    // A snapshot over a wider range than the one it replaces: both can be honest.
    expect(conflictAt(r.log.done.get('bob snapshot 1-3')!.entry.header, snap.entry.header)).toBeNull()
  })

  it('a fold is not sealed when another entry of his follows the one it would rewrite (a rename since): the new snapshot would stand over it', async () => {
    const { w, deletions } = takenDown()
    const r = await compact([snapshot(1, 2, w, 100), membership(3)], 10_000, deletions, () => true, true)
    expect(r.sealed).toEqual([])
    expect(r.dropped).toEqual([])
  })

  it('a fold that folds nothing in (nothing deleted, or only what the snapshot already holds as deleted) seals nothing; nor does a compaction with nothing loose that is not a fold', async () => {
    const { w, deletions } = takenDown()
    expect((await compact([snapshot(1, 2, w, 100)], 10_000, () => null, () => true, true)).sealed).toEqual([])
    const folded = await compact([snapshot(1, 2, w, 100)], 10_000, deletions, () => true, true)
    const again = await compact([{ ...snapshot(1, 3, [], 100), plain: encodeContent([], folded.merged[0]!) }], 10_000, deletions, () => true, true)
    expect(again.sealed).toEqual([])
    expect((await compact([snapshot(1, 2, w, 100)], 10_000, deletions)).sealed).toEqual([])
  })

  it('with a membership entry between his content entries (the founder, who invited someone), his last run is replayed after the run before it: the address he edited out in it is gone, and so is a post taken down in it', async () => {
    const { doc, updates: w } = bobsDoc()
    const items = doc.getMap<Y.Map<string>>('items')
    items.set('bob/1', new Y.Map<string>())
    items.get('bob/1')!.set('body', 'before the invitation: 2 Dock Road')
    // After the invitation (a membership entry): a post, its address edited out, and a post Ana takes down.
    items.set('bob/2', new Y.Map<string>())
    items.get('bob/2')!.set('body', 'meet at 9 Oak Lane')
    items.get('bob/2')!.set('body', 'ask Bob where')
    items.set('bob/3', new Y.Map<string>())
    items.get('bob/3')!.set('body', 'keys at 14 Elm Street')
    const { readable, deletions: held } = afterTakedown(w, 'bob/3')
    const asked: number[] = []
    const deletions = (upTo: number) => {
      asked.push(upTo)
      return held()
    }
    const entries = [snapshot(1, 2, w.slice(0, 2), 100), membership(3), ...w.slice(2).map((u, i) => post(4 + i, u))]
    const r = await compact(entries, 10_000, deletions)
    expect(r.sealed).toEqual([`4-${3 + w.length - 2}`])
    expect(asked).toEqual([Y.getState(readable.store, BOB)])
    const text = new TextDecoder().decode(r.merged[0]!)
    expect(text).not.toContain('Oak Lane')
    expect(text).not.toContain('Elm Street')
    // Only the last run's structs; the first run is left as written (its own snapshot, unchanged: THREAT_MODEL.md).
    expect(text).not.toContain('Dock Road')
    expect(Y.decodeUpdate(r.merged[0]!).structs[0]!.id.clock).toBe(2)
    const board = new Y.Doc()
    Y.applyUpdate(board, Y.mergeUpdates(w.slice(0, 2)))
    Y.applyUpdate(board, r.merged[0]!)
    expect(board.getMap('items').toJSON()).toEqual({ 'bob/1': { body: 'before the invitation: 2 Dock Road' }, 'bob/2': { body: 'ask Bob where' } })
  })

  it('with a membership entry between his content entries and nothing loose, a fold rewrites his last snapshot under the next sequence number, and only while nothing follows it', async () => {
    const { w, deletions } = takenDown()
    const before = bobWrites(1)
    // His history as written by hand: a first run, an invitation, then the post Ana took down (clocks 0–3 of takenDown's doc).
    const last = snapshot(3, 4, w, 100)
    const first = snapshot(1, 1, before, 100)
    const folded = await compact([first, membership(2), last], 10_000, deletions, () => true, true)
    expect(folded.sealed).toEqual(['3-5'])
    expect(new TextDecoder().decode(folded.merged[0]!)).not.toContain('Elm Street')
    expect(conflictAt(folded.log.done.get('bob snapshot 3-5')!.entry.header, last.entry.header)).toBeNull()
    expect((await compact([first, membership(2), last, membership(5)], 10_000, deletions, () => true, true)).sealed).toEqual([])
  })
})

describe('a snapshot that would be refused is never sealed', () => {
  it('Bob’s whole history would be refused (a write he may no longer make is in it): his loose run is sealed alone, and nothing else is dropped', async () => {
    const w = bobWrites(4)
    const asked: number[] = []
    // His first notice stands for the write he may no longer make.
    const r = await compact([snapshot(1, 2, w.slice(0, 2), 100), post(3, w[2]!), post(4, w[3]!)], 10_000, undefined, (update, from, seq) => {
      asked.push(from, seq)
      return !new TextDecoder().decode(update).includes('notice 1')
    })
    // The whole history, then the loose run, then the two snapshots that would merge: the last is refused too.
    expect(asked).toEqual([1, 4, 3, 4, 1, 4])
    expect(r.sealed).toEqual(['3-4'])
    expect(r.dropped).toEqual([['bob update 3-3', 'bob update 4-4']])
  })

  it('what was refused is not replayed and judged again while the circle stays as it is: only the loose run is, and all of it once the circle changed', async () => {
    const w = bobWrites(4)
    const refusals = new Refusals()
    const asked: number[] = []
    const judge = (update: Uint8Array, from: number, seq: number) => {
      asked.push(from, seq)
      return !new TextDecoder().decode(update).includes('notice 1')
    }
    const history = () => [snapshot(1, 2, w.slice(0, 2), 100), post(3, w[2]!), post(4, w[3]!)]
    await compact(history(), 10_000, undefined, judge, false, undefined, refusals.under('heads 1'))
    expect(asked).toEqual([1, 4, 3, 4, 1, 4])
    // His next compaction, from the same history (and a longer one): the whole rewrite and the merge of his first snapshot are refused as before.
    asked.length = 0
    const again = await compact(history(), 10_000, undefined, judge, false, undefined, refusals.under('heads 1'))
    expect(asked).toEqual([3, 4])
    expect(again.sealed).toEqual(['3-4'])
    asked.length = 0
    const longer = await compact([...history(), post(5, w[3]!)], 10_000, undefined, judge, false, undefined, refusals.under('heads 1'))
    expect(asked).toEqual([3, 5])
    expect(longer.sealed).toEqual(['3-5'])
    // A merge from the same first part that stops short of what was refused is tried.
    asked.length = 0
    await compact([snapshot(1, 2, w.slice(0, 2), 100), snapshot(3, 3, [w[2]!], 100)], 10_000, undefined, judge, false, undefined, refusals)
    expect(asked).toEqual([1, 3])
    // The circle changed (his rights may have): everything is tried again.
    asked.length = 0
    await compact(history(), 10_000, undefined, judge, false, undefined, refusals.under('heads 2'))
    expect(asked).toEqual([1, 4, 3, 4, 1, 4])
  })

  it('when no snapshot would be accepted, nothing is sealed and nothing dropped', async () => {
    const w = bobWrites(4)
    const r = await compact([snapshot(1, 2, w.slice(0, 2), 100), post(3, w[2]!), post(4, w[3]!)], 10_000, undefined, () => false)
    expect(r.sealed).toEqual([])
    expect(r.dropped).toEqual([])
    expect(r.log.done.size).toBe(3)
  })
})

describe('a large history is rewritten in slices', () => {
  afterEach(() => vi.restoreAllMocks())

  it('Bob’s 400 KB history of three large posts: replayed in parts, with the page let run before the snapshot is judged and sealed, which holds every notice', async () => {
    // Three posts of 2,000 notices each, about 130 KB apiece.
    const { doc, updates } = bobsDoc()
    for (let p = 0; p < 3; p++) doc.transact(() => {
      for (let i = 0; i < 2000; i++) doc.getMap('items').set(`bob/${p}.${i}`, `notice ${p}.${i}: the usual place, bring blankets`)
    })
    expect(Math.min(...updates.map((u) => u.length))).toBeGreaterThan(3 * APPLY_PART_BYTES)

    const log: string[] = []
    let now = 0
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 5))
    const stop = ticks(log)
    log.push('start')
    const r = await compact(
      updates.map((u, i) => post(i + 1, u)),
      10_000_000,
      undefined,
      () => (log.push('judged'), true),
    )
    stop()

    expect(r.sealed).toEqual(['1-3'])
    expect(board(r.merged[0]!).getMap('items').size).toBe(6000)
    // The event loop ran while the history was replayed, before the whole was judged.
    expect(log.slice(log.indexOf('start'), log.indexOf('judged'))).toContain('tick')
  })
})

describe('a whole rewrite goes on from the one before', () => {
  /** Bob's device over one log: each `compact()` compacts the log as it now stands, with what `history` keeps between runs. */
  function bobsDevice(history: KeptHistory, opts: { handled?: boolean; structsOf?: CompactionContext['structsOf']; snapshotSize?: (from: number) => number } = {}) {
    const log = new AuthorLog()
    const sealed: string[] = []
    const merged: Uint8Array[] = []
    const nextSeq = () => Math.max(0, ...[...log.done.values()].map((d) => d.entry.header.seq)) + 1
    const compact = (deletions: (upTo: number) => Uint8Array | null = () => null, fold = false) =>
      compactOwn({
        log,
        snapshotBytes: 1_000_000,
        placeholder: (range) => placeholderUpdate(BOB, range.from, range.to),
        nextSeq,
        fold,
        seal: async (bytes, from, given) => {
          const seq = given ?? nextSeq()
          const key = `bob snapshot ${from}-${seq}`
          // Its turn has come by the time sealing returns, unless told otherwise (it then waits in the log).
          if (opts.handled !== false) log.done.set(key, entry('snapshot', from, seq, { update: bytes, size: opts.snapshotSize?.(from) ?? 100 }))
          sealed.push(`${from}-${seq}`)
          merged.push(bytes)
          return key
        },
        drop: (keys) => {
          for (const k of keys) log.done.delete(k)
        },
        gcFilter: keepTypes,
        client: BOB,
        deletions,
        admissible: () => true,
        history,
        ...(opts.structsOf ? { structsOf: opts.structsOf } : {}),
      })
    const add = (...ds: Done[]) => ds.forEach((d) => log.done.set(d.key, d))
    return { log, sealed, merged, compact, add }
  }

  /** Bob's device after its first whole rewrite, of his posts 1 and 2 (`w[0]`, `w[1]`): snapshot 1-2. */
  async function afterFirstRewrite(w: Uint8Array[], opts: { handled?: boolean; keepMs?: number; snapshotSize?: (from: number) => number } = {}) {
    const history = new KeptHistory(opts.keepMs ?? 60_000)
    const bob = bobsDevice(history, opts)
    bob.add(post(1, w[0]!), post(2, w[1]!))
    await bob.compact()
    return { history, bob }
  }

  /** Makes the snapshot under `key` unreadable: a rewrite that replayed it from its entry would stop there. */
  function unreadable(log: AuthorLog, key: string): void {
    const d = log.done.get(key)!
    log.done.set(key, { ...d, plain: null })
  }

  it('Bob’s second rewrite applies only his new posts: the first snapshot is not read again, and the new one holds all four', async () => {
    const w = bobWrites(4)
    const { history, bob } = await afterFirstRewrite(w)
    expect(history.holding).toBe(true)
    unreadable(bob.log, 'bob snapshot 1-2')
    bob.add(post(3, w[2]!), post(4, w[3]!))
    await bob.compact()
    expect(bob.sealed).toEqual(['1-2', '1-4'])
    expect(Object.keys(notices(bob.merged[1]!)).sort()).toEqual(['bob/1', 'bob/2', 'bob/3', 'bob/4'])
    expect([...bob.log.done.values()].map((d) => d.key)).toEqual(['bob snapshot 1-4'])
    history.clear()
  })

  it('while what Bob wrote since is under a quarter of the snapshot last written whole, his loose posts are sealed on top of it from the kept replay, reading no snapshot again; a fold then writes it all whole from that replay', async () => {
    const w = bobWrites(6)
    // Snapshot 1-2 stands for a long history (10,000 bytes); each post and each snapshot on top, 100.
    const { history, bob } = await afterFirstRewrite(w, { snapshotSize: (from) => (from === 1 ? 10_000 : 100) })
    unreadable(bob.log, 'bob snapshot 1-2')
    bob.add(post(3, w[2]!), post(4, w[3]!))
    expect(await bob.compact()).toBe('on top')
    unreadable(bob.log, 'bob snapshot 3-4')
    bob.add(post(5, w[4]!), post(6, w[5]!))
    expect(await bob.compact()).toBe('on top')
    expect(bob.sealed).toEqual(['1-2', '3-4', '5-6'])
    // Each holds only what it stands for, the posts it replaced, and reads after the ones before it.
    const text = (u: Uint8Array) => new TextDecoder().decode(u)
    expect([1, 2, 3, 4, 5, 6].filter((i) => text(bob.merged[1]!).includes(`notice ${i}`))).toEqual([3, 4])
    expect([1, 2, 3, 4, 5, 6].filter((i) => text(bob.merged[2]!).includes(`notice ${i}`))).toEqual([5, 6])
    expect(Object.keys(notices(Y.mergeUpdates(bob.merged))).sort()).toEqual(['bob/1', 'bob/2', 'bob/3', 'bob/4', 'bob/5', 'bob/6'])
    expect([...bob.log.done.values()].map((d) => d.key)).toEqual(['bob snapshot 1-2', 'bob snapshot 3-4', 'bob snapshot 5-6'])
    // The quiet compaction's fold: one snapshot of all six, though none of the three is readable here any more.
    expect(await bob.compact(undefined, true)).toBe('done')
    expect(bob.sealed.at(-1)).toBe('1-6')
    expect(Object.keys(notices(bob.merged.at(-1)!)).sort()).toEqual(['bob/1', 'bob/2', 'bob/3', 'bob/4', 'bob/5', 'bob/6'])
    expect([...bob.log.done.values()].map((d) => d.key)).toEqual(['bob snapshot 1-6'])
    history.clear()
  })

  it('once what Bob wrote since reaches a quarter of the snapshot last written whole, his next compaction writes his history whole again', async () => {
    const w = bobWrites(6)
    const { history, bob } = await afterFirstRewrite(w, { snapshotSize: (from) => (from === 1 ? 1_000 : 100) })
    bob.add(post(3, w[2]!), post(4, w[3]!))
    expect(await bob.compact()).toBe('on top')
    // 100 on top and 200 loose: 300 of 1,000.
    bob.add(post(5, w[4]!), post(6, w[5]!))
    expect(await bob.compact()).toBe('done')
    expect(bob.sealed).toEqual(['1-2', '3-4', '1-6'])
    expect([...bob.log.done.values()].map((d) => d.key)).toEqual(['bob snapshot 1-6'])
    history.clear()
  })

  it('with nothing kept, loose posts on a long history are written whole with it, as before', async () => {
    const w = bobWrites(4)
    const { history, bob } = await afterFirstRewrite(w, { snapshotSize: (from) => (from === 1 ? 10_000 : 100) })
    history.clear()
    bob.add(post(3, w[2]!), post(4, w[3]!))
    expect(await bob.compact()).toBe('done')
    expect(bob.sealed).toEqual(['1-2', '1-4'])
  })

  it('with nothing kept, the same log is replayed from its entries: the unreadable snapshot stops the rewrite, and only the new posts are sealed', async () => {
    const w = bobWrites(4)
    const { history, bob } = await afterFirstRewrite(w)
    history.clear()
    unreadable(bob.log, 'bob snapshot 1-2')
    bob.add(post(3, w[2]!), post(4, w[3]!))
    await bob.compact()
    expect(bob.sealed).toEqual(['1-2', '3-4'])
  })

  it('another snapshot under the same key (its hash differs) is replayed from its entry, not from what was kept', async () => {
    const w = bobWrites(4)
    const { history, bob } = await afterFirstRewrite(w)
    // The head of his history is now another snapshot of his first two clocks: notice 1, and another notice where notice 2 was.
    const other = new Y.Doc()
    other.clientID = BOB
    other.getMap('items').set('bob/1', 'notice 1')
    other.getMap('items').set('bob/other', 'another notice')
    bob.add({ ...snapshot(1, 2, [Y.encodeStateAsUpdate(other)], 100), key: 'bob snapshot 1-2', hash: 'another' })
    bob.add(post(3, w[2]!), post(4, w[3]!))
    await bob.compact()
    expect(bob.sealed).toEqual(['1-2', '1-4'])
    expect(Object.keys(notices(bob.merged[1]!)).sort()).toEqual(['bob/1', 'bob/3', 'bob/4', 'bob/other'])
    history.clear()
  })

  it('an address Bob edits out of a notice in the kept snapshot is gone from the next one', async () => {
    const { doc, updates: w } = bobsDoc()
    const notice = new Y.Map<string>()
    doc.getMap('items').set('bob/1', notice)
    notice.set('body', 'meet at 14 Elm Street')
    notice.set('body', 'ask Ana')
    const { history, bob } = await afterFirstRewrite(w)
    expect(new TextDecoder().decode(bob.merged[0]!)).toContain('Elm Street')
    bob.add(post(3, w[2]!))
    await bob.compact()
    expect(bob.sealed).toEqual(['1-2', '1-3'])
    expect(new TextDecoder().decode(bob.merged[1]!)).not.toContain('Elm Street')
    expect((board(bob.merged[1]!).getMap('items').get('bob/1') as Y.Map<string>).get('body')).toBe('ask Ana')
    history.clear()
  })

  it('a snapshot refused since is not gone on from: its clocks count as the placeholder every device filled in, and its notices are in no snapshot', async () => {
    const w = bobWrites(4)
    const { history, bob } = await afterFirstRewrite(w)
    const first = bob.log.done.get('bob snapshot 1-2')!
    bob.add({ ...first, outcome: 'refused', range: { from: 0, to: 2 } })
    bob.add(post(3, w[2]!), post(4, w[3]!))
    await bob.compact()
    expect(bob.sealed).toEqual(['1-2', '1-4'])
    expect(Object.keys(notices(bob.merged[1]!)).sort()).toEqual(['bob/3', 'bob/4'])
    history.clear()
  })

  it('a snapshot whose turn has not come when sealing returns is not kept for: nothing is held', async () => {
    const w = bobWrites(2)
    const { history, bob } = await afterFirstRewrite(w, { handled: false })
    expect(bob.sealed).toEqual(['1-2'])
    expect(history.holding).toBe(false)
  })

  it('what is kept is let go after its time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const w = bobWrites(2)
      const { history } = await afterFirstRewrite(w, { keepMs: 1000 })
      expect(history.holding).toBe(true)
      vi.advanceTimersByTime(999)
      expect(history.holding).toBe(true)
      vi.advanceTimersByTime(1)
      expect(history.holding).toBe(false)
    } finally {
      vi.useRealTimers()
    }
  })

  it('after a pin, the rewrite that went on from the kept one brings her post in: his history is written whole without her structs, and that replay, which holds them, is not kept', async () => {
    const b = sharedBoard()
    b.as(BOB, (items) => b.newPost(items, 'bob/1', { title: 'Welcome' }))
    b.as(BOB, (items) => b.newPost(items, 'bob/2', { title: 'Rules' }))
    b.as(ANA, (items) => b.newPost(items, 'ana/1', { title: 'Spare coats', pinned: false }))
    b.as(BOB, () => b.postOf('ana/1').set('pinned', true))
    b.as(BOB, (items) => b.newPost(items, 'bob/3', { title: 'Meeting', body: 'meet at 14 Elm Street' }))
    b.as(BOB, () => b.postOf('bob/3').set('body', 'ask Bob where'))
    const w = b.by.get(BOB)!
    const history = new KeptHistory(60_000)
    const bob = bobsDevice(history, { structsOf: (client, from, upTo) => structsOf(b.doc, client, from, upTo) })
    bob.add(post(1, w[0]!), post(2, w[1]!))
    await bob.compact()
    expect(history.holding).toBe(true)
    bob.add(post(3, w[2]!), post(4, w[3]!), post(5, w[4]!))
    await bob.compact()
    expect(bob.sealed).toEqual(['1-2', '1-5'])
    const m = bob.merged[1]!
    expect(clientsOf(m)).toEqual([BOB])
    expect(holds(m, 'Elm Street')).toBe(false)
    expect(history.holding).toBe(false)
    const after = new Y.Doc({ gcFilter: keepTypes })
    for (const u of [...b.by.get(ANA)!, m]) Y.applyUpdate(after, u)
    expect(after.getMap('items').toJSON()).toEqual(b.doc.getMap('items').toJSON())
  })

  it('after a pin his replay cannot integrate (her post builds on one his device does not hold), the rewrite that went on from the kept one merges the whole history alone: all of his structs, and none of hers, kept or sealed', async () => {
    const b = sharedBoard()
    b.as(BOB, (items) => b.newPost(items, 'bob/1', { title: 'Welcome' }))
    b.as(BOB, (items) => b.newPost(items, 'bob/2', { title: 'Rules' }))
    b.as(CAROL, (items) => b.newPost(items, 'carol/1', { title: 'Rides' }))
    b.as(ANA, (items) => {
      b.postOf('carol/1').set('note', 'ask Ana')
      b.newPost(items, 'ana/1', { title: 'Spare coats', pinned: false })
    })
    b.as(BOB, () => b.postOf('ana/1').set('pinned', true))
    b.as(BOB, (items) => b.newPost(items, 'bob/3', { title: 'Meeting' }))
    const w = b.by.get(BOB)!
    const history = new KeptHistory(60_000)
    const asked: number[] = []
    const bob = bobsDevice(history, {
      structsOf: (client, from, upTo) => {
        asked.push(client)
        return client === CAROL ? null : structsOf(b.doc, client, from, upTo)
      },
    })
    bob.add(post(1, w[0]!), post(2, w[1]!))
    await bob.compact()
    expect(history.holding).toBe(true)
    bob.add(post(3, w[2]!), post(4, w[3]!))
    await bob.compact()
    expect(asked).toEqual([ANA, CAROL])
    expect(bob.sealed).toEqual(['1-2', '1-4'])
    const m = bob.merged[1]!
    expect(clientsOf(m)).toEqual([BOB])
    // What is kept for the next rewrite is the merge alone, as sealed: no struct of hers is in it.
    const kept = history.take([bob.log.done.get('bob snapshot 1-4')!])!.doc
    expect([...kept.store.clients.keys()]).toEqual([BOB])
    kept.destroy()
    const after = new Y.Doc({ gcFilter: keepTypes })
    for (const u of [...b.by.get(CAROL)!, ...b.by.get(ANA)!, m]) Y.applyUpdate(after, u)
    expect(after.getMap('items').toJSON()).toEqual(b.doc.getMap('items').toJSON())
  })
})

describe('what a kept history holds, and when it lets go', () => {
  const done = (hash: string, outcome: Outcome = 'applied'): Done => ({ ...entry('snapshot', 1, 2), hash, outcome })

  it('the doc is handed over whole for its own snapshot, and kept no more; for any other, or one refused since, it is destroyed and nothing is handed over', () => {
    const history = new KeptHistory(60_000)
    const doc = new Y.Doc()
    history.keep([done('h1')], doc)
    expect(history.take([done('h1'), done('later')])).toEqual({ doc, held: 1 })
    expect(doc.isDestroyed).toBe(false)
    expect(history.holding).toBe(false)
    expect(history.take([done('h1')])).toBeNull()
    for (const other of [[done('h2')], [done('h1', 'refused')], []]) {
      const d = new Y.Doc()
      history.keep([done('h1')], d)
      expect(history.take(other)).toBeNull()
      expect(d.isDestroyed).toBe(true)
      expect(history.holding).toBe(false)
    }
  })

  it('a doc kept for a snapshot and those sealed on top of it stands for all of them, in order, and for nothing less', () => {
    const history = new KeptHistory(60_000)
    const doc = new Y.Doc()
    history.keep([done('head'), done('top1'), done('top2')], doc)
    expect(history.holds([done('head'), done('top1'), done('top2'), done('loose')])).toBe(3)
    // Without one of them, in another order, or with one refused since: it stands for something else.
    expect(history.holds([done('head'), done('top1')])).toBe(0)
    expect(history.holds([done('head'), done('top2'), done('top1')])).toBe(0)
    expect(history.holds([done('head'), done('top1', 'refused'), done('top2')])).toBe(0)
    expect(history.holding).toBe(true)
    expect(history.take([done('head'), done('top1'), done('top2')])).toEqual({ doc, held: 3 })
    history.keep([done('head'), done('top1')], doc)
    expect(history.take([done('head'), done('other'), done('top2')])).toBeNull()
    expect(doc.isDestroyed).toBe(true)
  })

  it('keeping another destroys the one before; clearing destroys what is kept', () => {
    const history = new KeptHistory(60_000)
    const [a, b] = [new Y.Doc(), new Y.Doc()]
    history.keep([done('a')], a)
    history.keep([done('b')], b)
    expect(a.isDestroyed).toBe(true)
    expect(b.isDestroyed).toBe(false)
    history.clear()
    expect(b.isDestroyed).toBe(true)
    expect(history.holding).toBe(false)
  })

  it('its time runs from the last keep: the first one’s timer does not let the second go early, and what goes at its time is destroyed', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const history = new KeptHistory(1000)
      const [a, b] = [new Y.Doc(), new Y.Doc()]
      history.keep([done('a')], a)
      vi.advanceTimersByTime(600)
      history.keep([done('b')], b)
      vi.advanceTimersByTime(400)
      expect(history.holding).toBe(true)
      expect(b.isDestroyed).toBe(false)
      vi.advanceTimersByTime(600)
      expect(history.holding).toBe(false)
      expect(b.isDestroyed).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })
})

const ANA = 55
const CAROL = 66

/**
 * One readable doc that Ana, Carol and Bob (a moderator) write in turn, as
 * their devices would: each transaction's update is kept under its writer.
 */
function sharedBoard() {
  const doc = new Y.Doc({ gcFilter: keepTypes })
  const by = new Map<number, Uint8Array[]>([[ANA, []], [BOB, []], [CAROL, []]])
  doc.on('update', (u: Uint8Array) => by.get(doc.clientID)!.push(u))
  const as = (client: number, f: (items: Y.Map<unknown>) => void) => {
    doc.clientID = client
    doc.transact(() => f(doc.getMap('items')))
  }
  const postOf = (key: string) => doc.getMap('items').get(key) as Y.Map<unknown>
  const newPost = (items: Y.Map<unknown>, key: string, fields: Record<string, unknown>) => {
    const m = new Y.Map<unknown>()
    items.set(key, m)
    for (const [k, v] of Object.entries(fields)) m.set(k, v)
  }
  return { doc, by, as, postOf, newPost }
}

const clientsOf = (update: Uint8Array) => [...new Set(Y.decodeUpdate(update).structs.map((st) => st.id.client))]
const deletedOf = (update: Uint8Array, client: number) => Y.decodeUpdate(update).ds.clients.get(client)?.map((d) => [d.clock, d.len]) ?? []
const holds = (update: Uint8Array, text: string) => new TextDecoder().decode(update).includes(text)

describe('Bob’s pin builds on someone else’s post', () => {
  /** Ana posts twice; Bob pins her first post, then posts an address, edits it out and takes down her second post; Ana retitles her first. */
  function pinThenErase() {
    const b = sharedBoard()
    b.as(ANA, (items) => {
      b.newPost(items, 'ana/1', { title: 'Spare coats', pinned: false })
      b.newPost(items, 'ana/2', { title: 'Tonight', body: 'her old place: 9 Oak Lane' })
    })
    b.as(BOB, () => b.postOf('ana/1').set('pinned', true))
    b.as(BOB, (items) => b.newPost(items, 'bob/1', { title: 'Meeting', body: 'meet at 14 Elm Street' }))
    b.as(BOB, () => b.postOf('bob/1').set('body', 'ask Bob where'))
    b.as(BOB, (items) => items.delete('ana/2'))
    b.as(ANA, () => b.postOf('ana/1').set('title', 'Coats, spare'))
    return b
  }

  it('his history is written again with her post brought in from his readable doc: his deleted text is collected, none of her structs is written, and his delete set is the one his entries wrote', async () => {
    const b = pinThenErase()
    const bobs = b.by.get(BOB)!
    const r = await compact(bobs.map((u, i) => post(i + 1, u)), 10_000, () => null, () => true, false, (client, from, upTo) => structsOf(b.doc, client, from, upTo))
    expect(r.sealed).toEqual(['1-4'])
    const m = r.merged[0]!
    expect(holds(m, 'Elm Street')).toBe(false)
    expect(holds(m, 'ask Bob where')).toBe(true)
    expect(clientsOf(m)).toEqual([BOB])
    // His takedown of her post stays in it; her retitling (her deletion of her own struct) does not come with it.
    const his = Y.mergeUpdates(bobs)
    expect(deletedOf(m, ANA)).toEqual(deletedOf(his, ANA))
    expect(deletedOf(m, ANA).length).toBeGreaterThan(0)
    // Applied after her entries, it gives the board his entries gave.
    const after = new Y.Doc({ gcFilter: keepTypes })
    for (const u of b.by.get(ANA)!) Y.applyUpdate(after, u)
    Y.applyUpdate(after, m)
    expect(after.getMap('items').toJSON()).toEqual(b.doc.getMap('items').toJSON())
    expect(after.getMap('items').toJSON()).toEqual({ 'ana/1': { title: 'Coats, spare', pinned: true }, 'bob/1': { title: 'Meeting', body: 'ask Bob where' } })
  })

  it('without her post to bring in, his structs from the pin on are written as they wait, and nothing of them is collected', async () => {
    const b = pinThenErase()
    const bobs = b.by.get(BOB)!
    const r = await compact(bobs.map((u, i) => post(i + 1, u)))
    expect(r.sealed).toEqual(['1-4'])
    expect(holds(r.merged[0]!, 'Elm Street')).toBe(true)
    expect(clientsOf(r.merged[0]!)).toEqual([BOB])
  })

  it('her post builds on Carol’s, which his device does not hold: his entries are merged alone, with none of hers in them', async () => {
    const b = sharedBoard()
    b.as(CAROL, (items) => b.newPost(items, 'carol/1', { title: 'Rides' }))
    // Ana writes into Carol's post (a field of it): her struct builds on Carol's.
    b.as(ANA, (items) => {
      b.postOf('carol/1').set('note', 'ask Ana')
      b.newPost(items, 'ana/1', { title: 'Spare coats', pinned: false })
    })
    b.as(BOB, () => b.postOf('ana/1').set('pinned', true))
    b.as(BOB, (items) => b.newPost(items, 'bob/1', { title: 'Meeting', body: 'meet at 14 Elm Street' }))
    b.as(BOB, () => b.postOf('bob/1').set('body', 'ask Bob where'))
    const bobs = b.by.get(BOB)!
    const asked: number[] = []
    const r = await compact(bobs.map((u, i) => post(i + 1, u)), 10_000, () => null, () => true, false, (client, from, upTo) => {
      asked.push(client)
      return client === CAROL ? null : structsOf(b.doc, client, from, upTo)
    })
    expect(asked).toContain(ANA)
    expect(asked).toContain(CAROL)
    expect(r.sealed).toEqual(['1-3'])
    expect(clientsOf(r.merged[0]!)).toEqual([BOB])
    // All of his structs are in it: with Ana's and Carol's entries, it gives the same board.
    const after = new Y.Doc({ gcFilter: keepTypes })
    for (const u of [...b.by.get(CAROL)!, ...b.by.get(ANA)!]) Y.applyUpdate(after, u)
    Y.applyUpdate(after, r.merged[0]!)
    expect(after.getMap('items').toJSON()).toEqual(b.doc.getMap('items').toJSON())
  })

  it('after a membership entry of his, the last run is replayed after the run holding the pin: only the last run’s structs are written, none of hers', async () => {
    const b = pinThenErase()
    const bobs = b.by.get(BOB)!
    // His entries: the pin (1), a membership entry (2), then the rest (3–5), each with the clock range it wrote.
    const ranges = bobs.map((u) => {
      const st = Y.decodeUpdate(u).structs.filter((x) => x.id.client === BOB)
      return st.length === 0 ? null : { from: st[0]!.id.clock, to: st[st.length - 1]!.id.clock + st[st.length - 1]!.length }
    })
    const entries = [post(1, bobs[0]!, { range: ranges[0] }), membership(2), ...bobs.slice(1).map((u, i) => post(i + 3, u, { range: ranges[i + 1] }))]
    const r = await compact(entries, 10_000, () => null, () => true, false, (client, from, upTo) => structsOf(b.doc, client, from, upTo))
    expect(r.sealed).toEqual(['3-5'])
    const m = r.merged[0]!
    expect(holds(m, 'Elm Street')).toBe(false)
    expect(clientsOf(m)).toEqual([BOB])
    expect(Math.min(...Y.decodeUpdate(m).structs.map((st) => st.id.clock))).toBe(ranges[1]!.from)
    const after = new Y.Doc({ gcFilter: keepTypes })
    for (const u of [...b.by.get(ANA)!.slice(0, 1), bobs[0]!, m, ...b.by.get(ANA)!.slice(1)]) Y.applyUpdate(after, u)
    expect(after.getMap('items').toJSON()).toEqual(b.doc.getMap('items').toJSON())
  })

  it('a long history of hers is brought in a part at a time, as far as his structs need it', async () => {
    const b = sharedBoard()
    // About 12,000 clocks of hers before the post he pins, and more after it.
    b.as(ANA, (items) => {
      for (let i = 0; i < 3_000; i++) b.newPost(items, `ana/${i}`, { title: `notice ${i}`, pinned: false })
    })
    b.as(ANA, (items) => b.newPost(items, 'ana/pinned', { title: 'Spare coats', pinned: false }))
    b.as(ANA, (items) => {
      for (let i = 3_000; i < 4_000; i++) b.newPost(items, `ana/${i}`, { title: `notice ${i}`, pinned: false })
    })
    b.as(BOB, () => b.postOf('ana/pinned').set('pinned', true))
    b.as(BOB, (items) => b.newPost(items, 'bob/1', { title: 'Meeting', body: 'meet at 14 Elm Street' }))
    b.as(BOB, () => b.postOf('bob/1').set('body', 'ask Bob where'))
    const bobs = b.by.get(BOB)!
    const parts: [number, number][] = []
    const r = await compact(bobs.map((u, i) => post(i + 1, u)), 10_000, () => null, () => true, false, (client, from, upTo) => {
      parts.push([from, upTo])
      return structsOf(b.doc, client, from, upTo)
    })
    expect(r.sealed).toEqual(['1-3'])
    expect(holds(r.merged[0]!, 'Elm Street')).toBe(false)
    expect(clientsOf(r.merged[0]!)).toEqual([BOB])
    // Each part goes on where the one before ended, until the pinned post is in; not the posts after it.
    expect(parts.length).toBeGreaterThanOrEqual(3)
    for (let i = 1; i < parts.length; i++) expect(parts[i]![0]).toBeGreaterThanOrEqual(parts[i - 1]![1])
    const pinnedAt = (b.doc.getMap('items').get('ana/pinned') as Y.Map<unknown>)._item!.id.clock
    expect(parts[parts.length - 1]![0]).toBeLessThanOrEqual(pinnedAt)
    expect(parts[parts.length - 1]![1]).toBeLessThan(Y.getState(b.doc.store, ANA))
  })

  it('a run written again after its parents restates only the deletions its own entries made: not his takedown in the run before (its snapshot still says it), but his edit of a post from there', async () => {
    const b = sharedBoard()
    b.as(ANA, (items) => b.newPost(items, 'ana/1', { title: 'Spare coats' }))
    b.as(BOB, (items) => items.delete('ana/1'))
    b.as(BOB, (items) => b.newPost(items, 'bob/1', { title: 'Meeting', body: 'meet at 14 Elm Street' }))
    b.as(BOB, (items) => b.newPost(items, 'bob/2', { title: 'Rules' }))
    b.as(BOB, () => b.postOf('bob/1').set('body', 'ask Bob where'))
    const w = b.by.get(BOB)!
    const ranges = w.map((u) => {
      const st = Y.decodeUpdate(u).structs.filter((x) => x.id.client === BOB)
      return st.length === 0 ? null : { from: st[0]!.id.clock, to: st[st.length - 1]!.id.clock + st[st.length - 1]!.length }
    })
    // His takedown and first post (1–2), a membership entry (3), then his next post and the edit (4–5).
    const entries = [post(1, w[0]!, { range: ranges[0] }), post(2, w[1]!, { range: ranges[1] }), membership(3), post(4, w[2]!, { range: ranges[2] }), post(5, w[3]!, { range: ranges[3] })]
    const r = await compact(entries)
    expect(r.sealed).toEqual(['4-5', '1-2'])
    const last = r.merged[0]!
    expect(deletedOf(last, ANA)).toEqual([])
    // The old body, a struct of the run before, is deleted by the edit in this run: that deletion is restated.
    expect(deletedOf(last, BOB)).toEqual(deletedOf(w[3]!, BOB))
    expect(deletedOf(last, BOB).length).toBeGreaterThan(0)
    // The run before keeps his takedown.
    expect(deletedOf(r.merged[1]!, ANA)).toEqual(deletedOf(w[0]!, ANA))
    const after = new Y.Doc({ gcFilter: keepTypes })
    for (const u of [...b.by.get(ANA)!, r.merged[1]!, last]) Y.applyUpdate(after, u)
    expect(after.getMap('items').toJSON()).toEqual(b.doc.getMap('items').toJSON())
  })
})
