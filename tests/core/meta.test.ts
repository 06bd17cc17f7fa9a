import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { SCHEMA_VERSION, initBoard, metaMap, readMeta, updateMeta, validateMeta } from '../../src/core/index.ts'
import { NOW, errorsOf, snapshot, syncAll, unwrap } from './fixtures.ts'

describe('board meta', () => {
  it('Alice names a new board; the doc records version and creation time', () => {
    const doc = new Y.Doc()
    expect(unwrap(initBoard(doc, { name: '  Rainbow Kitchen ', description: 'Meals and more' }, NOW))).toEqual({
      name: 'Rainbow Kitchen',
      description: 'Meals and more',
    })
    expect(readMeta(doc)).toEqual({ name: 'Rainbow Kitchen', description: 'Meals and more' })
    expect(metaMap(doc).get('v')).toBe(SCHEMA_VERSION)
    expect(SCHEMA_VERSION).toBe(1)
    expect(metaMap(doc).get('createdAt')).toBe(NOW)
  })

  it('validates name (required, ≤ 80) and description (≤ 500)', () => {
    expect(unwrap(validateMeta({ name: 'x'.repeat(80) }))).toEqual({ name: 'x'.repeat(80), description: '' })
    expect(errorsOf(validateMeta({ name: ' ', description: 'x'.repeat(501) }))).toEqual([
      { field: 'name', code: 'required' },
      { field: 'description', code: 'too_long', limit: 500 },
    ])
    expect(errorsOf(validateMeta({ name: 'x'.repeat(81), description: 3 }))).toEqual([
      { field: 'name', code: 'too_long', limit: 80 },
      { field: 'description', code: 'invalid' },
    ])
    expect(errorsOf(validateMeta('Rainbow'))).toEqual([{ field: 'item', code: 'invalid' }])
  })

  it('an invalid name never reaches the doc', () => {
    const doc = new Y.Doc()
    unwrap(initBoard(doc, { name: 'Kitchen' }, NOW))
    const before = snapshot(doc)
    expect(initBoard(doc, { name: '' }, NOW).ok).toBe(false)
    expect(updateMeta(doc, { name: 'x'.repeat(81) }, NOW).ok).toBe(false)
    expect(updateMeta(doc, null, NOW).ok).toBe(false)
    expect(snapshot(doc)).toEqual(before)
  })

  it('keeps the original creation time if the board is initialised again', () => {
    const doc = new Y.Doc()
    unwrap(initBoard(doc, { name: 'Kitchen' }, NOW))
    unwrap(initBoard(doc, { name: 'Kitchen 2' }, NOW + 5))
    expect(metaMap(doc).get('createdAt')).toBe(NOW)
    expect(readMeta(doc).name).toBe('Kitchen 2')
  })

  it('Bob renames the board, writing only what changed', () => {
    const doc = new Y.Doc()
    unwrap(initBoard(doc, { name: 'Kitchen', description: 'Meals' }, NOW))
    const changed: string[] = []
    metaMap(doc).observe((event) => changed.push(...event.keysChanged))
    expect(unwrap(updateMeta(doc, { name: 'Rainbow Kitchen', description: undefined }, NOW + 1))).toEqual({
      name: 'Rainbow Kitchen',
      description: 'Meals',
    })
    expect(changed.sort()).toEqual(['name', 'updatedAt'])
  })

  it('concurrent changes to name and description both survive', () => {
    const alice = new Y.Doc()
    unwrap(initBoard(alice, { name: 'Kitchen', description: 'Meals' }, NOW))
    const bob = new Y.Doc()
    syncAll(alice, bob)
    unwrap(updateMeta(alice, { name: 'Rainbow Kitchen' }, NOW + 1))
    unwrap(updateMeta(bob, { description: 'Meals on Fridays' }, NOW + 2))
    syncAll(alice, bob)
    expect(readMeta(alice)).toEqual({ name: 'Rainbow Kitchen', description: 'Meals on Fridays' })
    expect(readMeta(bob)).toEqual(readMeta(alice))
  })

  it('reads defaults for a blank board and for garbage from a peer', () => {
    expect(readMeta(new Y.Doc())).toEqual({ name: '', description: '' })
    const doc = new Y.Doc()
    metaMap(doc).set('name', 42)
    metaMap(doc).set('description', 'x'.repeat(501))
    expect(readMeta(doc)).toEqual({ name: '', description: '' })
  })
})
