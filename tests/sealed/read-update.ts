import * as Y from 'yjs'
import { IS_MAP, LONE_FALSE, readColumns } from '../../src/sealed/update-reader.ts'

/** One struct as the judge's reader reads it, in Yjs's own terms, to compare with `Y.decodeUpdate`. */
export interface ReadStruct {
  readonly client: number
  readonly clock: number
  readonly length: number
  /** 0: garbage (GC); 10: a skipped range (Skip); otherwise an Item with content of this kind (Yjs's content refs). */
  readonly ref: number
  readonly origin: Y.ID | null
  readonly rightOrigin: Y.ID | null
  /** A root's name, the id of the struct holding the type it goes in, or null (its neighbours say). */
  readonly parent: string | Y.ID | null
  readonly parentSub: string | null
  /** Content is a Y.Map (a type, ref 7). */
  readonly isMap: boolean
  /** Content is exactly one value, `false` (ref 8). */
  readonly loneFalse: boolean
}

export interface ReadUpdate {
  /** How many blocks of structs the update holds (Yjs keeps one per client, the last). */
  readonly blocks: number
  readonly structs: readonly ReadStruct[]
  readonly ds: ReadonlyMap<number, readonly { readonly clock: number; readonly len: number }[]>
}

const idOf = (client: number, clock: number): Y.ID | null => (client < 0 ? null : Y.createID(client, clock))

/** `readColumns`, one object per struct. Throws where the reader throws. */
export function readUpdate(update: Uint8Array): ReadUpdate {
  const c = readColumns(update)
  const structs: ReadStruct[] = []
  for (let i = 0; i < c.count; i++) {
    structs.push({
      client: c.client[i]!,
      clock: c.clock[i]!,
      length: c.length[i]!,
      ref: c.ref[i]!,
      origin: idOf(c.originClient[i]!, c.originClock[i]!),
      rightOrigin: idOf(c.rightClient[i]!, c.rightClock[i]!),
      parent: c.parentName[i] ?? idOf(c.parentClient[i]!, c.parentClock[i]!),
      parentSub: c.parentSub[i]!,
      isMap: (c.flags[i]! & IS_MAP) !== 0,
      loneFalse: (c.flags[i]! & LONE_FALSE) !== 0,
    })
  }
  return { blocks: c.blocks, structs, ds: c.ds }
}
