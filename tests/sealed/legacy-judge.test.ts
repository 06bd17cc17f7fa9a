/**
 * A whole old board (a `legacy` entry) is judged from its bytes alone
 * (legacy-judge.ts): it may change what nobody owned, never what anyone
 * wrote since under a key-bound client id. The engine's story of four forged
 * old boards is in rejections.test.ts; these are the paths it does not take.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { judgeLegacy } from '../../src/sealed/legacy-judge.ts'
import { handUpdate, id, item, value } from './hand-update.ts'
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
