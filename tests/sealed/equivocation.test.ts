/**
 * Eve signs two entries that cannot both be honest and hands one to Alice,
 * the other to Bob. The pair is proof against her: these are the rules that
 * decide when a pair proves it, and what a stored proof must hold, on their
 * own (the engine's stories are in sealed-board.test.ts and authority.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { deviceTag, generateDeviceKeys, importContentKey, importDeviceSigner, sealEntry, type EntryHeader } from '../../src/crypto/index.ts'
import { entryKey, proofKey, seqOfKey, tagOfKey, MAX_KEY_LENGTH } from '../../src/sealed/entry-key.ts'
import { conflictAt, encodeProof, verifyProof } from '../../src/sealed/equivocation.ts'

const BOARD = Uint8Array.from({ length: 16 }, (_, i) => i + 1)
const OTHER_BOARD = Uint8Array.from({ length: 16 }, (_, i) => i + 2)
const author = new Uint8Array(32)
const h = (kind: EntryHeader['kind'], from: number, seq = from): EntryHeader => ({ kind, boardId: BOARD, keyId: new Uint8Array(8), author, from, seq })

describe('when two entries of one author cannot both be honest', () => {
  it('two different entries for one sequence number: in dispute from there', () => {
    expect(conflictAt(h('update', 5), h('update', 5))).toBe(5)
    expect(conflictAt(h('snapshot', 2, 6), h('snapshot', 2, 6))).toBe(2)
  })

  it('entries for different sequence numbers, side by side, are no conflict', () => {
    expect(conflictAt(h('update', 3), h('update', 4))).toBeNull()
    expect(conflictAt(h('update', 4), h('update', 3))).toBeNull()
    expect(conflictAt(h('snapshot', 1, 3), h('snapshot', 4, 6))).toBeNull()
    expect(conflictAt(h('snapshot', 4, 6), h('snapshot', 1, 3))).toBeNull()
  })

  it('a snapshot stands for the content it covers, edges included, whichever comes first', () => {
    for (const inner of [h('update', 1), h('update', 3), h('update', 5), h('legacy', 3), h('snapshot', 2, 4), h('snapshot', 1, 4), h('snapshot', 2, 5)]) {
      expect(conflictAt(h('snapshot', 1, 5), inner)).toBeNull()
      expect(conflictAt(inner, h('snapshot', 1, 5))).toBeNull()
    }
  })

  it('a snapshot over a membership change or a join is a lie from that entry on', () => {
    expect(conflictAt(h('snapshot', 1, 5), h('control', 3))).toBe(3)
    expect(conflictAt(h('join', 1), h('snapshot', 1, 5))).toBe(1)
    expect(conflictAt(h('snapshot', 1, 5), h('request', 5))).toBe(5)
  })

  it('snapshots that overlap without one holding the other: in dispute from where they meet', () => {
    expect(conflictAt(h('snapshot', 1, 5), h('snapshot', 3, 8))).toBe(3)
    expect(conflictAt(h('snapshot', 3, 8), h('snapshot', 1, 5))).toBe(3)
    expect(conflictAt(h('snapshot', 1, 3), h('snapshot', 3, 6))).toBe(3)
    expect(conflictAt(h('snapshot', 3, 6), h('snapshot', 1, 3))).toBe(3)
  })
})

describe('a proof kept in the shared map', () => {
  async function eve() {
    const keys = await generateDeviceKeys()
    const signer = await importDeviceSigner(keys)
    const cipher = await importContentKey(new Uint8Array(32).fill(9))
    const seal = (header: Partial<EntryHeader>, text: string) =>
      sealEntry({ ...h('update', 4), author: keys.signPublic, ...header }, new TextEncoder().encode(text), cipher, signer)
    return { keys, tag: deviceTag(keys.signPublic), seal }
  }

  it('two versions of Eve’s entry 4 prove, on every device, that everything she signed from 4 on is void', async () => {
    const e = await eve()
    // Two versions of one length: only their bytes tell them apart.
    const forAlice = await e.seal({}, 'meeting at the cafe')
    const forBob = await e.seal({}, 'meeting at the park')
    expect(forAlice.length).toBe(forBob.length)
    expect(await verifyProof(encodeProof(forAlice, forBob), BOARD)).toEqual({ author: e.tag, from: 4 })
    // Read from inside a larger buffer, as the shared map hands it out.
    const proof = encodeProof(forAlice, forBob)
    const larger = new Uint8Array(proof.length + 20)
    larger.set(proof, 7)
    expect(await verifyProof(larger.subarray(7, 7 + proof.length), BOARD)).toEqual({ author: e.tag, from: 4 })
  })

  it('is refused when it proves nothing: one entry twice, two authors, another board, no conflict, a bad signature', async () => {
    const e = await eve()
    const other = await eve()
    const a = await e.seal({}, 'one')
    const b = await e.seal({}, 'two')
    expect(await verifyProof(encodeProof(a, a), BOARD)).toBeNull()
    expect(await verifyProof(encodeProof(a, await other.seal({}, 'two')), BOARD)).toBeNull()
    expect(await verifyProof(encodeProof(a, b), OTHER_BOARD)).toBeNull()
    expect(await verifyProof(encodeProof(a, await e.seal({ boardId: OTHER_BOARD }, 'two')), BOARD)).toBeNull()
    expect(await verifyProof(encodeProof(await e.seal({ boardId: OTHER_BOARD }, 'two'), a), BOARD)).toBeNull()
    expect(await verifyProof(encodeProof(a, await e.seal({ from: 5, seq: 5 }, 'next')), BOARD)).toBeNull()
    for (const which of [0, 1]) {
      const forged = [new Uint8Array(a), new Uint8Array(b)]
      forged[which]![forged[which]!.length - 1]! ^= 1
      expect(await verifyProof(encodeProof(forged[0]!, forged[1]!), BOARD), `entry ${which} forged`).toBeNull()
    }
  })

  it('is refused, without throwing, when its framing is off', async () => {
    const e = await eve()
    const a = await e.seal({}, 'one')
    const b = await e.seal({}, 'two')
    const proof = encodeProof(a, b)
    expect(await verifyProof('proof', BOARD)).toBeNull()
    expect(await verifyProof('a string far longer than eight', BOARD)).toBeNull()
    expect(await verifyProof(new Uint8Array(3), BOARD)).toBeNull()
    expect(await verifyProof(new Uint8Array(7), BOARD)).toBeNull()
    expect(await verifyProof(new Uint8Array(8), BOARD)).toBeNull()
    expect(await verifyProof(new Uint8Array([...proof, 0]), BOARD)).toBeNull()
    expect(await verifyProof(proof.subarray(0, proof.length - 1), BOARD)).toBeNull()
    // The first length runs past the end.
    const long = new Uint8Array(proof)
    new DataView(long.buffer).setUint32(0, proof.length)
    expect(await verifyProof(long, BOARD)).toBeNull()
    // The first length leaves exactly no room for the second one.
    const tight = new Uint8Array(proof)
    new DataView(tight.buffer).setUint32(0, proof.length - 8)
    expect(await verifyProof(tight, BOARD)).toBeNull()
    // The second length says less than what follows: the rest is not read as the second entry.
    const short = new Uint8Array(proof)
    new DataView(short.buffer).setUint32(4 + a.length, b.length - 1)
    expect(await verifyProof(short, BOARD)).toBeNull()
    // Two well-framed pieces that are not entries.
    expect(await verifyProof(encodeProof(new Uint8Array(3), b), BOARD)).toBeNull()
    expect(await verifyProof(encodeProof(a, new Uint8Array(3)), BOARD)).toBeNull()
  })
})

describe('keys of the shared map', () => {
  const tag = 'AbCdEfGh_-1'

  it('name the author and the sequence numbers, a snapshot its whole range; a proof the author alone', () => {
    const author = Uint8Array.from({ length: 32 }, (_, i) => i)
    const t = deviceTag(author)
    expect(entryKey({ author, kind: 'update', from: 7, seq: 7 })).toBe(`${t}.7`)
    expect(entryKey({ author, kind: 'snapshot', from: 3, seq: 9 })).toBe(`${t}.3-9`)
    expect(proofKey(t)).toBe(`!${t}`)
    expect(MAX_KEY_LENGTH).toBe(64)
  })

  it('give back their author tag only when it is exactly one', () => {
    expect(tagOfKey(`${tag}.5`)).toBe(tag)
    expect(tagOfKey(`${tag}.3-9`)).toBe(tag)
    expect(tagOfKey(`!${tag}`)).toBe(tag)
    expect(tagOfKey(tag)).toBe(tag)
    for (const key of [`!!${tag}`, `x${tag}.5`, `${tag}x.5`, `${tag.slice(1)}.5`, `${tag}-5`, `${tag.slice(0, 10)}+.5`, '']) expect(tagOfKey(key), key).toBeNull()
  })

  it('give back the sequence number they end at, or 0', () => {
    expect(seqOfKey(`${tag}.5`)).toBe(5)
    expect(seqOfKey(`${tag}.12`)).toBe(12)
    expect(seqOfKey(`${tag}.3-19`)).toBe(19)
    expect(seqOfKey(`${tag}.12-19`)).toBe(19)
    for (const key of [`!${tag}`, `${tag}.5x`, `${tag}.x`, `${tag}.5.x`, `${tag}5`, `${tag}.3-`]) expect(seqOfKey(key), key).toBe(0)
  })
})
