/**
 * The judge reads updates with its own light reader (update-reader.ts), and
 * Yjs integrates them with its own: the two must read the same structs, or a
 * crafted update could be judged as one thing and applied as another. Checked
 * against `Y.decodeUpdate` on updates of every kind of content Yjs writes,
 * from a seeded generator, and on the same updates damaged byte by byte: the
 * light reader reads exactly what Yjs reads, throws wherever Yjs throws, and
 * throws too where Yjs would read past the end of the update.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ColumnsReading, readColumns, structsAhead, UpdateColumns } from '../../src/sealed/update-reader.ts'
import { readUpdate, type ReadUpdate } from './read-update.ts'
import { Prng } from '../core/prng.ts'
import { randomUpdates } from './random-updates.ts'
import { gc, handUpdate, id, item } from './hand-update.ts'

/** What `Y.decodeUpdate` reads, in the light reader's terms. */
function yjsReads(update: Uint8Array): Omit<ReadUpdate, 'blocks'> {
  const { structs, ds } = Y.decodeUpdate(update) as unknown as { structs: (Y.Item | Y.GC | Y.Skip)[]; ds: { clients: Map<number, { clock: number; len: number }[]> } }
  return {
    structs: structs.map((s) => {
      const base = { client: s.id.client, clock: s.id.clock, length: s.length }
      if (!(s instanceof Y.Item)) return { ...base, ref: s instanceof Y.GC ? 0 : 10, origin: null, rightOrigin: null, parent: null, parentSub: null, isMap: false, loneFalse: false }
      const c = s.content
      return {
        ...base,
        ref: c.getRef(),
        origin: s.origin,
        rightOrigin: s.rightOrigin,
        parent: s.parent as unknown as string | Y.ID | null,
        parentSub: s.parentSub,
        isMap: c instanceof Y.ContentType && c.type instanceof Y.Map,
        loneFalse: c instanceof Y.ContentAny && c.arr.length === 1 && c.arr[0] === false,
      }
    }),
    ds: new Map([...ds.clients].map(([client, ranges]) => [client, ranges.map((r) => ({ clock: r.clock, len: r.len }))])),
  }
}

const plain = (r: Omit<ReadUpdate, 'blocks'>) => ({ structs: r.structs.map((s) => ({ ...s })), ds: r.ds })
const attempt = <T>(f: () => T): T | Error => {
  try {
    return f()
  } catch (e) {
    return e as Error
  }
}

/** Damaged copies of an update: a byte changed, one cut off, one added. */
function damaged(rng: Prng, update: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let k = 0; k < 6; k++) {
    const at = rng.int(update.length)
    const copy = update.slice()
    copy[at] = rng.pick([0, 1, 7, 8, 10, 42, 116, 119, 121, 127, 128, 255, rng.int(256)])
    out.push(copy)
  }
  out.push(update.subarray(0, rng.int(update.length)))
  // A view into a longer buffer: Yjs must never read past the update's own end.
  const longer = new Uint8Array(update.length + 8).fill(121)
  longer.set(update)
  out.push(longer.subarray(0, Math.max(0, update.length - 1 - rng.int(4))))
  return out
}

