import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'

/**
 * Yjs updates (format v1) written by hand, for what Yjs itself never
 * encodes: each block is one client's structs from a first clock on, each
 * struct one clock past the one before (two blocks of one client leave a gap
 * between them); then the deleted ranges. The structs write themselves with
 * Yjs's own `write`, so only the framing is ours: the same as Yjs's
 * `writeClientsStructs` and `writeDeleteSet`, which hand-update.test.ts
 * checks byte for byte.
 */
export interface Block {
  readonly client: number
  readonly clock: number
  readonly structs: readonly (Y.Item | Y.GC | Y.Skip)[]
}

export type Deleted = readonly [client: number, clock: number, len: number]

export function handUpdate(blocks: readonly Block[], deleted: readonly Deleted[] = []): Uint8Array {
  const e = new Y.UpdateEncoderV1()
  encoding.writeVarUint(e.restEncoder, blocks.length)
  for (const b of blocks) {
    encoding.writeVarUint(e.restEncoder, b.structs.length)
    e.writeClient(b.client)
    encoding.writeVarUint(e.restEncoder, b.clock)
    for (const s of b.structs) s.write(e, 0)
  }
  const byClient = new Map<number, Deleted[]>()
  for (const d of deleted) byClient.set(d[0], [...(byClient.get(d[0]) ?? []), d])
  encoding.writeVarUint(e.restEncoder, byClient.size)
  for (const [client, ranges] of byClient) {
    encoding.writeVarUint(e.restEncoder, client)
    encoding.writeVarUint(e.restEncoder, ranges.length)
    for (const [, clock, len] of ranges) {
      e.writeDsClock(clock)
      e.writeDsLen(len)
    }
  }
  return e.toUint8Array()
}

type Content = ConstructorParameters<typeof Y.Item>[7]

interface Place {
  /** A root's name or the id of the map it goes in (only when it has no origins). */
  readonly parent?: string | Y.ID
  readonly key?: string
  readonly origin?: Y.ID
  readonly rightOrigin?: Y.ID
}

/** One Item as an update carries it: a place (parent and key, or the neighbours it goes between) and its content. */
export function item(client: number, clock: number, place: Place, content: Content): Y.Item {
  return new Y.Item(Y.createID(client, clock), null, place.origin ?? null, null, place.rightOrigin ?? null, (place.parent ?? null) as Y.AbstractType<unknown> | null, place.key ?? null, content)
}

export const value = (v: unknown) => new Y.ContentAny([v])
export const map = () => new Y.ContentType(new Y.Map())
export const gc = (client: number, clock: number, length: number) => new Y.GC(Y.createID(client, clock), length)
export const skip = (client: number, clock: number, length: number) => new Y.Skip(Y.createID(client, clock), length)
export const id = Y.createID
