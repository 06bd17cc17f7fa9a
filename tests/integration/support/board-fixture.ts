import * as Y from 'yjs'

const WORDS =
  'housing shelter tonight safe contact lawyer clinic friendly doctor meeting moved back door bring ID food bank rides available Thursday evening call before coming hotline open late support group newcomers welcome keep quiet legal aid appointment translation Arabic Russian Turkish Persian'.split(
    ' ',
  )

/** Deterministic text that looks like board items (not compressible into nothing). */
function sentence(seed: number, words: number): string {
  let x = seed * 2654435761
  const out: string[] = []
  for (let i = 0; i < words; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out.push(WORDS[x % WORDS.length] as string)
  }
  return out.join(' ')
}

/** The map of items the tests fill and compare. */
export function items(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap('items')
}

/** Add `count` items with realistic titles and bodies, one transaction. */
export function fillBoard(doc: Y.Doc, count: number, prefix = 'item'): void {
  doc.transact(() => {
    const map = items(doc)
    for (let i = 0; i < count; i++) {
      map.set(`${prefix}-${i}`, {
        kind: 'aid',
        title: sentence(i, 8),
        body: sentence(i + 7, 60),
        author: `member ${i % 37}`,
        createdAt: 1_700_000_000_000 + i * 1000,
        tags: ['housing', 'legal'],
      })
    }
  })
}

/** What two peers compare to decide they hold the same board. */
export interface BoardSummary {
  entries: number
  stateVector: string
  bytes: number
}

export function summarize(doc: Y.Doc): BoardSummary {
  return {
    entries: items(doc).size,
    stateVector: Buffer.from(Y.encodeStateVector(doc)).toString('base64'),
    bytes: Y.encodeStateAsUpdate(doc).byteLength,
  }
}
