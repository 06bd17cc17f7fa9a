/**
 * Bob's changes on his readable doc become his entries (local-writes.ts):
 * the changes of one task are sealed as one entry, split only where an
 * entry would pass its size limit; the engine's own writes are never sealed
 * again; his entries are compacted once enough of them are loose, and once
 * he has been quiet a while after something of his was deleted. Here the
 * sealing itself is a stand-in that records what it was given.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { LocalWrites } from '../../src/sealed/local-writes.ts'
import { LOCAL_ORIGIN, SEALED_ORIGIN } from '../../src/sealed/origins.ts'
import type { OwnEntries } from '../../src/sealed/own-entries.ts'
import { TaskQueue } from '../../src/sealed/task-queue.ts'

const LIMIT = 900 * 1024

/** Bob's Yjs client id. */
const BOB = 7
const bobsDoc = () => {
  const doc = new Y.Doc()
  doc.clientID = BOB
  return doc
}

/** Bob's device: his readable doc, what was sealed, how often his entries were compacted. */
function bobs(compactAfter = 1_000, compactsNothing = false, compactWhenQuiet = 0) {
  const tasks = new TaskQueue()
  const sealed: { update: Uint8Array; speculative: boolean }[] = []
  const own = {
    compactions: 0,
    /** Of those, the ones asked to fold in others' deletions with nothing loose. */
    folds: 0,
    loose: 0,
    async sealUpdate(update: Uint8Array, speculative: boolean) {
      sealed.push({ update, speculative })
      own.loose++
      return `bob.${sealed.length}`
    },
    /** Whether he has a snapshot (a compacted history). */
    snapshot: false,
    get holdsContent() {
      return own.loose > 0 || own.snapshot
    },
    /** Whether his history still holds something deleted (what a session closed before its quiet compaction left). */
    unfoldedNow: false,
    /** How often that was asked. */
    unfoldedReads: 0,
    unfolded: () => {
      own.unfoldedReads++
      return own.unfoldedNow
    },
    async compact({ fold = false } = {}) {
      own.compactions++
      if (fold) own.folds++
      if (!compactsNothing) own.loose = 0
    },
  }
  let readable = bobsDoc()
  let queued = 0
  const writes = new LocalWrites({
    own: own as unknown as OwnEntries,
    compactAfter,
    compactWhenQuiet,
    client: BOB,
    readable: () => readable,
    run: (task) => {
      queued++
      return tasks.run(task)
    },
  })
  return {
    writes,
    own,
    sealed,
    tasks,
    get readable() {
      return readable
    },
    replace: () => (readable = bobsDoc()),
    get queued() {
      return queued
    },
    /** Every change so far sealed, and what that started done. */
    settle: async () => {
      await Promise.resolve()
      await tasks.idle()
    },
  }
}

