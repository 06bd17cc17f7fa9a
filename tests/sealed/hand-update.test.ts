import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { handUpdate, type Deleted } from './hand-update.ts'

describe('updates written by hand', () => {
  it('Alice’s post, edited and then deleted, written again by hand from its decoded structs: the same bytes as Yjs writes', () => {
    const doc = new Y.Doc({ gc: false })
    doc.clientID = 101
    const before = Y.encodeStateVector(doc)
    doc.getMap('items').set('alice/1', new Y.Map<unknown>([['title', 'Safe meeting'], ['place', 'Café Noor']]))
    ;(doc.getMap('items').get('alice/1') as Y.Map<unknown>).set('place', 'Library')
    doc.getMap('meta').delete('nothing')
    doc.getMap('items').delete('alice/1')
    const update = Y.encodeStateAsUpdate(doc, before)
    const decoded = Y.decodeUpdate(update) as unknown as { structs: Y.Item[]; ds: { clients: Map<number, { clock: number; len: number }[]> } }
    const deleted: Deleted[] = [...decoded.ds.clients].flatMap(([client, ranges]) => ranges.map((r) => [client, r.clock, r.len] as const))
    expect(deleted.length).toBeGreaterThan(0)
    expect(handUpdate([{ client: 101, clock: 0, structs: decoded.structs }], deleted)).toEqual(update)
  })
})
