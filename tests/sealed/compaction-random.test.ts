/**
 * Erasure and convergence under a random session (seeded: a failure replays
 * from its seed). Ana founds the board and moderates, Bob moderates, Carol is
 * a member; they post, edit and delete their own posts, the moderators pin,
 * unpin and take down others' posts, every device compacts as it goes
 * (after a few loose entries, and once quiet, when it folds in what was
 * deleted), and pairs of devices sync at random. At the end, once every
 * device has synced and been quiet: every device reads the same board, none
 * refused anything, and no stored entry on any device holds text that was
 * edited away, deleted or taken down, while the text on the board is kept.
 * Members also rename themselves now and then (a profile entry, which
 * closes the run of posts before it): text written before its author's
 * latest rename may stay, the limit THREAT_MODEL.md states; nothing else
 * may.
 */
import { describe, expect, it } from 'vitest'
import { createItem, deleteItem, newItemId, readItems, removeItem, setPinned, updateItem, type ItemId } from '../../src/core/index.ts'
import { openEntry, parseEntry } from '../../src/crypto/index.ts'
import { decodeContent } from '../../src/sealed/payloads.ts'
import { Prng } from '../core/prng.ts'
import { circle, exchange, type Member } from './fixture.ts'

const QUIET = { compactAfter: 6, compactWhenQuiet: 200 }

/** Every content entry `m` stores, decrypted with the keys it holds, as text. */
async function storedTexts(m: Member): Promise<string[]> {
  const out: string[] = []
  for (const value of m.board.sealed.getMap('entries').values()) {
    if (!(value instanceof Uint8Array)) continue
    const parsed = parseEntry(value)
    if (!parsed.ok) continue
    const { header } = parsed.entry
    if (header.kind !== 'update' && header.kind !== 'snapshot') continue
    const plain = await openEntry(parsed.entry, m.board.keys.cipherFor(header.keyId)!)
    if (!plain) throw new Error(`${m.name} cannot open an entry`)
    out.push(new TextDecoder().decode(header.version === 1 ? plain : decodeContent(plain)!.update))
  }
  return out
}

const refused = (m: Member) => m.board.diagnostics.events.filter((e) => !e.reason.startsWith('pending_')).map((e) => `${e.reason}: ${e.detail}`)
const board = (m: Member) => readItems(m.board.readable).map((i) => ({ id: i.id, title: i.title, body: i.body, pinned: i.pinned })).sort((a, b) => a.id.localeCompare(b.id))

interface Post {
  readonly id: ItemId
  readonly author: Member
  text: string
  /** The step its text was written at. */
  at: number
}

