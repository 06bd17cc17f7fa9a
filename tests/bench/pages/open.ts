/**
 * Baseline for "open": the least a page can do to show a board stored the way
 * Hearth stores it. Loads the y-indexeddb database named in `?db=`, counts the
 * items, renders the count and the first 50 titles (Hearth renders 50 cards),
 * then adds `#bench-done`. No validation, no framework, no networking.
 */
import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'

async function main(): Promise<void> {
  const db = new URLSearchParams(location.search).get('db')
  const out = document.getElementById('out')!
  if (!db) {
    out.textContent = 'no ?db='
    return
  }
  const doc = new Y.Doc()
  const persistence = new IndexeddbPersistence(db, doc)
  await persistence.whenSynced
  const items = doc.getMap<Y.Map<unknown>>('items')
  const count = document.createElement('p')
  count.textContent = `${items.size} items`
  const list = document.createElement('ol')
  let n = 0
  for (const item of items.values()) {
    if (n++ >= 50) break
    const li = document.createElement('li')
    li.textContent = String(item.get('title'))
    list.append(li)
  }
  const done = document.createElement('p')
  done.id = 'bench-done'
  done.dataset.count = String(items.size)
  out.append(count, list, done)
  Object.assign(globalThis, { __benchDoc: doc })
}

void main()
