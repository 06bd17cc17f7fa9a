import { unsnappy } from './snappy.ts'

/**
 * Every key and value a LevelDB directory's files still hold — live,
 * overwritten or deleted alike — as a forensic tool reads them: the write-ahead
 * logs (`*.log`, record by record) and the tables (`*.ldb`, `*.sst`, block by
 * block, snappy-decompressed). Chromium keeps IndexedDB, Local Storage and the
 * origin-private file system's metadata in LevelDB.
 */
export interface Entry {
  readonly key: Uint8Array
  /** null for a deletion marker. */
  readonly value: Uint8Array | null
}

function varint(buf: Uint8Array, pos: number): [number, number] | null {
  let result = 0
  for (let shift = 0; shift <= 49; shift += 7) {
    if (pos >= buf.length) return null
    const b = buf[pos++]!
    result += (b & 0x7f) * 2 ** shift
    if (!(b & 0x80)) return [result, pos]
  }
  return null
}

/** The records of a write-ahead log file, reassembled from its 32 KiB blocks. */
export function logRecords(file: Uint8Array): Uint8Array[] {
  const BLOCK = 32768
  const records: Uint8Array[] = []
  let pending: Uint8Array[] = []
  for (let block = 0; block < file.length; block += BLOCK) {
    let pos = block
    const end = Math.min(block + BLOCK, file.length)
    while (pos + 7 <= end) {
      const length = file[pos + 4]! | (file[pos + 5]! << 8)
      const type = file[pos + 6]!
      const data = file.subarray(pos + 7, pos + 7 + length)
      pos += 7 + length
      if (type === 0 && length === 0) break
      if (type === 1) records.push(data)
      else if (type === 2) pending = [data]
      else if (type === 3) pending.push(data)
      else if (type === 4) {
        pending.push(data)
        records.push(Buffer.concat(pending))
        pending = []
      } else break
    }
  }
  return records
}

/** The puts and deletes of one write batch. */
export function batchEntries(batch: Uint8Array): Entry[] {
  const entries: Entry[] = []
  let pos = 12
  while (pos < batch.length) {
    const tag = batch[pos++]
    const k = varint(batch, pos)
    if (!k || (tag !== 0 && tag !== 1)) break
    const key = batch.subarray(k[1], k[1] + k[0])
    pos = k[1] + k[0]
    if (tag === 0) {
      entries.push({ key, value: null })
      continue
    }
    const v = varint(batch, pos)
    if (!v) break
    entries.push({ key, value: batch.subarray(v[1], v[1] + v[0]) })
    pos = v[1] + v[0]
  }
  return entries
}

function blockContents(file: Uint8Array, offset: number, size: number): Uint8Array | null {
  if (offset + size + 5 > file.length) return null
  const raw = file.subarray(offset, offset + size)
  const type = file[offset + size]
  if (type === 0) return raw
  if (type === 1) return unsnappy(raw)
  return null
}

function blockEntries(block: Uint8Array): Entry[] {
  if (block.length < 4) return []
  const restarts = new DataView(block.buffer, block.byteOffset).getUint32(block.length - 4, true)
  const end = block.length - 4 - 4 * restarts
  const entries: Entry[] = []
  let pos = 0
  let last = new Uint8Array(0)
  while (pos < end) {
    const shared = varint(block, pos)
    const unshared = shared && varint(block, shared[1])
    const valueLength = unshared && varint(block, unshared[1])
    if (!shared || !unshared || !valueLength) break
    const keyStart = valueLength[1]
    const key = Buffer.concat([last.subarray(0, shared[0]), block.subarray(keyStart, keyStart + unshared[0])])
    const value = block.subarray(keyStart + unshared[0], keyStart + unshared[0] + valueLength[0])
    entries.push({ key, value })
    last = key
    pos = keyStart + unshared[0] + valueLength[0]
  }
  return entries
}

/** Every entry of a table file: the index block names the data blocks. */
export function tableEntries(file: Uint8Array): Entry[] {
  if (file.length < 48) return []
  const footer = file.subarray(file.length - 48)
  const meta = varint(footer, 0)
  const metaSize = meta && varint(footer, meta[1])
  const index = metaSize && varint(footer, metaSize[1])
  const indexSize = index && varint(footer, index[1])
  if (!indexSize || !index) return []
  const indexBlock = blockContents(file, index[0], indexSize[0])
  if (!indexBlock) return []
  const entries: Entry[] = []
  for (const handle of blockEntries(indexBlock)) {
    const off = handle.value && varint(handle.value, 0)
    const size = off && varint(handle.value!, off[1])
    if (!off || !size) continue
    const data = blockContents(file, off[0], size[0])
    if (data) entries.push(...blockEntries(data))
  }
  return entries
}
