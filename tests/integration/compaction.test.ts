/**
 * History grows for years; opening must not. 50,000 changes by one member,
 * compacted as they are written, reopen by reading a bounded number of entries.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { createItem, newItemId, readItems, updateItem, type ItemId } from '../../src/core/index.ts'
import { member } from '../sealed/fixture.ts'

describe('compaction', () => {
  it('after 50,000 changes, reopening reads a bounded number of entries and loses nothing', async () => {
    const alice = await member('Alice', { compactAfter: 200 })
    const ids: ItemId[] = []
    const started = performance.now()
    for (let i = 0; i < 500; i++) {
      const r = createItem(alice.board.readable, { kind: 'notice', title: `Notice ${i}`, body: 'x'.repeat(80), author: 'Alice', tags: [], pinned: false, expiresAt: null }, Date.now(), newItemId(alice.board.myTag))
      if (r.ok) ids.push(r.value.id)
    }
    for (let i = 0; i < 49_500; i++) {
      updateItem(alice.board.readable, ids[i % ids.length]!, { title: `Notice ${i % ids.length} v${i}` }, Date.now())
      // A person's edits come one action at a time; those of one task are sealed as one entry.
      if (i % 10 === 0) await alice.board.flush()
    }
    await alice.board.flush()
    const writing = performance.now() - started
    const entries = alice.board.sealed.getMap('entries').size
    const bytes = Y.encodeStateAsUpdate(alice.board.sealed).length
    const copy = new Y.Doc()
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(alice.board.sealed))
    const t0 = performance.now()
    const again = await member('Alice', { keys: alice.keys, sealed: copy })
    const opening = performance.now() - t0
    console.log(`[measure] 50,000 changes: written and sealed in ${writing.toFixed(0)} ms; ${entries} entries (${(bytes / 1024).toFixed(0)} KiB) remain; reopened in ${opening.toFixed(0)} ms reading ${again.board.entriesRead} entries`)
    // Bounded by the loose entries compaction waits for (200) and O(log n) snapshots — not by the
    // 5,000 entries written: each flush seals the changes made since as one entry.
    expect(again.board.entriesRead).toBeLessThanOrEqual(200 + 30)
    const items = readItems(again.board.readable)
    expect(items).toHaveLength(500)
    expect(items.find((i) => i.id === ids[499 % 500])!.title).toBe(`Notice 499 v${49_499}`)
    expect(again.board.diagnostics.total).toBe(0)
  }, 300_000)
})
