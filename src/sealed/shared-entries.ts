import type * as Y from 'yjs'
import { SEALED_ORIGIN } from './origins.ts'
import { sameBytes } from './screen.ts'

const ENTRIES = 'entries'

/**
 * The shared, replicated map of entries, and the only place the engine
 * writes to it. Anyone in the room can write anything into the sealed doc,
 * so what is read here is untrusted; what is written here is this engine's
 * own (SEALED_ORIGIN), never taken for a remote change.
 */
export class SharedEntries {
  readonly doc: Y.Doc
  readonly map: Y.Map<unknown>

  constructor(doc: Y.Doc) {
    this.doc = doc
    this.map = doc.getMap(ENTRIES)
  }

  get(key: string): unknown {
    return this.map.get(key)
  }

  keys(): string[] {
    return [...this.map.keys()]
  }

  /** The Yjs client that last wrote under the key (undefined if none ever did). */
  clientOf(key: string): number | undefined {
    return (this.map as unknown as { _map: Map<string, Y.Item> })._map.get(key)?.id.client
  }

  set(key: string, bytes: Uint8Array): void {
    this.doc.transact(() => this.map.set(key, bytes), SEALED_ORIGIN)
  }

  /** Writes several entries in one transaction (sent to peers as one update). */
  setAll(entries: readonly (readonly [string, Uint8Array])[]): void {
    this.doc.transact(() => {
      for (const [key, bytes] of entries) this.map.set(key, bytes)
    }, SEALED_ORIGIN)
  }

  delete(keys: readonly string[]): void {
    this.doc.transact(() => {
      for (const key of keys) this.map.delete(key)
    }, SEALED_ORIGIN)
  }

  /** Whether the map holds exactly these bytes under the key. */
  holds(key: string, bytes: Uint8Array): boolean {
    const current = this.map.get(key)
    return current instanceof Uint8Array && sameBytes(current, bytes)
  }

  /** Removes an entry that is invalid for everyone alike — unless someone has put something else under its key since. */
  collect(key: string, seen: unknown): void {
    const current = this.map.get(key)
    if (current === undefined) return
    if (current !== seen && !(current instanceof Uint8Array && seen instanceof Uint8Array && sameBytes(current, seen))) return
    this.delete([key])
  }

  /** The keys of the map a transaction changed. */
  changedKeys(tr: Y.Transaction): Set<string> {
    const keys = tr.changed.get(this.map as unknown as Parameters<typeof tr.changed.get>[0])
    const out = new Set<string>()
    for (const key of keys ?? []) if (typeof key === 'string') out.add(key)
    return out
  }

  /** Anything a transaction wrote outside the entries (other root types, list items in the map) is removed at once. Returns how many structs went. */
  removeJunk(tr: Y.Transaction): number {
    const junk: Y.Item[] = []
    for (const type of tr.changed.keys()) {
      if (type === (this.map as unknown)) {
        for (let item = type._start; item; item = item.right) if (!item.deleted) junk.push(item)
        continue
      }
      let root: unknown = type
      for (let item = type._item; item; item = (item.parent as Y.AbstractType<unknown>)._item) root = item.parent
      if (root === (this.map as unknown)) continue
      for (const item of type._map.values()) if (!item.deleted) junk.push(item)
      for (let item = type._start; item; item = item.right) if (!item.deleted) junk.push(item)
    }
    if (junk.length === 0) return 0
    this.doc.transact((t) => {
      for (const item of junk) item.delete(t)
    }, SEALED_ORIGIN)
    return junk.length
  }
}