describe('the judge’s reader reads what Yjs reads', () => {
  it('on updates of every kind of content Yjs writes, from three clients', () => {
    const rng = new Prng(0xdeca)
    let structs = 0
    const refs = new Set<number>()
    for (let round = 0; round < 80; round++) {
      for (const update of randomUpdates(rng)) {
        const mine = readUpdate(update)
        expect(plain(mine)).toEqual(plain(yjsReads(update)))
        structs += mine.structs.length
        for (const s of mine.structs) refs.add(s.ref)
      }
    }
    expect(structs).toBeGreaterThan(1500)
    // Garbage, deleted, binary, string, embed, format, type, any and subdocument content were all read.
    expect([...refs].sort((a, b) => a - b)).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 9])
  })

  it('on the same updates damaged: whatever it reads, Yjs reads the same; wherever Yjs throws, it throws', () => {
    const rng = new Prng(0xbad)
    const outcomes = { same: 0, bothThrow: 0, stricter: 0 }
    for (let round = 0; round < 40; round++) {
      for (const update of randomUpdates(rng)) {
        for (const bytes of damaged(rng, update)) {
          const mine = attempt(() => readUpdate(bytes))
          const yjs = attempt(() => yjsReads(bytes))
          const what = Buffer.from(bytes).toString('hex')
          if (!(mine instanceof Error)) {
            // One case reads differently and is refused by the judge either way: info with ref 10 and flags is a
            // skip to Yjs's integration (and to this reader), an error to `Y.decodeUpdate`.
            if (yjs instanceof Error && mine.structs.some((s) => s.ref === 10)) continue
            expect(yjs, what).not.toBeInstanceOf(Error)
            expect(plain(mine), what).toEqual(plain(yjs as Omit<ReadUpdate, 'blocks'>))
            outcomes.same++
          } else if (yjs instanceof Error) outcomes.bothThrow++
          else outcomes.stricter++
        }
      }
    }
    expect(outcomes.same).toBeGreaterThan(200)
    expect(outcomes.bothThrow).toBeGreaterThan(200)
  })

  it('checks a value’s text is UTF-8 exactly as Yjs does, without decoding it: every byte pair, and 40,000 four-byte runs', () => {
    const BYTES = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff]
    // A value holding 4 bytes of text, an object whose one key is 4 bytes, and a text followed by a struct whose
    // first byte (0x88: it has a left neighbour) looks like a continuation byte: the run replaces the 4 bytes.
    const holders = [new Y.ContentAny(['____']), new Y.ContentAny([{ ____: 1 }])].map((content) => handUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: 'm', key: 'k' }, content)] }]))
    holders.push(handUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: 'm', key: 'k' }, new Y.ContentAny(['____'])), item(5, 1, { origin: id(5, 0) }, new Y.ContentAny([1]))] }]))
    const at = holders.map((h) => Buffer.from(h).indexOf('____'))
    const read = { valid: 0, invalid: 0 }
    const agree = (run: number[]) => {
      for (const [h, holder] of holders.entries()) {
        const bytes = holder.slice()
        bytes.set(run, at[h]!)
        const yjs = attempt(() => Y.decodeUpdate(bytes))
        const mine = attempt(() => readUpdate(bytes))
        expect(mine instanceof Error, `${run.map((b) => b.toString(16)).join(' ')}: Yjs ${yjs instanceof Error ? 'throws' : 'reads it'}`).toBe(yjs instanceof Error)
        read[yjs instanceof Error ? 'invalid' : 'valid']++
      }
    }
    expect(at.every((i) => i > 0)).toBe(true)
    for (const a of BYTES) for (const b of BYTES) agree([0x41, 0x41, a, b])
    const rng = new Prng(0x0f8)
    for (let i = 0; i < 40_000; i++) {
      if (i % 3 > 0) agree([0, 1, 2, 3].map(() => (rng.int(4) === 0 ? rng.int(256) : rng.pick(BYTES))))
      else {
        // A code point written in UTF-8, after 0–3 letters, each byte maybe changed.
        const run = [...new TextEncoder().encode('AAA'.slice(0, 3 - rng.int(4)) + String.fromCodePoint(rng.int(0x110000)))].slice(-4)
        while (run.length < 4) run.unshift(0x41)
        if (rng.int(2) === 0) run[rng.int(4)] = rng.pick(BYTES)
        agree(run)
      }
    }
    expect(read.valid).toBeGreaterThan(5000)
    expect(read.invalid).toBeGreaterThan(5000)
  }, 60_000)

  it('on one update of hundreds of structs (the reader’s columns grow as it reads), and on a small one read right after it', () => {
    const doc = new Y.Doc()
    doc.clientID = 2 ** 40 + 7
    const posts = doc.getMap<Y.Map<unknown>>('items')
    for (let i = 0; i < 150; i++) posts.set(`post-${i}`, new Y.Map<unknown>([['title', `Post ${i}`], ['pinned', false], ['tags', ['a', i]]]))
    for (let i = 0; i < 150; i += 3) posts.get(`post-${i}`)!.set('title', `Post ${i}, edited`)
    for (let i = 0; i < 150; i += 7) posts.delete(`post-${i}`)
    const big = Y.encodeStateAsUpdate(doc)
    const small = handUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: 'items', key: 'k' }, new Y.ContentAny(['x']))] }])
    expect(readUpdate(big).structs.length).toBeGreaterThan(500)
    expect(plain(readUpdate(big))).toEqual(plain(yjsReads(big)))
    expect(plain(readUpdate(small))).toEqual(plain(yjsReads(small)))
  })

  it('on an update of 70,000 structs, more than the reader keeps room for between reads, and on the small ones read after it', () => {
    const huge = handUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: 'items', key: 'k' }, new Y.ContentAny([1])), ...Array.from({ length: 70_000 }, (_, i) => gc(5, i + 1, 1))] }])
    const small = handUpdate([{ client: 6, clock: 0, structs: [item(6, 0, { parent: id(5, 0), key: 'title' }, new Y.ContentAny(['x']))] }])
    const read = readUpdate(huge)
    expect(read.structs).toHaveLength(70_001)
    expect(plain(read)).toEqual(plain(yjsReads(huge)))
    for (let i = 0; i < 2; i++) expect(plain(readUpdate(small))).toEqual(plain(yjsReads(small)))
    // Room for the huge one is not kept once a small one is read.
    readUpdate(huge)
    expect(readColumns(small).client.length).toBeLessThanOrEqual(65_536)
  }, 60_000)

  it('makes room at once for as many structs as a one-block update says it holds (a whole history: the columns never double while it is judged), never more than one per 16 bytes', () => {
    const doc = new Y.Doc()
    doc.clientID = 9
    const map = doc.getMap('items')
    doc.transact(() => {
      for (let i = 0; i < 70_000; i++) map.set(`key-${String(i).padStart(6, '0')}`, i)
    })
    const update = Y.encodeStateAsUpdate(doc)
    expect(structsAhead(update)).toBe(70_000)
    const reading = new ColumnsReading(update, new UpdateColumns())
    expect(reading.columns.client.length).toBe(70_000)
    expect(reading.read(Infinity)).toBe(true)
    expect(reading.columns.count).toBe(70_000)
    expect(reading.columns.client.length).toBe(70_000)
    // A block that claims more than its bytes could hold gets room for one struct per 16 bytes.
    const claim = new Uint8Array([1, 0xff, 0xff, 0xff, 0x7f, 5, 0, ...new Uint8Array(400)])
    expect(structsAhead(claim)).toBe(claim.length >> 4)
    expect(structsAhead(Y.encodeStateAsUpdate(new Y.Doc()))).toBe(0)
    // Bytes that are no update: what the read would have made room for, before it throws.
    expect(structsAhead(new Uint8Array([0xff]))).toBe(0)
  })

  it('keeps no name of an earlier update in the columns, also when the next read throws half-way', () => {
    const keyed = (client: number, n: number) => handUpdate([{ client, clock: 0, structs: Array.from({ length: n }, (_, i) => item(client, i, { parent: id(7, i), key: `field-${client}-${i}` }, new Y.ContentAny([i]))) }])
    const names = (c: ReturnType<typeof readColumns>) => c.parentSub.filter((n) => n !== null)
    expect(names(readColumns(keyed(5, 40)))).toHaveLength(40)
    expect(names(readColumns(keyed(6, 3)))).toEqual(['field-6-0', 'field-6-1', 'field-6-2'])
    // Forty names, then an update that stops short a quarter of the way: after the next read, none of either stays.
    readColumns(keyed(8, 40))
    const cut = keyed(9, 40)
    expect(() => readColumns(cut.subarray(0, Math.floor(cut.length / 4)))).toThrow()
    const left = readColumns(keyed(6, 1))
    expect(names(left)).toEqual(['field-6-0'])
    expect(left.parentName.every((n) => n === null)).toBe(true)
  })

  it('a kept name is never taken for an arriving one whose bytes just before it look like the kept one', () => {
    // The byte before a field name is its length (2): a kept "c\u0002" matches, read backwards from an arriving
    // "cX", the bytes "c" and 2. Over every first letter and every printable second one, many pairs share slots.
    const update = (key: string) => handUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: id(7, 0), key }, new Y.ContentAny([1]))] }])
    const read: string[] = []
    const expected: string[] = []
    for (let first = 0x61; first <= 0x7a; first++) {
      for (let second = 0x20; second <= 0x7e; second++) {
        const kept = String.fromCharCode(first, 2)
        const arriving = String.fromCharCode(first, second)
        read.push(readUpdate(update(kept)).structs[0]!.parentSub!, readUpdate(update(arriving)).structs[0]!.parentSub!)
        expected.push(kept, arriving)
      }
    }
    expect(read).toEqual(expected)
  })

  it('names that share a slot of the kept names are each read as themselves, prefixes of each other included', () => {
    // 572 names, far more than the 256 the reader keeps: they share slots and push each other out, and many are
    // prefixes of others.
    const over = (letters: string, max: number) => {
      const out: string[] = []
      const grow = (s: string) => {
        if (s.length > 0) out.push(s)
        if (s.length < max) for (const l of letters) grow(s + l)
      }
      grow('')
      return out
    }
    const names = [...over('a!', 5), ...over('ab', 8)]
    const rng = new Prng(0x51075)
    const order = Array.from({ length: 4 * names.length }, () => rng.pick(names))
    const read = order.map((key) => readUpdate(handUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: id(7, 0), key }, new Y.ContentAny([1]))] }])).structs[0]!.parentSub)
    expect(read).toEqual(order)
  })

  it('JSON content (written by old Yjs versions), blocks, and what it refuses to read', () => {
    const json = handUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: 'list' }, new Y.ContentJSON([{ a: 1 }, 'x', undefined])), item(5, 3, { origin: id(5, 2) }, new Y.ContentDeleted(2))] }])
    expect(plain(readUpdate(json))).toEqual(plain(yjsReads(json)))
    expect(readUpdate(json).structs.map((s) => [s.ref, s.length])).toEqual([
      [2, 3],
      [1, 2],
    ])
    const twoBlocks = handUpdate([
      { client: 5, clock: 0, structs: [item(5, 0, { parent: 'm', key: 'k' }, new Y.ContentAny([false]))] },
      { client: 6, clock: 0, structs: [] },
    ])
    expect(readUpdate(twoBlocks)).toMatchObject({ blocks: 2, structs: [{ loneFalse: true }] })
    // Field names differing in their last byte only, read one after another, each read as itself.
    const named = ['pinned', 'pinnee', 'pinned', 'Pinned', 'pinne', 'pinned'].map((key) => handUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: 'm', key }, new Y.ContentAny([1]))] }]))
    expect(named.map((u) => readUpdate(u).structs[0]!.parentSub)).toEqual(['pinned', 'pinnee', 'pinned', 'Pinned', 'pinne', 'pinned'])
    // More names than the reader keeps, of every length it keeps and past it, read round and round: each read as itself.
    const many = Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 'f' : i % 3 === 1 ? 'field-' : 'x'.repeat(38)) + String(i))
    const manyUpdates = many.map((key) => handUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: id(7, 0), key }, new Y.ContentAny([1]))] }]))
    for (let round = 0; round < 3; round++) expect(manyUpdates.map((u) => readUpdate(u).structs[0]!.parentSub)).toEqual(many)
    // A subdocument whose options are null: Yjs throws on it when it integrates it.
    const subdoc = Uint8Array.from([1, 1, 5, 0, 9, 1, 1, 109, 1, 103, 126, 0])
    expect(() => Y.applyUpdate(new Y.Doc(), subdoc)).toThrow(TypeError)
    expect(() => readUpdate(subdoc)).toThrow(TypeError)
    // An XML hook names itself after its type: read, the struct after it is read as itself.
    const hook = handUpdate([{ client: 5, clock: 0, structs: [item(5, 0, { parent: 'm', key: 'h' }, new Y.ContentType(new Y.XmlHook('hook'))), item(5, 1, { parent: 'm', key: 'after' }, new Y.ContentAny([1]))] }])
    expect(readUpdate(hook).structs.map((s) => s.parentSub)).toEqual(['h', 'after'])
    // Undefined options (127), the same.
    const undefinedOptions = Uint8Array.from([1, 1, 5, 0, 9, 1, 1, 109, 1, 103, 127, 0])
    expect(() => Y.applyUpdate(new Y.Doc(), undefinedOptions)).toThrow(TypeError)
    expect(() => readUpdate(undefinedOptions)).toThrow(TypeError)
  })
})
