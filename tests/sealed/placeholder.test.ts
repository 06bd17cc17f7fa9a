/**
 * Eve's entry was refused, but the Yjs clocks it used are used up all the
 * same: every device fills them with the same placeholder, so that her next
 * entry is not held back forever waiting for the gap.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { placeholderUpdate } from '../../src/sealed/placeholder.ts'

const EVE = 202

describe('the placeholder of a refused entry', () => {
  it('is one garbage struct over exactly the refused clocks of Eve’s client, and deletes nothing', () => {
    const decoded = Y.decodeUpdate(placeholderUpdate(EVE, 3, 7)) as unknown as { structs: Y.GC[]; ds: { clients: Map<number, unknown> } }
    expect(decoded.structs).toHaveLength(1)
    expect(decoded.structs[0]).toBeInstanceOf(Y.GC)
    expect(decoded.structs[0]!.id).toEqual(Y.createID(EVE, 3))
    expect(decoded.structs[0]!.length).toBe(4)
    expect(decoded.ds.clients.size).toBe(0)
  })

  it('lets Eve’s next post through once her refused clocks are filled, and changes nothing anyone sees', () => {
    const eve = new Y.Doc()
    eve.clientID = EVE
    const updates: Uint8Array[] = []
    eve.on('update', (u: Uint8Array) => updates.push(u))
    eve.getMap('items').set('eve/1', 'first') // clock 0: accepted
    eve.getMap('items').set('eve/2', 'refused') // clock 1: refused
    eve.getMap('items').set('eve/3', 'next') // clock 2
    const board = new Y.Doc()
    Y.applyUpdate(board, updates[0]!)
    Y.applyUpdate(board, updates[2]!)
    expect(board.getMap('items').has('eve/3')).toBe(false)
    Y.applyUpdate(board, placeholderUpdate(EVE, 1, 2))
    expect(board.getMap('items').toJSON()).toEqual({ 'eve/1': 'first', 'eve/3': 'next' })
    expect(Y.getState(board.store, EVE)).toBe(3)
  })

  it('of no clocks at all is a bug in the caller', () => {
    expect(() => placeholderUpdate(EVE, 5, 5)).toThrow(new RangeError('empty placeholder'))
    expect(() => placeholderUpdate(EVE, 5, 4)).toThrow(RangeError)
  })
})
