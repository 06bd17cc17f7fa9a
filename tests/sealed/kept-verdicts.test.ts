/**
 * Ana's device keeps the verdicts it reached (verdicts.ts `KeptVerdicts`),
 * believed only while her board opens and only on the terms they were
 * reached under, and saved a little after judging stops. These stories hand
 * it a store in memory and a fake clock; `verdicts.test.ts` tells the same
 * through the whole engine.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { decodeVerdicts, encodeVerdicts, holdsBack, KeptVerdicts, type VerdictStore, type Verdicts } from '../../src/sealed/verdicts.ts'

const kept: Verdicts = { signature: 'g1', entries: new Map([['alice post', { judgedWith: 'true/false', range: { from: 0, to: 4 } }]]) }

function store(bytes: Uint8Array | null = encodeVerdicts(kept)): VerdictStore & { saved: Uint8Array[] } {
  const saved: Uint8Array[] = []
  return { saved, load: () => Promise.resolve(bytes), save: (b) => (saved.push(b), Promise.resolve()) }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('kept verdicts while Ana’s board opens', () => {
  it('a kept verdict is believed for the same update judged with the same rights, and for nothing else', async () => {
    const v = new KeptVerdicts(store())
    expect(v.active).toBe(false)
    await v.load()
    expect(v.active).toBe(true)
    expect(v.for('alice post', 'true/true')).toBeUndefined()
    expect(v.for('bob post', 'true/false')).toBeUndefined()
    expect(v.for('alice post', 'true/false')).toEqual({ judgedWith: 'true/false', range: { from: 0, to: 4 } })
    v.drop()
    expect(v.active).toBe(false)
    expect(v.for('alice post', 'true/false')).toBeUndefined()
  })

  it('a store that fails, holds nothing or holds damaged bytes: nothing is believed', async () => {
    for (const s of [{ load: () => Promise.reject(new Error('disk')), save: () => Promise.resolve() }, store(null), store(Uint8Array.of(9, 9))]) {
      const v = new KeptVerdicts(s)
      await v.load()
      expect(v.active).toBe(false)
    }
    const none = new KeptVerdicts(undefined)
    await none.load()
    expect(none.active).toBe(false)
  })

  it('once open, they are believed no more; everything is judged again only if one was used under other decreases', async () => {
    const cases: [used: boolean, signature: string, again: boolean][] = [
      [true, 'g1|dbob:x', true],
      [true, 'g1', false],
      [false, 'g1|dbob:x', false],
    ]
    for (const [used, signature, again] of cases) {
      const v = new KeptVerdicts(store())
      await v.load()
      if (used) v.for('alice post', 'true/false')
      else v.for('alice post', 'true/true')
      expect(v.opened(signature), `used ${used}, ${signature}`).toBe(again)
      expect(v.active).toBe(false)
      expect(v.opened('other')).toBe(false)
    }
  })
})

describe('saving the verdicts', () => {
  const collect = (): Verdicts => kept

  it('saves what was collected only once something was judged since the last save', async () => {
    const s = store()
    const v = new KeptVerdicts(s)
    await v.save(collect)
    expect(s.saved).toEqual([])
    v.judged()
    await v.save(collect)
    expect(s.saved.map(decodeVerdicts)).toEqual([kept])
    await v.save(collect)
    expect(s.saved).toHaveLength(1)
  })

  it('a little after judging stops (2 s), once for a burst, and never after the board is closed', async () => {
    vi.useFakeTimers()
    const v = new KeptVerdicts(store())
    let saves = 0
    v.schedule(() => saves++)
    vi.advanceTimersByTime(10_000)
    expect(saves, 'nothing judged yet').toBe(0)
    v.judged()
    v.schedule(() => saves++)
    v.schedule(() => saves++)
    vi.advanceTimersByTime(1999)
    expect(saves).toBe(0)
    vi.advanceTimersByTime(1)
    expect(saves).toBe(1)
    v.schedule(() => saves++)
    vi.advanceTimersByTime(2000)
    expect(saves, 'scheduled again once the first save was queued').toBe(2)
    v.schedule(() => saves++)
    v.stop()
    vi.advanceTimersByTime(10_000)
    expect(saves).toBe(2)
    v.schedule(() => saves++)
    vi.advanceTimersByTime(10_000)
    expect(saves).toBe(2)
  })

  it('a closed board saves nothing; a device without a store neither schedules nor saves', async () => {
    const s = store()
    const v = new KeptVerdicts(s)
    v.judged()
    v.stop()
    await v.save(collect)
    expect(s.saved).toEqual([])
    vi.useFakeTimers()
    const none = new KeptVerdicts(undefined)
    none.judged()
    let saves = 0
    none.schedule(() => saves++)
    vi.advanceTimersByTime(10_000)
    await none.save(collect)
    expect(saves).toBe(0)
  })
})

describe('a doc that holds back part of what it was given', () => {
  it('structs whose ground is missing, or deletions of structs it does not have', () => {
    const alice = new Y.Doc()
    const updates: Uint8Array[] = []
    alice.on('update', (u: Uint8Array) => updates.push(u))
    alice.getMap('items').set('a', 1)
    alice.getMap('items').set('b', 2)
    alice.getMap('items').delete('a')
    const doc = new Y.Doc()
    expect(holdsBack(doc)).toBe(false)
    Y.applyUpdate(doc, updates[1]!)
    expect(holdsBack(doc)).toBe(true)
    Y.applyUpdate(doc, updates[0]!)
    expect(holdsBack(doc)).toBe(false)
    const other = new Y.Doc()
    Y.applyUpdate(other, updates[2]!)
    expect(holdsBack(other)).toBe(true)
  })
})
