/**
 * Updates of every kind of content Yjs writes, from a seeded generator: a few
 * clients editing one doc (maps, arrays, text with formats and embeds, XML,
 * subdocuments, deletions, each other's changes), one transaction per
 * update, then each doc's whole state.
 */
import * as Y from 'yjs'
import type { Prng } from '../core/prng.ts'

export const TEXTS = ['', 'a', 'Safe house', 'بيت آمن', 'Убежище', '🏳️‍🌈 pride', 'x'.repeat(300), '\u202e reversed', 'null']

/** A value of every kind lib0's `writeAny` writes. */
export function anyValue(rng: Prng, depth = 0): unknown {
  switch (rng.int(depth > 1 ? 9 : 11)) {
    case 0:
      return null
    case 1:
      return undefined
    case 2:
      return rng.int(2) === 0
    case 3:
      return rng.int(1000) - 500
    case 4:
      // A float64, or one a float32 holds exactly (lib0 writes it in 4 bytes).
      return rng.int(2) === 0 ? rng.next() * 1e6 : rng.int(1000) + 0.5
    case 5:
      return 2 ** 40 + rng.int(1000)
    case 6:
      return BigInt(rng.int(1000)) * 10n ** 15n
    case 7:
      return Uint8Array.from({ length: rng.int(5) }, () => rng.int(256))
    case 8:
      return rng.pick(TEXTS)
    case 9:
      return Object.fromEntries(Array.from({ length: rng.int(3) }, (_, i) => [rng.pick(TEXTS) + i, anyValue(rng, depth + 1)]))
    default:
      return Array.from({ length: rng.int(3) }, () => anyValue(rng, depth + 1))
  }
}

/** A few clients editing one doc with every kind of content, in updates of one transaction each. */
export function randomUpdates(rng: Prng): Uint8Array[] {
  const docs = [1, 2, 3].map((client) => {
    const d = new Y.Doc({ gc: rng.int(2) === 0 })
    d.clientID = 1000 * client + rng.int(1000) + (rng.int(3) === 0 ? 2 ** 40 : 0)
    return d
  })
  const updates: Uint8Array[] = []
  for (const d of docs) d.on('update', (u: Uint8Array) => updates.push(u))
  for (let step = 0; step < 12; step++) {
    const d = rng.pick(docs)
    const items = d.getMap<unknown>('items')
    switch (rng.int(9)) {
      case 0:
        items.set(rng.pick(['a', 'b', 'c']), anyValue(rng))
        break
      case 1:
        items.set(rng.pick(['a', 'b', 'm']), new Y.Map<unknown>([['title', rng.pick(TEXTS)], ['pinned', false]]))
        break
      case 2: {
        const m = items.get('m')
        if (m instanceof Y.Map) m.set(rng.pick(['title', 'pinned']), anyValue(rng))
        else items.delete(rng.pick(['a', 'b', 'c']))
        break
      }
      case 3: {
        const list = d.getArray<unknown>('list')
        if (list.length > 0 && rng.int(2) === 0) list.delete(rng.int(list.length), 1)
        else if (rng.int(2) === 0) list.insert(rng.int(list.length + 1), [rng.pick([rng.pick(TEXTS), rng.int(100), { at: rng.pick(TEXTS) }, [1, 'x'], false, null]), Uint8Array.of(rng.int(256))])
        else list.insert(rng.int(list.length + 1), rng.pick([[false], [false, rng.pick(TEXTS)], [true, false]]))
        break
      }
      case 4: {
        const text = d.getText('text')
        if (text.length > 0 && rng.int(3) === 0) text.delete(rng.int(text.length), 1)
        else text.insert(rng.int(text.length + 1), rng.pick(TEXTS), rng.int(2) === 0 ? { bold: true } : undefined)
        break
      }
      case 5:
        d.getText('text').insertEmbed(0, { image: rng.pick(TEXTS) })
        break
      case 6: {
        const xml = d.getXmlFragment('xml')
        xml.insert(0, [rng.int(2) === 0 ? new Y.XmlElement('p') : new Y.XmlText(rng.pick(TEXTS))])
        break
      }
      case 7:
        d.getArray<unknown>('docs').insert(0, [new Y.Doc({ guid: rng.pick(TEXTS) || 'g' })])
        break
      default:
        // Another client's changes arrive (what later updates build on, across clients).
        Y.applyUpdate(d, Y.encodeStateAsUpdate(rng.pick(docs)))
    }
  }
  for (const d of docs) updates.push(Y.encodeStateAsUpdate(d))
  return updates
}