describe('a random session of posts, edits, pins and takedowns, with compaction as it goes', () => {
  // Seeds 4 and 5 start each history with three long posts, written whole: the compactions after it seal their loose runs
  // on top of it (compaction.ts, onTop) until the history has grown by a quarter.
  it.each([1, 2, 3, 4, 5])('seed %i: every device reads the same board, refused nothing, and holds no text taken off it', async (seed) => {
    const rng = new Prng(seed)
    const c = await circle({ name: 'Ana', opts: QUIET })
    const ana = c.founder
    const bob = await c.admit('Bob', ana, QUIET)
    const carol = await c.admit('Carol', ana, QUIET)
    await ana.board.setRole(bob.board.myTag, 'moderator')
    const everyone = [ana, bob, carol]
    await exchange(...everyone)
    const moderators = new Set([ana, bob])
    const live: Post[] = []
    if (seed >= 4) {
      for (const m of everyone) {
        for (const part of [1, 2, 3]) {
          const t = `long-${m.name}-${part}-${'y'.repeat(4900)}`
          const r = createItem(m.board.readable, { kind: 'notice', title: `${m.name}'s long post ${part}`, body: t, author: m.name, tags: [], pinned: false, expiresAt: null }, Date.now(), newItemId(m.board.myTag))
          if (!r.ok) throw new Error(JSON.stringify(r))
          live.push({ id: r.value.id, author: m, text: t, at: -1 })
          await m.board.flush()
        }
        await m.board.compactNow()
      }
      await exchange(...everyone)
    }
    const gone: { text: string; author: Member; at: number }[] = []
    /** Each author's step of their latest rename. */
    const renamed = new Map<Member, number>()
    let n = 0
    const text = () => `text-${seed}-${n++}-${'x'.repeat(rng.int(40))}`
    for (let step = 0; step < 80; step++) {
      const m = rng.pick(everyone)
      const mine = live.filter((p) => p.author === m)
      // What this device holds of others' posts (a moderator acts on what it sees).
      const seen = new Set(readItems(m.board.readable).map((i) => i.id))
      const others = live.filter((p) => p.author !== m && seen.has(p.id))
      const roll = rng.next()
      if (roll < 0.3) {
        const t = text()
        const r = createItem(m.board.readable, { kind: 'notice', title: `post ${n}`, body: t, author: m.name, tags: [], pinned: false, expiresAt: null }, Date.now(), newItemId(m.board.myTag))
        if (!r.ok) throw new Error(JSON.stringify(r))
        live.push({ id: r.value.id, author: m, text: t, at: step })
      } else if (roll < 0.5 && mine.length > 0) {
        const p = rng.pick(mine)
        gone.push({ ...p })
        p.text = text()
        p.at = step
        expect(updateItem(m.board.readable, p.id, { body: p.text }, Date.now()).ok).toBe(true)
      } else if (roll < 0.58 && mine.length > 0) {
        const p = rng.pick(mine)
        expect(deleteItem(m.board.readable, p.id)).toBe(true)
        live.splice(live.indexOf(p), 1)
        gone.push({ ...p })
      } else if (roll < 0.7 && moderators.has(m) && others.length > 0) {
        const p = rng.pick(others)
        const pinned = readItems(m.board.readable).find((i) => i.id === p.id)!.pinned
        expect(setPinned(m.board.readable, p.id, !pinned)).toBe(true)
      } else if (roll < 0.76 && moderators.has(m) && others.length > 0) {
        const p = rng.pick(others)
        expect(removeItem(m.board.readable, p.id, Date.now())).toBe(true)
        live.splice(live.indexOf(p), 1)
        gone.push({ ...p })
      } else if (roll < 0.78) {
        await m.board.compactNow()
      } else if (roll < 0.8) {
        await m.board.join(`${m.name} ${step}`)
        renamed.set(m, step)
      } else {
        const other = rng.pick(everyone.filter((x) => x !== m))
        await exchange(m, other)
      }
      await m.board.flush()
    }
    // Everyone syncs, is quiet (each folds in what was deleted of theirs: 200 ms here), and syncs again; more than once, for a
    // takedown heard late, with room for a loaded machine.
    for (let round = 0; round < 3; round++) {
      await exchange(...everyone)
      await new Promise((resolve) => setTimeout(resolve, 700))
      await Promise.all(everyone.map((m) => m.board.flush()))
    }
    await exchange(...everyone)
    const expected = board(ana)
    expect(expected.map((i) => i.body).sort()).toEqual(live.map((p) => p.text).sort())
    for (const m of everyone) {
      expect(board(m), `${m.name}'s board`).toEqual(expected)
      expect(refused(m), `${m.name}'s device`).toEqual([])
      const texts = (await storedTexts(m)).join('\n')
      const kept = gone.filter((g) => texts.includes(g.text))
      expect(kept.filter((g) => g.at > (renamed.get(g.author) ?? -1)).map((g) => g.text), `${m.name}'s stored entries hold text taken off the board`).toEqual([])
      expect(live.filter((p) => !texts.includes(p.text)).map((p) => p.text), `${m.name}'s stored entries keep the board's text`).toEqual([])
    }
  }, 120_000)
})
