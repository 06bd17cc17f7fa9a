/**
 * A whole old board (a `legacy` entry) is judged from its bytes alone
 * (legacy-judge.ts): it may change what nobody owned, never what anyone
 * wrote since under a key-bound client id. The engine's story of four forged
 * old boards is in rejections.test.ts; these are the paths it does not take.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { BOARD_RULES } from '../../src/app/board-rules.ts'
import { judgeLegacy } from '../../src/sealed/legacy-judge.ts'
import { handUpdate, id, item, skip, value } from './hand-update.ts'
import { rules } from './judge-fixture.ts'

/** Alice's client id since boards had members: 53 bits of her key's hash, at or above 2^32. */
const ALICE = 2 ** 40 + 101
const OLD = 909

describe('a whole old board', () => {
  it('adds a field to Alice’s post (placed in her post’s map, with no neighbour): refused, it builds on what she wrote', () => {
    const field = handUpdate([{ client: OLD, clock: 0, structs: [item(OLD, 0, { parent: id(ALICE, 0), key: 'place' }, value('The police station'))] }])
    expect(judgeLegacy(rules, field)).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit', detail: 'builds on what a member wrote' })
    // The same field in a post nobody owned is the old board's own.
    const oldPost = handUpdate([{ client: OLD, clock: 0, structs: [item(OLD, 0, { parent: id(OLD + 1, 0), key: 'place' }, value('The hall'))] }])
    expect(judgeLegacy(rules, oldPost)).toMatchObject({ kind: 'accept' })
  })

  it('written by a device whose old client id was 0, built on a later clock of its own: refused, Yjs cannot integrate it', () => {
    const forward = handUpdate([{ client: 0, clock: 0, structs: [item(0, 0, { parent: 'items', key: 'old/1' }, value('a')), item(0, 1, { origin: id(0, 2) }, value('b')), item(0, 2, { origin: id(0, 0) }, value('c'))] }])
    expect(judgeLegacy(rules, forward)).toMatchObject({ kind: 'refuse', reason: 'bad_payload', detail: 'builds on a later struct of its own' })
    expect(() => Y.applyUpdate(new Y.Doc(), forward)).toThrow()
  })

  it('a key naming Alice counts only in the items root: the same key in the board’s old `meta` is nobody’s post', () => {
    const inItems = handUpdate([{ client: OLD, clock: 0, structs: [item(OLD, 0, { parent: 'items', key: 'alice/9' }, value('x'))] }])
    expect(judgeLegacy(rules, inItems)).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit', detail: 'writes under a key that names a member' })
    const inMeta = handUpdate([{ client: OLD, clock: 0, structs: [item(OLD, 0, { parent: 'meta', key: 'alice/9' }, value('x'))] }])
    expect(judgeLegacy(rules, inMeta)).toEqual({ kind: 'accept', range: null, edited: [] })
  })
})

/** The first client id bound to a device key (legacy-judge.ts): 2^32. */
const BOUND = 2 ** 32
const olds = (...structs: (Y.Item | Y.Skip)[]) => [{ client: OLD, clock: 0, structs }]
const post = (clock: number, key: string) => item(OLD, clock, { parent: 'items', key }, value(key))

describe('what a whole old board may not hold', () => {
  it('bytes Yjs cannot read: refused as no update at all', () => {
    // One block, one struct of client 5, whose content kind (31) Yjs does not know.
    expect(judgeLegacy(rules, Uint8Array.of(1, 1, 5, 0, 0x1f))).toEqual({ kind: 'refuse', reason: 'bad_payload', range: null, detail: 'not a Yjs update' })
  })

  it('a struct under the first key-bound client id, 2^32: refused; under the last of Yjs’s own, accepted', () => {
    const under = (client: number) => handUpdate([{ client, clock: 0, structs: [item(client, 0, { parent: 'items', key: 'old/1' }, value('a'))] }])
    expect(judgeLegacy(rules, under(BOUND))).toEqual({ kind: 'refuse', reason: 'foreign_changes', range: null, detail: 'a struct under a member’s client id' })
    expect(judgeLegacy(rules, under(BOUND - 1))).toMatchObject({ kind: 'accept' })
  })

  it('a skipped gap between its structs: refused, Yjs would hold back what comes after it', () => {
    const gap = handUpdate(olds(post(0, 'old/1'), skip(OLD, 1, 2), post(3, 'old/2')))
    expect(judgeLegacy(rules, gap)).toEqual({ kind: 'refuse', reason: 'bad_payload', range: null, detail: 'a skipped gap' })
  })

  it('a neighbour under client id 2^32: refused; under 2^32 - 1, an old device’s, accepted', () => {
    const nextTo = (client: number) => handUpdate(olds(item(OLD, 0, { origin: id(client, 0) }, value('x'))))
    expect(judgeLegacy(rules, nextTo(BOUND))).toMatchObject({ kind: 'refuse', reason: 'forbidden_edit', detail: 'builds on what a member wrote' })
    expect(judgeLegacy(rules, nextTo(BOUND - 1))).toMatchObject({ kind: 'accept' })
  })

  it('a struct built on its own clock: refused; on the clock before, accepted', () => {
    const on = (clock: number) => handUpdate(olds(post(0, 'old/1'), item(OLD, 1, { origin: id(OLD, clock) }, value('x'))))
    expect(judgeLegacy(rules, on(1))).toMatchObject({ kind: 'refuse', reason: 'bad_payload', detail: 'builds on a later struct of its own' })
    expect(judgeLegacy(rules, on(0))).toMatchObject({ kind: 'accept' })
  })

  it('two blocks of one client: refused (Yjs keeps only the last); one block each of two clients: accepted', () => {
    const twice = handUpdate([
      { client: OLD, clock: 0, structs: [post(0, 'old/1')] },
      { client: OLD, clock: 5, structs: [post(5, 'old/2')] },
    ])
    expect(judgeLegacy(rules, twice)).toEqual({ kind: 'refuse', reason: 'bad_payload', range: null, detail: 'more than one block of structs for a client' })
    const two = handUpdate([
      { client: OLD, clock: 0, structs: [post(0, 'old/1')] },
      { client: OLD + 1, clock: 0, structs: [item(OLD + 1, 0, { parent: 'items', key: 'old/2' }, value('b'))] },
    ])
    expect(judgeLegacy(rules, two)).toMatchObject({ kind: 'accept' })
  })

  it('a deletion under client id 2^32: refused; under 2^32 - 1, accepted', () => {
    const deleting = (client: number) => handUpdate(olds(post(0, 'old/1')), [[client, 0, 1]])
    expect(judgeLegacy(rules, deleting(BOUND))).toEqual({ kind: 'refuse', reason: 'forbidden_delete', range: null, detail: 'deletes what a member wrote' })
    expect(judgeLegacy(rules, deleting(BOUND - 1))).toEqual({ kind: 'accept', range: null, edited: [] })
  })

  it('a list in the items root (no key) is nobody’s post, with the board’s own rules too (they read keys only)', () => {
    const list = handUpdate(olds(item(OLD, 0, { parent: 'items' }, value('x'))))
    expect(judgeLegacy(BOARD_RULES, list)).toEqual({ kind: 'accept', range: null, edited: [] })
  })
})