const post = (doc: Y.Doc, title: string, origin: unknown = null) => doc.transact(() => doc.getArray<string>('posts').push([title]), origin)
/** What a fresh doc shows once every sealed update is applied. */
const shown = (updates: readonly { update: Uint8Array }[]) => {
  const doc = new Y.Doc()
  for (const u of updates) Y.applyUpdate(doc, u.update)
  return doc.getArray<string>('posts').toArray()
}
describe('Bob’s changes become his entries', () => {
  it('the changes of one task are sealed as one entry, with nothing asked of him, as already in his doc', async () => {
    const bob = bobs()
    bob.writes.listen(bob.readable)
    post(bob.readable, 'Soup kitchen Friday')
    post(bob.readable, 'Bring blankets')
    await bob.settle()
    expect(bob.sealed.map((s) => s.speculative)).toEqual([true])
    expect(shown(bob.sealed)).toEqual(['Soup kitchen Friday', 'Bring blankets'])
    post(bob.readable, 'Lawyer on call')
    await bob.settle()
    expect(bob.sealed).toHaveLength(2)
    expect(shown(bob.sealed)).toEqual(['Soup kitchen Friday', 'Bring blankets', 'Lawyer on call'])
  })

  it('what the engine wrote, or what stays on this device, is never sealed; nothing to seal queues nothing', async () => {
    const bob = bobs()
    bob.writes.listen(bob.readable)
    post(bob.readable, 'Alice’s post, as the engine applied it', SEALED_ORIGIN)
    post(bob.readable, 'an expired item taken away here only', LOCAL_ORIGIN)
    bob.writes.flush()
    await bob.settle()
    expect(bob.sealed).toEqual([])
    expect(bob.queued).toBe(0)
  })

  it('changes made on a readable doc that a rebuild has replaced since are sealed as not yet in the doc', async () => {
    const bob = bobs()
    const before = bob.readable
    bob.writes.listen(before)
    post(before, 'Written as the board was rebuilt')
    bob.replace()
    await bob.settle()
    expect(bob.sealed.map((s) => s.speculative)).toEqual([false])
  })

  it('changes made in later tasks while his device is busy sealing join the sealing that waits: one entry, none sealed twice, nothing the engine wrote', async () => {
    const bob = bobs()
    let open!: () => void
    const gate = new Promise<void>((resolve) => (open = resolve))
    const seal = bob.own.sealUpdate
    bob.own.sealUpdate = async (update, speculative) => {
      const key = await seal(update, speculative)
      await gate
      return key
    }
    bob.writes.listen(bob.readable)
    const nextTask = () => new Promise((resolve) => setImmediate(resolve))
    post(bob.readable, 'Soup kitchen Friday')
    await nextTask()
    // The first is being sealed (its signature has not come back); each of these is made in a task of its own.
    post(bob.readable, 'Bring blankets')
    await nextTask()
    const alice = new Y.Doc()
    alice.getArray<string>('hers').push(['Alice’s post'])
    Y.applyUpdate(bob.readable, Y.encodeStateAsUpdate(alice), SEALED_ORIGIN)
    post(bob.readable, 'Lawyer on call')
    await nextTask()
    post(bob.readable, 'Spare coats')
    await nextTask()
    expect(bob.sealed).toHaveLength(1)
    open()
    await bob.settle()
    expect(bob.queued).toBe(2)
    expect(bob.sealed).toHaveLength(2)
    expect(shown(bob.sealed.slice(0, 1))).toEqual(['Soup kitchen Friday'])
    const { structs } = Y.decodeUpdate(bob.sealed[1]!.update)
    expect(structs.every((s) => s.id.client === BOB)).toBe(true)
    // Everything of his, once each.
    expect(shown(bob.sealed)).toEqual(['Soup kitchen Friday', 'Bring blankets', 'Lawyer on call', 'Spare coats'])
    // With nothing waiting, the next change is sealed in its own turn at once.
    post(bob.readable, 'Rides to the clinic')
    await bob.settle()
    expect(bob.sealed).toHaveLength(3)
  })

  it('the changes of one task are split between changes where an entry would pass 900 KiB, and only there', async () => {
    const bob = bobs()
    bob.writes.listen(bob.readable)
    // Posts pushed one after another: Yjs merges them into one struct, which the entries cut again.
    const posts = bob.readable.getArray<string>('posts')
    const KIB = 1024
    const count = (u: Uint8Array) => Y.decodeUpdate(u).structs.reduce((n, st) => n + st.length, 0)
    posts.push(['a'.repeat(LIMIT / 2 - KIB)])
    posts.push(['b'.repeat(LIMIT / 2 - KIB)])
    await bob.settle()
    expect(bob.sealed.map((x) => count(x.update)), 'under 900 KiB: one entry').toEqual([2])
    posts.push(['c'.repeat(LIMIT / 2)])
    posts.push(['d'.repeat(LIMIT / 2 + KIB)])
    posts.push(['e'.repeat(100)])
    await bob.settle()
    expect(bob.sealed.slice(1).map((x) => count(x.update)), 'over it: two, the second with what followed').toEqual([1, 2])
    expect(bob.sealed.every((x) => x.update.byteLength <= LIMIT)).toBe(true)
    posts.push(['f'.repeat(LIMIT + 1)])
    await bob.settle()
    expect(bob.sealed.slice(3).map((x) => count(x.update)), 'one change past the limit: one entry, and no empty one').toEqual([1])
    expect(shown(bob.sealed)).toEqual(posts.toArray())
  })

  it('a change that writes another client’s structs is sealed as Yjs encodes it, with his own of the same task, in one entry', async () => {
    const bob = bobs()
    bob.writes.listen(bob.readable)
    post(bob.readable, 'his first')
    const alice = new Y.Doc()
    alice.getArray<string>('posts').push(['Alice’s, pasted in'])
    Y.applyUpdate(bob.readable, Y.encodeStateAsUpdate(alice))
    post(bob.readable, 'his second')
    await bob.settle()
    expect(bob.sealed).toHaveLength(1)
    expect(shown(bob.sealed)).toEqual(bob.readable.getArray<string>('posts').toArray())
    expect(shown(bob.sealed)).toContain('Alice’s, pasted in')
    // Yjs was asked to encode that one transaction only.
    expect((bob.readable as unknown as { _observers: Map<string, unknown> })._observers.has('update')).toBe(false)
  })

  it('a task’s changes are not encoded one transaction at a time', async () => {
    const bob = bobs()
    bob.writes.listen(bob.readable)
    let encoded = 0
    const encode = Y.UpdateEncoderV1.prototype.toUint8Array
    Y.UpdateEncoderV1.prototype.toUint8Array = function (this: Y.UpdateEncoderV1) {
      encoded++
      return encode.call(this)
    }
    try {
      for (let i = 0; i < 50; i++) post(bob.readable, `post ${i}`)
      await bob.settle()
    } finally {
      Y.UpdateEncoderV1.prototype.toUint8Array = encode
    }
    expect(bob.sealed).toHaveLength(1)
    expect(encoded).toBe(1)
  })

  it('his entries are compacted once as many are loose as the board asks, by one compaction at a time', async () => {
    const bob = bobs(2)
    bob.writes.listen(bob.readable)
    post(bob.readable, 'first')
    await bob.settle()
    expect(bob.own.compactions, 'one loose entry').toBe(0)
    // Two sealings, the second queued once the first has begun (before, it would join it): the first starts a compaction,
    // the second finds it started.
    post(bob.readable, 'second')
    bob.writes.flush()
    await Promise.resolve()
    post(bob.readable, 'third')
    bob.writes.flush()
    await bob.settle()
    expect(bob.sealed).toHaveLength(3)
    expect(bob.own.compactions).toBe(1)
    post(bob.readable, 'fourth')
    post(bob.readable, 'fifth')
    await bob.settle()
    post(bob.readable, 'sixth')
    await bob.settle()
    expect(bob.own.compactions, 'once the first is done, another').toBe(2)
  })

  it('a compaction that could seal nothing (his entries stay loose) is tried again only after as many more are loose, not on every post', async () => {
    const bob = bobs(3, true)
    bob.writes.listen(bob.readable)
    for (let i = 1; i <= 8; i++) {
      post(bob.readable, `post ${i}`)
      await bob.settle()
    }
    // At 3 loose entries, then at 6 (3 more): not at 4, 5, 7 or 8.
    expect(bob.own.compactions).toBe(2)
    post(bob.readable, 'post 9')
    await bob.settle()
    expect(bob.own.compactions).toBe(3)
  })

  it('seals nothing once stopped, nor after the engine has let go of and taken back the doc', async () => {
    const bob = bobs()
    const doc = bob.readable
    bob.writes.attach(doc)
    post(doc, 'before listening')
    bob.writes.listen(doc)
    bob.writes.detach(doc)
    post(doc, 'while the engine writes')
    bob.writes.attach(doc)
    const before = { update: Y.encodeStateAsUpdate(doc) }
    const from = Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID)
    post(doc, 'after')
    bob.writes.stop(doc)
    bob.writes.detach(doc)
    bob.writes.attach(doc)
    post(doc, 'after stopping')
    await bob.settle()
    expect(bob.sealed).toHaveLength(1)
    expect(shown([before, ...bob.sealed])).toEqual(['before listening', 'while the engine writes', 'after'])
    // Only the change made while listening: nothing written before it, or while the engine held the doc.
    expect(Y.decodeUpdate(bob.sealed[0]!.update).structs.map((s) => s.id.clock)).toEqual([from])
  })

  describe('once he has been quiet a while after something of his was deleted', () => {
    afterEach(() => {
      vi.useRealTimers()
    })
    const QUIET = 30_000
    /** Bob deletes his first post (as an edit deletes the text it replaces). */
    const unpost = (doc: Y.Doc) => doc.getArray<string>('posts').delete(0, 1)

    it('a session that only adds posts starts no compaction; one that deletes his text does, once, when nothing was written for the quiet time', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      const bob = bobs(1_000, false, QUIET)
      bob.writes.listen(bob.readable)
      for (let i = 0; i < 3; i++) {
        post(bob.readable, `post ${i}`)
        await bob.settle()
      }
      vi.advanceTimersByTime(10 * QUIET)
      await bob.settle()
      expect(bob.own.compactions, 'posts only').toBe(0)
      unpost(bob.readable)
      await bob.settle()
      // He goes on writing: each write starts the wait again.
      for (let i = 0; i < 5; i++) {
        vi.advanceTimersByTime(QUIET - 1_000)
        await bob.settle()
        post(bob.readable, `more ${i}`)
        await bob.settle()
      }
      expect(bob.sealed).toHaveLength(9)
      expect(bob.own.compactions, 'not while he writes').toBe(0)
      vi.advanceTimersByTime(QUIET)
      await bob.settle()
      expect([bob.own.compactions, bob.own.folds, bob.own.loose]).toEqual([1, 1, 0])
      // Quiet again, nothing deleted since: nothing to do.
      post(bob.readable, 'after the break')
      await bob.settle()
      vi.advanceTimersByTime(10 * QUIET)
      await bob.settle()
      expect(bob.own.compactions).toBe(1)
    })

    it('a deletion that a compaction after enough loose entries has folded in starts no second one', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      const bob = bobs(3, false, QUIET)
      bob.writes.listen(bob.readable)
      post(bob.readable, 'one')
      await bob.settle()
      unpost(bob.readable)
      await bob.settle()
      post(bob.readable, 'three')
      await bob.settle()
      expect([bob.own.compactions, bob.own.folds], 'at 3 loose entries').toEqual([1, 0])
      vi.advanceTimersByTime(10 * QUIET)
      await bob.settle()
      expect(bob.own.compactions).toBe(1)
    })

    it('nothing is compacted once the board is closed, and with no quiet time given, only after as many loose entries as the board asks', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      const closing = bobs(1_000, false, QUIET)
      closing.writes.listen(closing.readable)
      post(closing.readable, 'last words')
      unpost(closing.readable)
      await closing.settle()
      expect(vi.getTimerCount()).toBe(1)
      closing.writes.stop(closing.readable)
      vi.advanceTimersByTime(10 * QUIET)
      await closing.settle()
      expect(closing.own.compactions).toBe(0)
      expect(vi.getTimerCount(), 'no timer left behind').toBe(0)

      const never = bobs(1_000, false, 0)
      never.writes.listen(never.readable)
      post(never.readable, 'a post')
      unpost(never.readable)
      await never.settle()
      expect(vi.getTimerCount()).toBe(0)
      vi.advanceTimersByTime(10 * QUIET)
      await never.settle()
      expect(never.own.compactions).toBe(0)
    })

    it('a session that ended before its quiet compaction: the next one compacts once quiet, if his history still holds something deleted', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      const adds = bobs(1_000, false, QUIET)
      adds.own.loose = 3
      adds.writes.listen(adds.readable)
      vi.advanceTimersByTime(10 * QUIET)
      await adds.settle()
      expect([adds.own.compactions, adds.own.unfoldedReads], 'loose posts only').toEqual([0, 1])

      const edited = bobs(1_000, false, QUIET)
      edited.own.loose = 3
      edited.own.unfoldedNow = true
      edited.writes.listen(edited.readable)
      expect(edited.own.unfoldedReads, 'not read while the board opens').toBe(0)
      vi.advanceTimersByTime(QUIET - 1)
      await edited.settle()
      expect(edited.own.compactions).toBe(0)
      vi.advanceTimersByTime(1)
      await edited.settle()
      expect([edited.own.compactions, edited.own.folds, edited.own.unfoldedReads]).toEqual([1, 1, 1])

      // Nothing loose, only a snapshot: a takedown heard just before the board closed is folded in as well.
      const takenDown = bobs(1_000, false, QUIET)
      takenDown.own.snapshot = true
      takenDown.own.unfoldedNow = true
      takenDown.writes.listen(takenDown.readable)
      vi.advanceTimersByTime(QUIET)
      await takenDown.settle()
      expect([takenDown.own.compactions, takenDown.own.folds, takenDown.own.unfoldedReads]).toEqual([1, 1, 1])

      // Nothing of his on the board, or no quiet time: it is not even asked.
      const none = bobs(1_000, false, QUIET)
      none.own.unfoldedNow = true
      none.writes.listen(none.readable)
      const off = bobs(1_000, false, 0)
      off.own.loose = 3
      off.own.unfoldedNow = true
      off.writes.listen(off.readable)
      vi.advanceTimersByTime(10 * QUIET)
      await none.settle()
      await off.settle()
      expect([none.own.compactions, none.own.unfoldedReads]).toEqual([0, 0])
      expect([off.own.compactions, off.own.unfoldedReads]).toEqual([0, 0])
    })

    it('when another device deletes some of his structs (a moderator takes his post down), his history is folded once he has been quiet, with nothing loose', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      const bob = bobs(1_000, false, QUIET)
      bob.writes.listen(bob.readable)
      post(bob.readable, 'Tonight at 14 Elm Street')
      post(bob.readable, 'Soup on Friday')
      await bob.settle()
      bob.own.loose = 0
      // Ana's entry, applied by the engine: it deletes one of Bob's structs.
      const ana = new Y.Doc()
      Y.applyUpdate(ana, Y.encodeStateAsUpdate(bob.readable))
      ana.getArray<string>('posts').delete(0, 1)
      Y.applyUpdate(bob.readable, Y.encodeStateAsUpdate(ana, Y.encodeStateVector(bob.readable)), SEALED_ORIGIN)
      await bob.settle()
      vi.advanceTimersByTime(QUIET - 1)
      await bob.settle()
      expect(bob.own.compactions).toBe(0)
      vi.advanceTimersByTime(1)
      await bob.settle()
      expect([bob.own.compactions, bob.own.folds]).toEqual([1, 1])
      // Her new post deletes nothing of his: no fold for it.
      ana.getArray<string>('posts').push(['Bring blankets'])
      Y.applyUpdate(bob.readable, Y.encodeStateAsUpdate(ana, Y.encodeStateVector(bob.readable)), SEALED_ORIGIN)
      vi.advanceTimersByTime(10 * QUIET)
      await bob.settle()
      expect(bob.own.compactions, 'nothing of his deleted since').toBe(1)
      expect(bob.sealed, 'what the engine applied is not sealed again').toHaveLength(1)
    })
  })
})
